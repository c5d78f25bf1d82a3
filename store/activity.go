package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

func activityFromRow(r row) model.Activity {
	a := model.Activity{Meta: model.Meta{ID: r.id, OrgID: r.orgID, UpdatedAt: r.updated, Version: r.version}}
	a.SetFields(r.fields)
	return a
}

// Activity returns the activity with id, tombstoned or not, or an error
// wrapping [ErrNotFound].
func (s *Store) Activity(ctx context.Context, id string) (model.Activity, error) {
	r, err := activitySpec.load(ctx, s.reader, id)
	if err != nil {
		return model.Activity{}, err
	}
	return activityFromRow(r), nil
}

// CreateActivity validates a and stores it as a new record with a new ID
// (unless a.ID is set), queuing it for sync. It returns the stored record.
// On a [*model.ValidationError] nothing is written.
func (s *Store) CreateActivity(ctx context.Context, a model.Activity) (model.Activity, error) {
	if a.Visibility == "" {
		a.Visibility = model.VisibilityOrg
	}
	if err := a.Validate(); err != nil {
		return model.Activity{}, err
	}
	m, _, err := s.saveLocal(ctx, activitySpec, a.Meta, a.Fields(), modeCreate)
	if err != nil {
		return model.Activity{}, fmt.Errorf("store: create activity: %w", err)
	}
	a.Meta = m
	return a, nil
}

// CreateActivities stores many new activities in one transaction; all or
// none are written. It is the fast path for imports: statements are prepared
// once for the batch. On success as holds the stored meta (IDs, clock
// readings). A [*model.ValidationError] or an id already in use writes nothing.
func (s *Store) CreateActivities(ctx context.Context, as []model.Activity) error {
	for i := range as {
		if as[i].Visibility == "" {
			as[i].Visibility = model.VisibilityOrg
		}
		if err := as[i].Validate(); err != nil {
			return fmt.Errorf("activity %d: %w", i+1, err)
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return s.createActivitiesTx(ctx, tx, as)
	})
}

func (s *Store) createActivitiesTx(ctx context.Context, tx *sql.Tx, as []model.Activity) error {
	if len(as) == 0 {
		return nil
	}
	rollup, err := rollupBatchStart(ctx, tx)
	if err != nil {
		return err
	}
	ins, err := s.newInserter(ctx, tx, activitySpec)
	if err != nil {
		return err
	}
	defer ins.close()
	for i := range as {
		m, err := ins.addColumns(ctx, as[i].Meta, as[i].AppendColumns)
		if err != nil {
			return err
		}
		as[i].Meta = m
	}
	if err := ins.finish(ctx); err != nil {
		return err
	}
	if rollup {
		if err := rollupBatchEnd(ctx, tx, ins.floor); err != nil {
			return err
		}
	}
	return s.persistHLC(ctx, tx, as[len(as)-1].UpdatedAt)
}

// UpsertResult counts what [Store.UpsertActivities] did.
type UpsertResult struct {
	// Created counts new records, Updated records whose fields changed, and
	// Unchanged records that already held exactly the given values.
	Created, Updated, Unchanged int
}

// UpsertActivities writes many activities in one transaction, all or none:
// an activity whose ID is already stored is updated like
// [Store.UpdateActivity] (only changed fields reach the outbox; an identical
// record writes nothing), any other is created, keeping its ID when it has
// one. Importing the same file twice therefore never duplicates a record.
// An activity whose Files is nil keeps the files of the stored one.
// A [*model.ValidationError] writes nothing.
func (s *Store) UpsertActivities(ctx context.Context, as []model.Activity) (UpsertResult, error) {
	var res UpsertResult
	for i := range as {
		if as[i].Visibility == "" {
			as[i].Visibility = model.VisibilityOrg
		}
		if err := as[i].Validate(); err != nil {
			return res, fmt.Errorf("activity %d: %w", i+1, err)
		}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res = UpsertResult{}
		exists, err := tx.PrepareContext(ctx, "SELECT 1 FROM activities WHERE id = ?")
		if err != nil {
			return fmt.Errorf("store: prepare lookup: %w", err)
		}
		defer exists.Close()
		var fresh []int
		seen := map[string]bool{}
		for i := range as {
			if as[i].ID == "" || seen[as[i].ID] {
				fresh = append(fresh, i)
				continue
			}
			seen[as[i].ID] = true
			var one int
			err := exists.QueryRowContext(ctx, as[i].ID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				fresh = append(fresh, i)
				continue
			}
			if err != nil {
				return fmt.Errorf("store: look up activity %s: %w", as[i].ID, err)
			}
			if as[i].Files == nil {
				// A CSV carries no files: the stored ones stay.
				r, err := activitySpec.load(ctx, tx, as[i].ID)
				if err != nil {
					return err
				}
				as[i].Files = r.fields["files"].([]protocol.FileRef)
			}
			m, changed, err := s.saveLocalTx(ctx, tx, activitySpec, as[i].Meta, as[i].Fields(), modeEdit)
			if err != nil {
				return fmt.Errorf("store: update activity %d: %w", i+1, err)
			}
			as[i].Meta = m
			if changed {
				res.Updated++
			} else {
				res.Unchanged++
			}
		}
		batch := make([]model.Activity, len(fresh))
		for k, i := range fresh {
			batch[k] = as[i]
		}
		if err := s.createActivitiesTx(ctx, tx, batch); err != nil {
			return err
		}
		for k, i := range fresh {
			as[i] = batch[k]
		}
		res.Created = len(fresh)
		return nil
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

// UpdateActivity validates a and writes the fields that differ from the
// stored record, recording old and new values in the outbox. Meta fields
// other than Visibility are ignored. An unchanged record writes nothing.
func (s *Store) UpdateActivity(ctx context.Context, a model.Activity) (model.Activity, error) {
	if err := a.Validate(); err != nil {
		return model.Activity{}, err
	}
	m, _, err := s.saveLocal(ctx, activitySpec, a.Meta, a.Fields(), modeEdit)
	if err != nil {
		return model.Activity{}, fmt.Errorf("store: update activity: %w", err)
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
