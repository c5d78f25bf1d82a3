package store

import (
	"context"
	"fmt"

	"github.com/a20-network/fieldbook/model"
)

func organizationFromRow(r row) model.Organization {
	o := model.Organization{Meta: model.Meta{ID: r.id, OrgID: r.orgID, UpdatedAt: r.updated, Version: r.version}}
	o.SetFields(r.fields)
	return o
}

// Organization returns the directory entry with id, or an error wrapping
// [ErrNotFound].
func (s *Store) Organization(ctx context.Context, id string) (model.Organization, error) {
	r, err := organizationSpec.load(ctx, s.reader, id)
	if err != nil {
		return model.Organization{}, err
	}
	return organizationFromRow(r), nil
}

// Organizations returns the live directory, sorted by name.
func (s *Store) Organizations(ctx context.Context) ([]model.Organization, error) {
	rows, err := s.reader.QueryContext(ctx, "SELECT "+organizationSpec.columns()+" FROM organizations WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id")
	if err != nil {
		return nil, fmt.Errorf("store: list organizations: %w", err)
	}
	defer rows.Close()
	out := []model.Organization{}
	for rows.Next() {
		r, err := organizationSpec.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list organizations: %w", err)
		}
		out = append(out, organizationFromRow(r))
	}
	return out, rows.Err()
}

// CreateOrganization validates o and adds it to the directory. An
// organization record is owned by itself: its OrgID is its ID.
func (s *Store) CreateOrganization(ctx context.Context, o model.Organization) (model.Organization, error) {
	if o.Visibility == "" {
		o.Visibility = model.VisibilityNetwork
	}
	if o.ID == "" {
		o.ID = model.NewID()
	}
	if o.OrgID == "" {
		o.OrgID = o.ID
	}
	if err := o.Validate(); err != nil {
		return model.Organization{}, err
	}
	m, _, err := s.saveLocal(ctx, organizationSpec, o.Meta, o.Fields(), modeCreate)
	if err != nil {
		return model.Organization{}, fmt.Errorf("store: create organization: %w", err)
	}
	o.Meta = m
	return o, nil
}

// UpdateOrganization validates o and writes the fields that changed.
func (s *Store) UpdateOrganization(ctx context.Context, o model.Organization) (model.Organization, error) {
	if err := o.Validate(); err != nil {
		return model.Organization{}, err
	}
	m, _, err := s.saveLocal(ctx, organizationSpec, o.Meta, o.Fields(), modeEdit)
	if err != nil {
		return model.Organization{}, fmt.Errorf("store: update organization: %w", err)
	}
	o.Meta = m
	return o, nil
}
