package pgdb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/internal/sqlitedb"
)

func migrate(ctx context.Context, db *sql.DB, ms []sqlitedb.Migration) (before int, err error) {
	err = InTx(ctx, db, nil, func(tx *sql.Tx) (err error) {
		before, err = Migrate(ctx, tx, ms)
		return err
	})
	return before, err
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "")
	ms := []sqlitedb.Migration{
		{Version: 1, Name: "0001_parent.sql", SQL: "CREATE TABLE p (id integer PRIMARY KEY); INSERT INTO p VALUES (1)"},
		{Version: 2, Name: "0002_child.sql", SQL: "CREATE TABLE c (p integer REFERENCES p (id))"},
	}
	if before, err := migrate(ctx, db, ms[:1]); err != nil || before != 0 {
		t.Fatalf("first migration: before %d, %v", before, err)
	}
	if before, err := migrate(ctx, db, ms); err != nil || before != 1 {
		t.Fatalf("second migration: before %d, %v", before, err)
	}
	if before, err := migrate(ctx, db, ms); err != nil || before != 2 {
		t.Fatalf("migrating a database that is up to date: before %d, %v", before, err)
	}
	// A database from a newer program is refused and left as it is.
	_, err := migrate(ctx, db, ms[:1])
	var newer *sqlitedb.NewerSchemaError
	if !errors.As(err, &newer) || newer.Have != 2 || newer.Know != 1 {
		t.Fatalf("older migrations on a newer database: %v", err)
	}
	// A migration that leaves a dangling reference is rolled back whole.
	bad := append(ms, sqlitedb.Migration{Version: 3, Name: "0003_orphan.sql",
		SQL: "CREATE TABLE d (p integer REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED); INSERT INTO d VALUES (42)"})
	if _, err := migrate(ctx, db, bad); Code(err) != "23503" { // foreign_key_violation
		t.Fatalf("a migration leaving an orphan row: %v, want SQLSTATE 23503", err)
	}
	var version int
	var d sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT version, to_regclass('d')::text FROM schema_version").Scan(&version, &d); err != nil {
		t.Fatal(err)
	}
	if version != 2 || d.Valid {
		t.Fatalf("after the refused migration: version %d, table d %v; want 2 and no table", version, d.String)
	}
}

func TestMigrateNeedsReadCommitted(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "")
	err := InTx(ctx, db, &sql.TxOptions{Isolation: sql.LevelRepeatableRead}, func(tx *sql.Tx) error {
		_, err := Migrate(ctx, tx, nil)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "READ COMMITTED") {
		t.Fatalf("Migrate under REPEATABLE READ: %v", err)
	}
}

// TestHubsStartingTogetherMigrateOnce starts several hubs, each with its
// own pool of connections as a hub process has, on one new database at
// once. The first migration takes a while and cannot run twice (a second
// CREATE TABLE fails), so without the lock the others would fail or apply
// it again.
func TestHubsStartingTogetherMigrateOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDB(t).URL
	ms := []sqlitedb.Migration{
		{Version: 1, Name: "0001_slow.sql", SQL: "SELECT pg_sleep(0.3); CREATE TABLE applied (n integer); INSERT INTO applied VALUES (1)"},
		{Version: 2, Name: "0002_more.sql", SQL: "INSERT INTO applied VALUES (2)"},
	}
	const hubs = 4
	befores := make([]int, hubs)
	errs := make([]error, hubs)
	dbs := make([]*sql.DB, hubs)
	var wg sync.WaitGroup
	for i := range hubs {
		c, err := ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		db, err := Open(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
		wg.Go(func() { befores[i], errs[i] = migrate(ctx, db, ms) })
	}
	wg.Wait()
	migrated := 0
	for i := range hubs {
		if errs[i] != nil {
			t.Errorf("hub %d: %v", i, errs[i])
		}
		if befores[i] == 0 {
			migrated++
		} else if befores[i] != len(ms) {
			t.Errorf("hub %d found version %d, want 0 or %d", i, befores[i], len(ms))
		}
	}
	var rows int
	if err := dbs[0].QueryRowContext(ctx, "SELECT count(*) FROM applied").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if migrated != 1 || rows != 2 {
		t.Errorf("%d hubs migrated, leaving %d rows; want 1 hub and 2 rows", migrated, rows)
	}
}
