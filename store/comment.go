package store

import (
	"context"
	"fmt"

	"github.com/a20-network/fieldbook/model"
)

// CreateComment validates c and appends it under its parent record. The
// comment takes the parent's organization and visibility.
func (s *Store) CreateComment(ctx context.Context, c model.Comment) (model.Comment, error) {
	sp, ok := specs[c.ParentEntity]
	if ok && (c.ParentEntity == model.EntityActivity || c.ParentEntity == model.EntityResource) {
		parent, err := sp.load(ctx, s.reader, c.ParentID)
		if err != nil {
			return model.Comment{}, fmt.Errorf("store: comment on %s %s: %w", c.ParentEntity, c.ParentID, err)
		}
		c.OrgID = parent.orgID
		c.Visibility = parent.fields["visibility"].(string)
	}
	if err := c.Validate(); err != nil {
		return model.Comment{}, err
	}
	m, _, err := s.saveLocal(ctx, commentSpec, c.Meta, c.Fields(), modeCreate)
	if err != nil {
		return model.Comment{}, fmt.Errorf("store: create comment: %w", err)
	}
	c.Meta = m
	return c, nil
}

// DeleteComment tombstones a comment; comments are never edited.
func (s *Store) DeleteComment(ctx context.Context, id string) error {
	return s.setDeleted(ctx, commentSpec, id, true)
}

// Comments returns the live comments under the record parentID, oldest
// first; an empty slice when there are none.
func (s *Store) Comments(ctx context.Context, parentID string) ([]model.Comment, error) {
	rows, err := s.reader.QueryContext(ctx, "SELECT "+commentSpec.columns()+
		" FROM comments WHERE parent_id = ? AND deleted = 0 ORDER BY created_at, id", parentID)
	if err != nil {
		return nil, fmt.Errorf("store: list comments of %s: %w", parentID, err)
	}
	defer rows.Close()
	out := []model.Comment{}
	for rows.Next() {
		r, err := commentSpec.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list comments of %s: %w", parentID, err)
		}
		c := model.Comment{Meta: model.Meta{ID: r.id, OrgID: r.orgID, UpdatedAt: r.updated, Version: r.version}}
		c.SetFields(r.fields)
		out = append(out, c)
	}
	return out, rows.Err()
}
