package pgdb

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/internal/pgtest"
	_ "modernc.org/sqlite"
)

// A portable pool takes SQLite's placeholders wherever a query goes: on
// the pool, in a transaction, in a prepared statement; PostgreSQL's own
// $1 passes through; a query Rebind refuses fails with its reason.
func TestOpenPortableRewritesEveryQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := ParseURL(pgtest.NewDB(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenPortable(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !IsPostgres(db) || !IsPortable(db) {
		t.Fatal("a portable pool is not told apart as PostgreSQL and portable")
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (k text PRIMARY KEY, n bigint NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO t (k, n) VALUES (?, ?), (?2 || 'x', ?)", "a", 1, 2); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.PrepareContext(ctx, "UPDATE t SET n = n + ? WHERE k = ?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ExecContext(ctx, 10, "a"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := db.QueryContext(ctx, "SELECT k || ':' || n FROM t WHERE n > $1 AND k <> '?' ORDER BY k", 0)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	rows.Close()
	if strings.Join(got, " ") != "1x:2 a:11" {
		t.Fatalf("rows %v", got)
	}
	if _, err := db.ExecContext(ctx, "SELECT 'unterminated ?"); err == nil || !strings.Contains(err.Error(), "rebind") {
		t.Fatalf("a query Rebind refuses: %v", err)
	}

	plain, err := Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	lite, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if !IsPostgres(plain) || IsPortable(plain) || IsPostgres(lite) {
		t.Fatal("Open's pool or SQLite's told apart wrongly")
	}
}
