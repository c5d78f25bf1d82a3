package store

import (
	"context"
	"fmt"
)

func organizationFromRow(r row) Organization {
	o := Organization{Meta: Meta{ID: r.id, OrgID: r.orgID, UpdatedAt: r.updated, Version: r.version}}
	o.setFields(r.fields)
	return o
}

// Organization returns the directory entry with id, or an error wrapping
// [ErrNotFound].
func (s *Store) Organization(ctx context.Context, id string) (Organization, error) {
	r, err := organizationSpec.load(ctx, s.reader, id)
	if err != nil {
		return Organization{}, err
	}
	return organizationFromRow(r), nil
}

// Organizations returns the live directory, sorted by name.
func (s *Store) Organizations(ctx context.Context) ([]Organization, error) {
	rows, err := s.reader.QueryContext(ctx, "SELECT "+organizationSpec.columns()+" FROM organizations WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id")
	if err != nil {
		return nil, fmt.Errorf("store: list organizations: %w", err)
	}
	defer rows.Close()
	out := []Organization{}
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
func (s *Store) CreateOrganization(ctx context.Context, o Organization) (Organization, error) {
	if o.Visibility == "" {
		o.Visibility = VisibilityNetwork
	}
	if o.ID == "" {
		o.ID = NewID()
	}
	if o.OrgID == "" {
		o.OrgID = o.ID
	}
	if err := o.Validate(); err != nil {
		return Organization{}, err
	}
	m, _, err := s.saveLocal(ctx, organizationSpec, o.Meta, o.fields(), modeCreate)
	if err != nil {
		return Organization{}, fmt.Errorf("store: create organization: %w", err)
	}
	o.Meta = m
	return o, nil
}

// UpdateOrganization validates o and writes the fields that changed.
func (s *Store) UpdateOrganization(ctx context.Context, o Organization) (Organization, error) {
	if err := o.Validate(); err != nil {
		return Organization{}, err
	}
	m, _, err := s.saveLocal(ctx, organizationSpec, o.Meta, o.fields(), modeEdit)
	if err != nil {
		return Organization{}, fmt.Errorf("store: update organization: %w", err)
	}
	o.Meta = m
	return o, nil
}
