package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// The rollup's triggers run four upserts for every inserted activity and
// eight for every updated one. A writer that changes many activities in one
// transaction can instead keep the rollup itself: it guards the triggers
// once with [GuardTriggers], sets [RollupBatchKey] in its meta table inside
// the transaction (the guarded triggers skip while it is set), adds or takes
// away the batch with [GroupedSQL], and clears the key before committing.

// RollupBatchKey is the meta key a writer sets while it keeps the rollup
// itself.
const RollupBatchKey = "rollup_batch"

// RollupBatchWhen is the condition [GuardTriggers] gives the rollup's
// triggers.
const RollupBatchWhen = "WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = '" + RollupBatchKey + "')"

// RollupSums lists the reach columns the rollup sums, in its column order.
var RollupSums = []string{"girls_0_5", "girls_6_11", "girls_12_17", "boys_0_5", "boys_6_11", "boys_12_17",
	"unrecorded_0_5", "unrecorded_6_11", "unrecorded_12_17", "adults"}

// Rollup trigger names, as [RollupSQL] creates them.
const (
	TriggerInsert = "activity_rollup_ai"
	TriggerDelete = "activity_rollup_ad"
	TriggerUpdate = "activity_rollup_au"
)

// triggerHeads is the text each trigger has just before BEGIN, where the
// guard goes.
var triggerHeads = map[string]string{
	TriggerInsert: "AFTER INSERT ON activities BEGIN",
	TriggerDelete: "AFTER DELETE ON activities BEGIN",
	TriggerUpdate: " ON activities BEGIN",
}

// GuardedRollupSQL is [RollupSQL] with the named triggers already given the
// [RollupBatchWhen] condition, as [GuardTriggers] would give it.
func GuardedRollupSQL(names ...string) string {
	sql := RollupSQL
	for _, name := range names {
		head := triggerHeads[name]
		// The head is the first after the trigger's name: the update
		// trigger's names its columns in between.
		start := strings.Index(sql, "CREATE TRIGGER "+name+" ")
		at := start + strings.Index(sql[start:], head)
		sql = sql[:at] + strings.TrimSuffix(head, "BEGIN") + RollupBatchWhen + " BEGIN" + sql[at+len(head):]
	}
	return sql
}

// GuardTriggers gives the named rollup triggers the [RollupBatchWhen]
// condition when they do not have it yet, in tx. It reports false, changing
// nothing more, when the database has no such trigger or one whose text it
// does not recognise: the caller then leaves the rollup to the triggers.
func GuardTriggers(ctx context.Context, tx *sql.Tx, names ...string) (bool, error) {
	for _, name := range names {
		head, known := triggerHeads[name]
		var def string
		err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", name).Scan(&def)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("report: look for rollup trigger %s: %w", name, err)
		}
		if strings.Contains(def, RollupBatchWhen) {
			continue
		}
		if !known || !strings.Contains(def, head) {
			return false, nil
		}
		def = strings.Replace(def, head, strings.TrimSuffix(head, "BEGIN")+RollupBatchWhen+" BEGIN", 1)
		if _, err := tx.ExecContext(ctx, "DROP TRIGGER "+name); err != nil {
			return false, fmt.Errorf("report: guard rollup trigger %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return false, fmt.Errorf("report: guard rollup trigger %s: %w", name, err)
		}
	}
	return true, nil
}

// GroupedSQL returns one upsert per dimension (total, kind, country, theme)
// that adds sign ("" or "-") times the live activities read from from (an
// activities table aliased a, possibly joined) and selected by where, to
// the rollup: the figures the triggers add row by row for an insert, or
// take away for a delete. join joins each activity to its themes, such as
// ", " or " CROSS JOIN ".
func GroupedSQL(sign, from, join, where string) []string {
	return groupedSQL(sign, from, join, where, false)
}

// PortableGroupedSQL is [GroupedSQL] in SQL that PostgreSQL takes too: its
// upserts name their conflict target and the rollup's columns by table.
// (GroupedSQL itself stays as the migrations that use it were written.)
func PortableGroupedSQL(sign, from, join, where string) []string {
	return groupedSQL(sign, from, join, where, true)
}

func groupedSQL(sign, from, join, where string, portable bool) []string {
	var sums, sets []string
	old, target := "", ""
	if portable {
		old, target = RollupTable+".", " (dim, month, org_id, key)"
	}
	for _, c := range RollupSums {
		sums = append(sums, sign+"sum(a."+c+")")
		sets = append(sets, c+" = "+old+c+" + excluded."+c)
	}
	var out []string
	for _, d := range []struct{ dim, key, from string }{
		{"total", "''", from},
		{"kind", "a.kind", from},
		{"country", "a.country", from},
		{"theme", "t.value", from + join + "json_each(a.themes) t"},
	} {
		out = append(out, "INSERT INTO "+RollupTable+" (dim, month, org_id, key, n, "+strings.Join(RollupSums, ", ")+")"+
			" SELECT '"+d.dim+"', substr(a.start_date, 1, 7), a.org_id, "+d.key+", "+sign+"count(*), "+strings.Join(sums, ", ")+
			" FROM "+d.from+" WHERE "+where+" GROUP BY 2, 3, 4"+
			" ON CONFLICT"+target+" DO UPDATE SET n = "+old+"n + excluded.n, "+strings.Join(sets, ", "))
	}
	return out
}
