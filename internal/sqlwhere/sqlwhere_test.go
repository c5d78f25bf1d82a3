package sqlwhere

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/a20-network/fieldbook/internal/sqlitedb"
)

func TestWhereBuildsWhatIsSet(t *testing.T) {
	var w Where
	if w.SQL() != "1" || len(w.Args()) != 0 {
		t.Fatalf("empty Where = %q %v, want 1 and no arguments", w.SQL(), w.Args())
	}
	w.Add("a.deleted = 0")
	w.Equal("a.kind", "")
	w.Equal("a.country", "MW")
	w.HasTheme("a", "")
	w.HasTheme("a", "education")
	w.StartsBetween("a", "2026-01-01", "")
	want := "a.deleted = 0 AND a.country = ? AND EXISTS (SELECT 1 FROM json_each(a.themes) WHERE value = ?) AND a.start_date >= ?"
	if w.SQL() != want {
		t.Errorf("SQL = %q\nwant  %q", w.SQL(), want)
	}
	if !reflect.DeepEqual(w.Args(), []any{"MW", "education", "2026-01-01"}) {
		t.Errorf("Args = %v", w.Args())
	}
}

// TestWhereSelectsTheRightRows runs the built conditions on a real SQLite
// database.
func TestWhereSelectsTheRightRows(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "w.db"), sqlitedb.Writer, 1, sqlitedb.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id TEXT, country TEXT, themes TEXT, start_date TEXT);
		INSERT INTO t VALUES ('a', 'MW', '["education","violence"]', '2026-01-10'),
			('b', 'MW', '["education"]', '2025-12-31'), ('c', 'TH', '["education"]', '2026-02-01'),
			('d', 'MW', '[]', '2026-03-01')`); err != nil {
		t.Fatal(err)
	}
	var w Where
	w.Equal("t.country", "MW")
	w.HasTheme("t", "education")
	w.StartsBetween("t", "2026-01-01", "2026-12-31")
	rows, err := db.QueryContext(ctx, "SELECT id FROM t WHERE "+w.SQL()+" ORDER BY id", w.Args()...)
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, rows)
	if !reflect.DeepEqual(got, []string{"a"}) {
		t.Fatalf("rows = %v, want [a]", got)
	}
}

func collect(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}
