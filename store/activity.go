package store

import (
	"context"
	"database/sql"
	"fmt"
)

func activityFromRow(r row) Activity {
	a := Activity{Meta: Meta{ID: r.id, OrgID: r.orgID, UpdatedAt: r.updated, Version: r.version}}
	a.setFields(r.fields)
	return a
}

// Activity returns the activity with id, tombstoned or not, or an error
// wrapping [ErrNotFound].
func (s *Store) Activity(ctx context.Context, id string) (Activity, error) {
	r, err := activitySpec.load(ctx, s.reader, id)
	if err != nil {
		return Activity{}, err
	}
	return activityFromRow(r), nil
}

// CreateActivity validates a and stores it as a new record with a new ID
// (unless a.ID is set), queuing it for sync. It returns the stored record.
// On a [*ValidationError] nothing is written.
func (s *Store) CreateActivity(ctx context.Context, a Activity) (Activity, error) {
	if a.Visibility == "" {
		a.Visibility = VisibilityOrg
	}
	if err := a.Validate(); err != nil {
		return Activity{}, err
	}
	m, _, err := s.saveLocal(ctx, activitySpec, a.Meta, a.fields(), true)
	if err != nil {
		return Activity{}, fmt.Errorf("store: create activity: %w", err)
	}
	a.Meta = m
	return a, nil
}

// CreateActivities stores many new activities in one transaction; all or
// none are written. It is the fast path for imports.
func (s *Store) CreateActivities(ctx context.Context, as []Activity) error {
	for i := range as {
		if as[i].Visibility == "" {
			as[i].Visibility = VisibilityOrg
		}
		if err := as[i].Validate(); err != nil {
			return fmt.Errorf("activity %d: %w", i+1, err)
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range as {
			m, _, err := s.saveLocalTx(ctx, tx, activitySpec, as[i].Meta, as[i].fields(), true)
			if err != nil {
				return fmt.Errorf("store: create activity %d: %w", i+1, err)
			}
			as[i].Meta = m
		}
		return nil
	})
}

// UpdateActivity validates a and writes the fields that differ from the
// stored record, recording old and new values in the outbox. Meta fields
// other than Visibility are ignored. An unchanged record writes nothing.
func (s *Store) UpdateActivity(ctx context.Context, a Activity) (Activity, error) {
	if err := a.Validate(); err != nil {
		return Activity{}, err
	}
	m, _, err := s.saveLocal(ctx, activitySpec, a.Meta, a.fields(), false)
	if err != nil {
		return Activity{}, fmt.Errorf("store: update activity: %w", err)
	}
	a.Meta = m
	return a, nil
}

// DeleteActivity tombstones the activity; [Store.RestoreActivity] undoes it.
func (s *Store) DeleteActivity(ctx context.Context, id string) error {
	return s.setDeleted(ctx, activitySpec, id, true)
}

// RestoreActivity brings back a tombstoned activity.
func (s *Store) RestoreActivity(ctx context.Context, id string) error {
	return s.setDeleted(ctx, activitySpec, id, false)
}
