package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/a20-network/fieldbook/report"
)

// The report rollup ([report.RollupTable]) is kept current by triggers that
// run four upserts for every inserted activity. A batch insert instead
// marks itself in meta (key rollupBatchKey), which the insert trigger of a
// device store skips on, and adds the whole batch to the rollup with one
// grouped statement per dimension before it commits.
const rollupBatchKey = "rollup_batch"

const rollupInsertTrigger = "activity_rollup_ai"

// rollupBatchWhen is the condition the device store adds to the insert
// trigger of the rollup.
const rollupBatchWhen = "WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = '" + rollupBatchKey + "')"

// rollupSums lists the reach columns the rollup sums.
var rollupSums = []string{"girls_0_5", "girls_6_11", "girls_12_17", "boys_0_5", "boys_6_11", "boys_12_17",
	"unrecorded_0_5", "unrecorded_6_11", "unrecorded_12_17", "adults"}

// rollupBatchSQL adds the activities with rowid > ? to the rollup, one
// statement per dimension, with the same figures the insert trigger would
// have added row by row.
var rollupBatchSQL = func() []string {
	var sums, sets []string
	for _, c := range rollupSums {
		sums = append(sums, "sum(a."+c+")")
		sets = append(sets, c+" = "+c+" + excluded."+c)
	}
	var out []string
	for _, d := range []struct{ dim, key, from string }{
		{"total", "''", "activities a"},
		{"kind", "a.kind", "activities a"},
		{"country", "a.country", "activities a"},
		{"theme", "t.value", "activities a, json_each(a.themes) t"},
	} {
		out = append(out, "INSERT INTO "+report.RollupTable+" (dim, month, org_id, key, n, "+strings.Join(rollupSums, ", ")+")"+
			" SELECT '"+d.dim+"', substr(a.start_date, 1, 7), a.org_id, "+d.key+", count(*), "+strings.Join(sums, ", ")+
			" FROM "+d.from+" WHERE a.rowid > ? AND a.deleted = 0 GROUP BY 2, 3, 4"+
			" ON CONFLICT DO UPDATE SET n = n + excluded.n, "+strings.Join(sets, ", "))
	}
	return out
}()

// rollupBatchStart prepares a batch insert of activities in tx: when the
// database has the report rollup it makes sure the insert trigger skips
// batches (replacing a trigger made without that condition) and marks the
// batch. It reports whether the batch must call rollupBatchEnd.
func rollupBatchStart(ctx context.Context, tx *sql.Tx) (bool, error) {
	var def string
	err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", rollupInsertTrigger).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: look for report rollup: %w", err)
	}
	if !strings.Contains(def, rollupBatchWhen) {
		const head = "AFTER INSERT ON activities BEGIN"
		if !strings.Contains(def, head) {
			// A rollup this store does not know how to batch: let its
			// trigger do the work row by row.
			return false, nil
		}
		def = strings.Replace(def, head, "AFTER INSERT ON activities "+rollupBatchWhen+" BEGIN", 1)
		if _, err := tx.ExecContext(ctx, "DROP TRIGGER "+rollupInsertTrigger); err != nil {
			return false, fmt.Errorf("store: batch report rollup: %w", err)
		}
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return false, fmt.Errorf("store: batch report rollup: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, '1')", rollupBatchKey); err != nil {
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
	if _, err := tx.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", rollupBatchKey); err != nil {
		return fmt.Errorf("store: clear batch mark: %w", err)
	}
	return nil
}
