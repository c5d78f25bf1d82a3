package hub

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/a20-network/fieldbook/internal/report"
)

// The report rollup ([report.RollupTable]) is kept current by triggers that
// run four upserts for every activity inserted and eight for every one
// updated. A write transaction that changes many activities instead marks
// itself in meta (key [report.RollupBatchKey]), which the rollup's
// triggers skip on (migration 0009 makes them with that condition: see
// [report.GuardedRollupSQL]), reads its activities' rows before and after
// writing them, sums what they take from and add to each rollup row,
// writes one upsert per rollup row it changes, and removes the rollup rows
// left empty.

// rollupBatchMin is the fewest activities a transaction writes in a batch:
// for fewer, the triggers' row-by-row work costs less than the batch's
// reads and statements.
const rollupBatchMin = 8

// rollupBatchFrom reads the activities whose ids are in the JSON array
// parameter, each looked up by its id: the join order is fixed, because the
// planner would otherwise read every live activity through the report
// index and keep the batch's.
const rollupBatchFrom = "json_each(?) i CROSS JOIN activities a"

var (
	// sqlRollupSubtract and sqlRollupAdd take away or add the live
	// activities whose ids are in the JSON array parameter; the batch uses
	// them for activities whose themes it does not sum itself.
	sqlRollupSubtract = report.PortableGroupedSQL("-", rollupBatchFrom, " CROSS JOIN ", "a.id = i.value AND +a.deleted = 0")
	sqlRollupAdd      = report.PortableGroupedSQL("", rollupBatchFrom, " CROSS JOIN ", "a.id = i.value AND +a.deleted = 0")
	sqlRollupPrune    = `DELETE FROM ` + report.RollupTable + ` WHERE dim IN ('total', 'kind', 'country', 'theme')
		AND month = ? AND org_id = ? AND n = 0`
	sqlRollupMark   = `INSERT INTO meta (key, value) VALUES ('` + report.RollupBatchKey + `', '1')`
	sqlRollupUnmark = `DELETE FROM meta WHERE key = '` + report.RollupBatchKey + `'`
)

// rollupQueries are the batch's statements, prepared with the others.
func rollupQueries() []string {
	return slices.Concat([]string{sqlRollupRows, sqlRollupPrune, sqlRollupMark, sqlRollupUnmark}, rollupUpserts, sqlRollupSubtract, sqlRollupAdd)
}

// sqlRollupRows reads what the rollup counts of the activities whose ids
// are in the JSON array parameter.
var sqlRollupRows = "SELECT a.deleted, a.start_date, a.org_id, a.kind, a.country, a.themes, " +
	strings.Join(report.RollupSums, ", ") + " FROM " + rollupBatchFrom + " WHERE a.id = i.value"

// rollupUpsert returns the statement that adds n rows of figures to the
// rollup.
func rollupUpsert(n int) string {
	var sets []string
	for _, c := range report.RollupSums {
		sets = append(sets, c+" = "+report.RollupTable+"."+c+" + excluded."+c)
	}
	row := "(?, ?, ?, ?, ?" + strings.Repeat(", ?", len(report.RollupSums)) + ")"
	return "INSERT INTO " + report.RollupTable + " (dim, month, org_id, key, n, " + strings.Join(report.RollupSums, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + " ON CONFLICT (dim, month, org_id, key) DO UPDATE SET n = " + report.RollupTable + ".n + excluded.n, " + strings.Join(sets, ", ")
}

// rollupUpsertBatch is how many rollup rows one statement adds to.
const rollupUpsertBatch = 32

var rollupUpserts = newRowStatements(rollupUpsertBatch, rollupUpsert)

// rollupKey is a row of the rollup.
type rollupKey struct{ dim, month, org, key string }

// rollupFigures are a rollup row's count and sums, in report.RollupSums order.
type rollupFigures [11]int64

// rollupBatch is the rollup work of one batch of activities: the figures
// it adds to each rollup row (negative for the rows it replaces), summed
// in Go from one read of the rows before and one after the writes.
type rollupBatch struct {
	ids    string // the activities' ids as a JSON array
	months map[[2]string]bool
	delta  map[rollupKey]*rollupFigures
}

// startRollupBatch takes the current rows of the batch of activities ids
// out of the rollup and marks the batch in tx, before they are written.
func startRollupBatch(ctx context.Context, tx writeTx, ids []string) (*rollupBatch, error) {
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("hub: report rollup: %w", err)
	}
	rb := &rollupBatch{ids: string(b), months: map[[2]string]bool{}, delta: map[rollupKey]*rollupFigures{}}
	if err := rb.sum(ctx, tx, -1); err != nil {
		return nil, fmt.Errorf("hub: take old activities out of report rollup: %w", err)
	}
	if _, err := tx.ExecContext(ctx, sqlRollupMark); err != nil {
		return nil, fmt.Errorf("hub: mark rollup batch: %w", err)
	}
	return rb, nil
}

