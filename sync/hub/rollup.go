package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/a20-network/fieldbook/report"
)

// The report rollup ([report.RollupTable]) is kept current by triggers that
// run four upserts for every activity inserted and eight for every one
// updated. A write transaction that changes many activities instead marks
// itself in meta (key rollupBatchKey), which the hub's rollup triggers skip
// on, takes the old rows of its activities out of the rollup and puts the
// new ones in with one grouped statement per dimension each, and removes
// the rollup rows left empty.
const rollupBatchKey = "rollup_batch"

// rollupBatchMin is the fewest activities a transaction writes in a batch:
// for fewer, the triggers' row-by-row work costs less than the grouped
// statements.
const rollupBatchMin = 8

// rollupTriggers are the rollup's triggers and the text each has just
// before BEGIN, where the hub adds its batch condition.
var rollupTriggers = []struct{ name, head string }{
	{"activity_rollup_ai", "AFTER INSERT ON activities BEGIN"},
	{"activity_rollup_ad", "AFTER DELETE ON activities BEGIN"},
	{"activity_rollup_au", " ON activities BEGIN"},
}

// rollupBatchWhen is the condition the hub adds to the rollup's triggers.
const rollupBatchWhen = "WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = '" + rollupBatchKey + "')"

// rollupSums lists the reach columns the rollup sums.
var rollupSums = []string{"girls_0_5", "girls_6_11", "girls_12_17", "boys_0_5", "boys_6_11", "boys_12_17",
	"unrecorded_0_5", "unrecorded_6_11", "unrecorded_12_17", "adults"}

// rollupBatchFrom reads the activities whose ids are in the JSON array
// parameter, each looked up by its id: the join order is fixed, because the
// planner would otherwise read every live activity through the report
// index and keep the batch's.
const rollupBatchFrom = "json_each(?) i CROSS JOIN activities a"

// rollupGroupedSQL returns the statements, one per dimension, that add
// sign (1 or -1) times the live activities whose ids are in the JSON array
// parameter to the rollup: the figures the triggers add for an insert, or
// take away for a delete, row by row.
func rollupGroupedSQL(sign string) []string {
	var sums, sets []string
	for _, c := range rollupSums {
		sums = append(sums, sign+"sum(a."+c+")")
		sets = append(sets, c+" = "+c+" + excluded."+c)
	}
	var out []string
	for _, d := range []struct{ dim, key, from string }{
		{"total", "''", rollupBatchFrom},
		{"kind", "a.kind", rollupBatchFrom},
		{"country", "a.country", rollupBatchFrom},
		{"theme", "t.value", rollupBatchFrom + " CROSS JOIN json_each(a.themes) t"},
	} {
		out = append(out, "INSERT INTO "+report.RollupTable+" (dim, month, org_id, key, n, "+strings.Join(rollupSums, ", ")+")"+
			" SELECT '"+d.dim+"', substr(a.start_date, 1, 7), a.org_id, "+d.key+", "+sign+"count(*), "+strings.Join(sums, ", ")+
			" FROM "+d.from+" WHERE a.id = i.value AND +a.deleted = 0 GROUP BY 2, 3, 4"+
			" ON CONFLICT DO UPDATE SET n = n + excluded.n, "+strings.Join(sets, ", "))
	}
	return out
}

var (
	sqlRollupSubtract = rollupGroupedSQL("-")
	sqlRollupAdd      = rollupGroupedSQL("")
	// sqlRollupMonths lists the months and organizations the live
	// activities whose ids are in the JSON array parameter count in.
	sqlRollupMonths = `SELECT DISTINCT substr(a.start_date, 1, 7), a.org_id FROM ` + rollupBatchFrom + `
		WHERE a.id = i.value AND +a.deleted = 0`
	sqlRollupPrune = `DELETE FROM ` + report.RollupTable + ` WHERE dim IN ('total', 'kind', 'country', 'theme')
		AND month = ? AND org_id = ? AND n = 0`
	sqlRollupMark   = `INSERT INTO meta (key, value) VALUES ('` + rollupBatchKey + `', '1')`
	sqlRollupUnmark = `DELETE FROM meta WHERE key = '` + rollupBatchKey + `'`
)

