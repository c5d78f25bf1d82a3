package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func openPair(t *testing.T, path string) (writer, reader *sql.DB) {
	t.Helper()
	w, err := Open(path, Writer, 4, Config{PageSize: 16384, TempInMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Reader, 2, Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return w, r
}

func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "Reports #2?", "x.db")
	if err := mkdirAll(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	w, r := openPair(t, path)
	if _, err := w.ExecContext(ctx, "CREATE TABLE t (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	if w.Stats().MaxOpenConnections != 1 {
		t.Errorf("writer pool holds %d connections, want 1", w.Stats().MaxOpenConnections)
	}
	for _, c := range []struct {
		pragma, want string
	}{{"journal_mode", "wal"}, {"foreign_keys", "1"}, {"synchronous", "1"}, {"page_size", "16384"}, {"busy_timeout", "10000"}} {
		var got string
		if err := w.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
	if _, err := r.ExecContext(ctx, "INSERT INTO t VALUES ('x')"); err == nil {
		t.Error("a reader connection wrote")
	}
	if res, err := IntegrityCheck(ctx, w); err != nil || res != "ok" {
		t.Errorf("integrity check = %q, %v", res, err)
	}
}

func TestInTxRollsBack(t *testing.T) {
	ctx := context.Background()
	w, _ := openPair(t, filepath.Join(t.TempDir(), "x.db"))
	if _, err := w.ExecContext(ctx, "CREATE TABLE t (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := InTx(ctx, w, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES ('x')"); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("InTx returned %v, want fn's error as it is", err)
	}
	var n int
	if err := w.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 0 {
		t.Fatalf("after a failed transaction the table holds %d rows (%v), want 0", n, err)
	}
}

func TestReadMigrationsRefusesGapsAndBadNames(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{
		"gap":      {"m/0001_a.sql": {Data: []byte("SELECT 1")}, "m/0003_c.sql": {Data: []byte("SELECT 1")}},
		"bad name": {"m/first.sql": {Data: []byte("SELECT 1")}},
	} {
		if _, err := ReadMigrations(files, "m"); err == nil {
			t.Errorf("%s: migrations read without an error", name)
		}
	}
	ms, err := ReadMigrations(fstest.MapFS{
		"m/0002_b.sql": {Data: []byte("B")}, "m/0001_a.sql": {Data: []byte("A")}, "m/README": {Data: []byte("x")},
	}, "m")
	if err != nil || len(ms) != 2 || ms[0].SQL != "A" || ms[1].Version != 2 {
		t.Fatalf("ReadMigrations = %+v, %v", ms, err)
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	w, _ := openPair(t, filepath.Join(t.TempDir(), "x.db"))
	ms := []Migration{
		{1, "0001_parent.sql", "CREATE TABLE p (id INTEGER PRIMARY KEY)"},
		{2, "0002_child.sql", "CREATE TABLE c (p INTEGER REFERENCES p(id))"},
	}
	migrate := func(ms []Migration) (int, error) {
		var before int
		err := InTx(ctx, w, func(tx *sql.Tx) (err error) {
			before, err = Migrate(ctx, tx, ms)
			return err
		})
		return before, err
	}
	if before, err := migrate(ms[:1]); err != nil || before != 0 {
		t.Fatalf("first migration: before %d, %v", before, err)
	}
	if before, err := migrate(ms); err != nil || before != 1 {
		t.Fatalf("second migration: before %d, %v", before, err)
	}
	// A database from a newer program is refused and left as it is.
	_, err := migrate(ms[:1])
	var newer *NewerSchemaError
	if !errors.As(err, &newer) || newer.Have != 2 || newer.Know != 1 {
		t.Fatalf("older migrations on a newer database: %v", err)
	}
	// A migration that leaves a dangling reference is rolled back.
	bad := append(ms, Migration{3, "0003_orphan.sql", "CREATE TABLE d (p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED); INSERT INTO d VALUES (42)"})
	if _, err := migrate(bad); err == nil || !strings.Contains(err.Error(), "foreign key check failed") {
		t.Fatalf("a migration leaving an orphan row: %v", err)
	}
	var version, rows int
	_ = w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	_ = w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = 'd'").Scan(&rows)
	if version != 2 || rows != 0 {
		t.Fatalf("after the refused migration: version %d, table d made %d times, want 2 and 0", version, rows)
	}
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }
