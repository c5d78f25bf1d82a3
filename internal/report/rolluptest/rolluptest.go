// Package rolluptest reads the report rollup for tests of the packages
// that keep it (the device store and the hub).
package rolluptest

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/internal/report"
)

// RollupRows returns db's rollup table or, with fromActivities, the rollup
// its live activities give when summed from scratch: one line of text per
// row, in one order, for tests to compare.
func RollupRows(tb testing.TB, db *sql.DB, fromActivities bool) []string {
	tb.Helper()
	q := "SELECT dim, month, org_id, key, n, " + strings.Join(report.RollupSums, ", ") + " FROM " + report.RollupTable
	if fromActivities {
		var sums []string
		for _, c := range report.RollupSums {
			sums = append(sums, "sum(a."+c+")")
		}
		var parts []string
		for _, d := range []struct{ dim, key, from string }{
			{"total", "''", "activities a"},
			{"kind", "a.kind", "activities a"},
			{"country", "a.country", "activities a"},
			{"theme", "t.value", "activities a, json_each(a.themes) t"},
		} {
			parts = append(parts, "SELECT '"+d.dim+"' AS dim, substr(a.start_date, 1, 7) AS month, a.org_id AS org_id, "+d.key+" AS key, count(*), "+
				strings.Join(sums, ", ")+" FROM "+d.from+" WHERE a.deleted = 0 GROUP BY 1, 2, 3, 4")
		}
		q = strings.Join(parts, " UNION ALL ")
	}
	rows, err := db.Query("SELECT * FROM (" + q + ") AS rollup ORDER BY dim, month, org_id, key")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var dim, month, org, key string
		vals := make([]int64, 1+len(report.RollupSums))
		ptrs := []any{&dim, &month, &org, &key}
		for i := range vals {
			ptrs = append(ptrs, &vals[i])
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		out = append(out, fmt.Sprint(dim, " ", month, " ", org, " ", key, " ", vals))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