// sum adds sign times the batch's live activities rows, as they are now,
// to the batch's figures, and notes the months and organizations of the
// old rows. Themes that are not a JSON array of texts are left to the
// grouped statements, which read them the way the triggers do.
func (rb *rollupBatch) sum(ctx context.Context, tx writeTx, sign int64) error {
	rows, err := tx.stmtOrQuery(ctx, sqlRollupRows, rb.ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	delta := map[rollupKey]*rollupFigures{}
	plain := true
	for rows.Next() {
		var deleted int64
		var start, org, kind, country, themes string
		var f rollupFigures
		dest := []any{&deleted, &start, &org, &kind, &country, &themes}
		for i := 1; i < len(f); i++ {
			dest = append(dest, &f[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if deleted != 0 {
			continue
		}
		month := start
		if r := []rune(start); len(r) > 7 {
			month = string(r[:7])
		}
		if sign < 0 {
			rb.months[[2]string{month, org}] = true
		}
		f[0] = 1
		add := func(dim, key string) {
			k := rollupKey{dim, month, org, key}
			d := delta[k]
			if d == nil {
				d = &rollupFigures{}
				delta[k] = d
			}
			for i := range f {
				d[i] += sign * f[i]
			}
		}
		add("total", "")
		add("kind", kind)
		add("country", country)
		var list []string
		if !strings.HasPrefix(strings.TrimSpace(themes), "[") || json.Unmarshal([]byte(themes), &list) != nil {
			plain = false
			continue
		}
		for _, t := range list {
			add("theme", t)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !plain {
		// Leave these rows to the grouped statements, all dimensions.
		qs := sqlRollupAdd
		if sign < 0 {
			qs = sqlRollupSubtract
		}
		for _, q := range qs {
			if _, err := tx.ExecContext(ctx, q, rb.ids); err != nil {
				return err
			}
		}
		return nil
	}
	for k, d := range delta {
		acc := rb.delta[k]
		if acc == nil {
			acc = &rollupFigures{}
			rb.delta[k] = acc
		}
		for i := range d {
			acc[i] += d[i]
		}
	}
	return nil
}

// end puts the batch's written rows into the rollup, removes the rollup
// rows its old rows left empty and clears the batch mark.
func (rb *rollupBatch) end(ctx context.Context, tx writeTx) error {
	if err := rb.sum(ctx, tx, 1); err != nil {
		return fmt.Errorf("hub: add activities to report rollup: %w", err)
	}
	keys := make([]rollupKey, 0, len(rb.delta))
	for k, d := range rb.delta {
		if *d != (rollupFigures{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.dim, b.dim), cmp.Compare(a.month, b.month), cmp.Compare(a.org, b.org), cmp.Compare(a.key, b.key))
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		rows[i] = append(make([]any, 0, 4+len(rollupFigures{})), k.dim, k.month, k.org, k.key)
		for _, v := range rb.delta[k] {
			rows[i] = append(rows[i], v)
		}
	}
	if err := execRows(ctx, tx, rollupUpserts, rows); err != nil {
		return fmt.Errorf("hub: add activities to report rollup: %w", err)
	}
	for m := range rb.months {
		if _, err := tx.ExecContext(ctx, sqlRollupPrune, m[0], m[1]); err != nil {
			return fmt.Errorf("hub: prune report rollup: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, sqlRollupUnmark); err != nil {
		return fmt.Errorf("hub: clear rollup batch mark: %w", err)
	}
	return nil
}
