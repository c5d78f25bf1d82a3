package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/a20-network/fieldbook/internal/report"
)

// A batch insert keeps the report rollup ([report.RollupTable]) itself: see
// [report.GuardTriggers]. It guards the insert trigger, marks itself in
// meta, and adds the whole batch with one grouped statement per dimension
// before it commits.

// rollupBatchSQL adds the activities with rowid > ? to the rollup, with the
// same figures the insert trigger would have added row by row.
var rollupBatchSQL = report.GroupedSQL("", "activities a", ", ", "a.rowid > ? AND a.deleted = 0")

// rollupBatchStart prepares a batch insert of activities in tx: when the
// database has the report rollup it makes sure the insert trigger skips
// batches and marks the batch. It reports whether the batch must call
// rollupBatchEnd.
func rollupBatchStart(ctx context.Context, tx *sql.Tx) (bool, error) {
	ok, err := report.GuardTriggers(ctx, tx, report.TriggerInsert)
	if err != nil || !ok {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, '1')", report.RollupBatchKey); err != nil {
		return false, fmt.Errorf("store: mark batch: %w", err)
	}
	return true, nil
}

// rollupBatchEnd adds the activities with rowid > floor to the rollup and
// clears the batch mark.
func rollupBatchEnd(ctx context.Context, tx *sql.Tx, floor int64) error {
	for _, q := range rollupBatchSQL {
		if _, err := tx.ExecContext(ctx, q, floor); err != nil {
			return fmt.Errorf("store: add batch to report rollup: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", report.RollupBatchKey); err != nil {
		return fmt.Errorf("store: clear batch mark: %w", err)
	}
	return nil
}
