package dashboard

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/internal/pgtest/pghub"
	"github.com/a20-network/fieldbook/internal/sqlitedb"
	"github.com/a20-network/fieldbook/sync/hub"
)

// The dashboard's tests run on the hub's database either way: SQLite in
// the hub's data folder, or, when the run keeps hubs on PostgreSQL
// (pgtest.HubEnv set to postgres), the PostgreSQL database pgtest gives
// that folder. These two helpers are the one place that tells them apart.

// openTestHub opens the hub of data folder dir as [hub.Open] does, on
// PostgreSQL when the run asks for it.
func openTestHub(t testing.TB, ctx context.Context, dir string, opts hub.Options) (*hub.Hub, error) {
	t.Helper()
	if opts.Postgres == nil {
		opts.Postgres = pghub.Config(t, dir)
	}
	return hub.Open(ctx, dir, opts)
}

// openTestDB opens the dashboard's own pool on the database of the hub of
// data folder dir, which a hub has opened (and so migrated) before, as
// fieldbook-hub opens it: SQLite's shared pool on the file, or a pool
// that rewrites ? placeholders on the PostgreSQL database. It is closed
// when t ends.
func openTestDB(t testing.TB, ctx context.Context, dir string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if c := pghub.Config(t, dir); c != nil {
		db, err = pgdb.OpenPortable(ctx, *c)
	} else {
		db, err = sqlitedb.Open(filepath.Join(dir, hub.DBFile), sqlitedb.Shared, 4, sqlitedb.Config{})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// onPostgres says whether this run keeps its hubs on PostgreSQL.
func onPostgres() bool { return pgtest.HubOnPostgres() }
