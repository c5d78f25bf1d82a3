package report_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/internal/report"
)

// rollupDB returns a new database with the tables the rollup reads: the
// activities (the columns the rollup uses) and meta.
func rollupDB(t *testing.T, name string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cols := "id TEXT PRIMARY KEY, deleted INTEGER, start_date TEXT, org_id TEXT, visibility TEXT, status TEXT, kind TEXT, country TEXT, themes TEXT"
	for _, c := range report.RollupSums {
		cols += ", " + c + " INTEGER"
	}
	if _, err := db.Exec("CREATE TABLE activities (" + cols + "); CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"); err != nil {
		t.Fatal(err)
	}
	return db
}

// triggers returns the SQL of db's triggers, by name.
func triggers(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		out = append(out, name+": "+def)
	}
	return out
}

// GuardedRollupSQL makes the triggers that GuardTriggers makes of the
// rollup's, for any of them: each named one with the batch condition
// once, the others without.
func TestGuardedRollupSQLIsWhatGuardTriggersMakes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all := []string{report.TriggerInsert, report.TriggerDelete, report.TriggerUpdate}
	for mask := range 1 << len(all) {
		var names []string
		for i, name := range all {
			if mask&(1<<i) != 0 {
				names = append(names, name)
			}
		}
		t.Run(fmt.Sprint(names), func(t *testing.T) {
			t.Parallel()
			guarded := rollupDB(t, "guarded.db")
			if _, err := guarded.Exec(report.RollupSQL); err != nil {
				t.Fatal(err)
			}
			tx, err := guarded.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := report.GuardTriggers(ctx, tx, names...); err != nil || !ok {
				t.Fatalf("GuardTriggers: %v, %v", ok, err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			made := rollupDB(t, "made.db")
			if _, err := made.Exec(report.GuardedRollupSQL(names...)); err != nil {
				t.Fatal(err)
			}
			want, got := triggers(t, guarded), triggers(t, made)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("GuardedRollupSQL(%v) makes\n%s\nGuardTriggers makes\n%s", names, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, def := range got {
				name, _, _ := strings.Cut(def, ":")
				if want := strings.Count(strings.Join(names, " "), name); strings.Count(def, report.RollupBatchWhen) != want {
					t.Errorf("%s has the batch condition %d times, want %d", name, strings.Count(def, report.RollupBatchWhen), want)
				}
			}
		})
	}
}
