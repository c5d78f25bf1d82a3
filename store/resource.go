package store

import (
	"context"
	"fmt"

	"github.com/a20-network/fieldbook/internal/sqlwhere"
	"github.com/a20-network/fieldbook/model"
)

func resourceFromRow(r row) model.Resource {
	res := model.Resource{Meta: model.Meta{ID: r.id, OrgID: r.orgID, UpdatedAt: r.updated, Version: r.version}}
	res.SetFields(r.fields)
	return res
}

// Resource returns the resource with id, or an error wrapping [ErrNotFound].
func (s *Store) Resource(ctx context.Context, id string) (model.Resource, error) {
	r, err := resourceSpec.load(ctx, s.reader, id)
	if err != nil {
		return model.Resource{}, err
	}
	return resourceFromRow(r), nil
}

// CreateResource validates r and stores it as a new record, queued for sync.
// Resources are shared with the network unless Visibility says otherwise.
func (s *Store) CreateResource(ctx context.Context, r model.Resource) (model.Resource, error) {
	if r.Visibility == "" {
		r.Visibility = model.VisibilityNetwork
	}
	if err := r.Validate(); err != nil {
		return model.Resource{}, err
	}
	m, _, err := s.saveLocal(ctx, resourceSpec, r.Meta, r.Fields(), modeCreate)
	if err != nil {
		return model.Resource{}, fmt.Errorf("store: create resource: %w", err)
	}
	r.Meta = m
	return r, nil
}

// UpdateResource validates r and writes the fields that changed.
func (s *Store) UpdateResource(ctx context.Context, r model.Resource) (model.Resource, error) {
	if err := r.Validate(); err != nil {
		return model.Resource{}, err
	}
	m, _, err := s.saveLocal(ctx, resourceSpec, r.Meta, r.Fields(), modeEdit)
	if err != nil {
		return model.Resource{}, fmt.Errorf("store: update resource: %w", err)
	}
	r.Meta = m
	return r, nil
}

// DeleteResource tombstones the resource.
func (s *Store) DeleteResource(ctx context.Context, id string) error {
	return s.setDeleted(ctx, resourceSpec, id, true)
}

// ResourceFilter selects resources for [Store.Resources].
type ResourceFilter struct {
	Text   string // full-text query over title and body
	Kind   string
	Theme  string
	Limit  int // 0 means 100
	Offset int
}

// where returns the FROM and WHERE of a search for f.
func (f ResourceFilter) where() (from string, w sqlwhere.Where) {
	w.Add("r.deleted = 0")
	from = "resources r"
	if q := ftsQuery(f.Text); q != "" {
		from = "resources r JOIN resources_fts ON resources_fts.rowid = r.rowid"
		w.Add("resources_fts MATCH ?", q)
	}
	w.Equal("r.kind", f.Kind)
	w.HasTheme("r", f.Theme)
	return from, w
}

// Resources returns live resources matching f, newest first.
func (s *Store) Resources(ctx context.Context, f ResourceFilter) ([]model.Resource, error) {
	from, where := f.where()
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args := append(where.Args(), limit, f.Offset)
	rows, err := s.reader.QueryContext(ctx, "SELECT "+prefixed("r", resourceSpec)+" FROM "+from+" WHERE "+where.SQL()+
		" ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list resources: %w", err)
	}
	defer rows.Close()
	out := []model.Resource{}
	for rows.Next() {
		r, err := resourceSpec.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list resources: %w", err)
		}
		out = append(out, resourceFromRow(r))
	}
	return out, rows.Err()
}

// CountResources returns how many live resources match f, ignoring its
// Limit and Offset.
func (s *Store) CountResources(ctx context.Context, f ResourceFilter) (int, error) {
	from, where := f.where()
	var n int
	if err := s.reader.QueryRowContext(ctx, "SELECT count(*) FROM "+from+" WHERE "+where.SQL(), where.Args()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count resources: %w", err)
	}
	return n, nil
}