// rollupQueries are the batch's statements, prepared with the others.
func rollupQueries() []string {
	out := append([]string{sqlRollupMonths, sqlRollupPrune, sqlRollupMark, sqlRollupUnmark}, sqlRollupSubtract...)
	return append(out, sqlRollupAdd...)
}

// batchRollupTriggers gives the rollup's triggers the hub's batch condition
// when they do not have it yet. It reports whether the hub can batch: false
// when the database has no rollup, or triggers this hub does not know.
func batchRollupTriggers(ctx context.Context, db *sql.DB) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("hub: batch report rollup: %w", err)
	}
	defer tx.Rollback()
	for _, t := range rollupTriggers {
		var def string
		err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", t.name).Scan(&def)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("hub: look for report rollup: %w", err)
		}
		if strings.Contains(def, rollupBatchWhen) {
			continue
		}
		if !strings.Contains(def, t.head) {
			// A rollup this hub does not know how to batch: its triggers
			// do the work row by row.
			return false, nil
		}
		def = strings.Replace(def, t.head, strings.TrimSuffix(t.head, "BEGIN")+rollupBatchWhen+" BEGIN", 1)
		if _, err := tx.ExecContext(ctx, "DROP TRIGGER "+t.name); err != nil {
			return false, fmt.Errorf("hub: batch report rollup: %w", err)
		}
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return false, fmt.Errorf("hub: batch report rollup: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("hub: batch report rollup: %w", err)
	}
	return true, nil
}

// rollupBatch is the rollup work of one batch of activities.
type rollupBatch struct {
	ids    string // the activities' ids as a JSON array
	months [][2]string
}

// startRollupBatch marks the batch of activities ids in tx and takes their
// current rows out of the rollup, before they are written.
func startRollupBatch(ctx context.Context, tx writeTx, ids []string) (*rollupBatch, error) {
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("hub: report rollup: %w", err)
	}
	rb := &rollupBatch{ids: string(b)}
	if _, err := tx.ExecContext(ctx, sqlRollupMark); err != nil {
		return nil, fmt.Errorf("hub: mark rollup batch: %w", err)
	}
	rows, err := tx.stmtOrQuery(ctx, sqlRollupMonths, rb.ids)
	if err != nil {
		return nil, fmt.Errorf("hub: report rollup months: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m [2]string
		if err := rows.Scan(&m[0], &m[1]); err != nil {
			return nil, fmt.Errorf("hub: report rollup months: %w", err)
		}
		rb.months = append(rb.months, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("hub: report rollup months: %w", err)
	}
	for _, q := range sqlRollupSubtract {
		if _, err := tx.ExecContext(ctx, q, rb.ids); err != nil {
			return nil, fmt.Errorf("hub: take old activities out of report rollup: %w", err)
		}
	}
	return rb, nil
}

// end puts the batch's written rows into the rollup, removes the rollup
// rows its old rows left empty and clears the batch mark.
func (rb *rollupBatch) end(ctx context.Context, tx writeTx) error {
	for _, q := range sqlRollupAdd {
		if _, err := tx.ExecContext(ctx, q, rb.ids); err != nil {
			return fmt.Errorf("hub: add activities to report rollup: %w", err)
		}
	}
	for _, m := range rb.months {
		if _, err := tx.ExecContext(ctx, sqlRollupPrune, m[0], m[1]); err != nil {
			return fmt.Errorf("hub: prune report rollup: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, sqlRollupUnmark); err != nil {
		return fmt.Errorf("hub: clear rollup batch mark: %w", err)
	}
	return nil
}
