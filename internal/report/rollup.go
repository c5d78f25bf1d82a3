package report

import (
	"context"
	"fmt"
	"strings"
)

// RollupTable holds the live activities summed by month and organization:
// in total (dim "total", with the reach by sex and age band), and by kind,
// country and theme (dims "kind", "country", "theme", the code in key).
// Triggers on the activities table keep it in step with every insert,
// update and delete, so reading it gives the same figures as reading the
// activities, from a few rows per organization and month. [Compute] uses it
// for the whole months of a period when it exists and the filter needs no
// visibility or status.
//
// The triggers see every change made with INSERT, UPDATE (including
// INSERT … ON CONFLICT DO UPDATE) and DELETE. INSERT OR REPLACE removes the
// old row without firing delete triggers unless PRAGMA recursive_triggers is
// on: writers of the activities table must upsert instead.
const RollupTable = "activity_rollup"

// RollupSQL creates [RollupTable], its triggers, and fills it from the
// activities already stored. Run it once, in one transaction: a schema
// migration.
var RollupSQL = rollupSQL()

// rollupDims are the rollup's dimensions other than themes, each with the
// activity column that is its key ("" for the total).
var rollupDims = []struct{ dim, column string }{{"total", ""}, {"kind", "kind"}, {"country", "country"}}

// rollupSQL writes [RollupSQL] from [RollupSums] and the dimensions: the
// table, an insert trigger that adds the new row to each dimension, a
// delete trigger that takes the old row away (and drops emptied rows), an
// update trigger that does both, and the statements that fill the table.
func rollupSQL() string {
	var cols, adds, subs, subsPerTheme, newSums []string
	themeCount := "(SELECT count(*) FROM json_each(old.themes) t WHERE t.value = " + RollupTable + ".key)"
	for _, c := range RollupSums {
		cols = append(cols, "\t"+c+" INTEGER NOT NULL,")
		adds = append(adds, c+" = "+c+" + excluded."+c)
		subs = append(subs, c+" = "+c+" - old."+c)
		subsPerTheme = append(subsPerTheme, c+" = "+c+" - old."+c+" * "+themeCount)
		newSums = append(newSums, "new."+c)
	}
	insertInto := "INSERT INTO " + RollupTable + " (dim, month, org_id, key, n, " + strings.Join(RollupSums, ", ") + ")"
	add := func(dim, key, from string) string {
		return "\t" + insertInto + "\n\tSELECT '" + dim + "', substr(new.start_date, 1, 7), new.org_id, " + key + ", 1, " +
			strings.Join(newSums, ", ") + from + " WHERE new.deleted = 0\n" +
			"\tON CONFLICT DO UPDATE SET n = n + excluded.n, " + strings.Join(adds, ", ") + ";\n"
	}
	var addNew, takeOld strings.Builder
	for _, d := range rollupDims {
		newKey, oldKey := "''", "''"
		if d.column != "" {
			newKey, oldKey = "new."+d.column, "old."+d.column
		}
		addNew.WriteString(add(d.dim, newKey, ""))
		takeOld.WriteString("\tUPDATE " + RollupTable + " SET n = n - 1, " + strings.Join(subs, ", ") + "\n" +
			"\tWHERE old.deleted = 0 AND dim = '" + d.dim + "' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND key = " + oldKey + ";\n")
	}
	addNew.WriteString(add("theme", "t.value", " FROM json_each(new.themes) t"))
	takeOld.WriteString("\tUPDATE " + RollupTable + " SET n = n - " + themeCount + ", " + strings.Join(subsPerTheme, ", ") + "\n" +
		"\tWHERE old.deleted = 0 AND dim = 'theme' AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id\n" +
		"\t\tAND key IN (SELECT value FROM json_each(old.themes));\n" +
		"\tDELETE FROM " + RollupTable + " WHERE n = 0 AND month = substr(old.start_date, 1, 7) AND org_id = old.org_id AND dim IN ('total', 'kind', 'country', 'theme');\n")

	var b strings.Builder
	b.WriteString("CREATE TABLE " + RollupTable + " (\n\tdim TEXT NOT NULL,\n\tmonth TEXT NOT NULL,\n\torg_id TEXT NOT NULL,\n\tkey TEXT NOT NULL,\n\tn INTEGER NOT NULL,\n" +
		strings.Join(cols, "\n") + "\n\tPRIMARY KEY (dim, month, org_id, key)\n) WITHOUT ROWID;\n\n")
	b.WriteString("CREATE TRIGGER " + TriggerInsert + " AFTER INSERT ON activities BEGIN\n" + addNew.String() + "END;\n\n")
	b.WriteString("CREATE TRIGGER " + TriggerDelete + " AFTER DELETE ON activities BEGIN\n" + takeOld.String() + "END;\n\n")
	b.WriteString("CREATE TRIGGER " + TriggerUpdate + " AFTER UPDATE OF deleted, start_date, org_id, kind, country, themes, " +
		strings.Join(RollupSums, ", ") + " ON activities BEGIN\n" + takeOld.String() + addNew.String() + "END;\n\n")
	for _, q := range GroupedSQL("", "activities a", ", ", "a.deleted = 0") {
		b.WriteString(q + ";\n")
	}
	return b.String()
}

// HasRollup reports whether q's database has [RollupTable] and the report
// index [IndexName], which a database's migrations make together.
func HasRollup(ctx context.Context, q Querier) (bool, error) {
	rollup, _, err := lookForRollup(ctx, q)
	return rollup, err
}

// lookForRollup is [HasRollup], and also says whether the database takes
// SQLite's index hints (INDEXED BY): SQLite's own schema table holds the
// SQL of the rollup table and index, while the sqlite_master view a hub's
// PostgreSQL migrations make in its place holds none, and PostgreSQL has
// no index hints.
func lookForRollup(ctx context.Context, q Querier) (rollup, hints bool, err error) {
	rows, err := q.QueryContext(ctx, "SELECT count(*), count(sql) FROM sqlite_master WHERE (type = 'table' AND name = ?) OR (type = 'index' AND name = ?)", RollupTable, IndexName)
	if err != nil {
		return false, false, fmt.Errorf("report: look for rollup: %w", err)
	}
	defer rows.Close()
	var n, withSQL int
	for rows.Next() {
		if err := rows.Scan(&n, &withSQL); err != nil {
			return false, false, fmt.Errorf("report: look for rollup: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return false, false, fmt.Errorf("report: look for rollup: %w", err)
	}
	return n == 2, n == 2 && withSQL == 2, nil
}
