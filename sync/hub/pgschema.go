package hub

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"sync"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/sqlitedb"
)

// pgMigrationFS holds the hub's schema on PostgreSQL: every table, index,
// view and trigger the SQLite hub has after its migrations and at open
// (dashboard users and sessions, the report rollup), the change counter
// of package changeseq, and the tables of [PGStore]. The first file says
// how the list maps to SQLite's.
//
//go:embed pgmigrations/*.sql
var pgMigrationFS embed.FS

// pgMigrations are the hub's numbered migrations on PostgreSQL, read once.
var pgMigrations = sync.OnceValues(func() ([]sqlitedb.Migration, error) {
	ms, err := sqlitedb.ReadMigrations(pgMigrationFS, "pgmigrations")
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	return ms, nil
})

// MigratePostgres applies to db the hub's PostgreSQL migrations it has not
// had yet, in one transaction, and returns the version it had before. Hub
// processes starting together on one database migrate once (see
// [pgdb.Migrate]); a database migrated by a newer hub is refused with a
// [*sqlitedb.NewerSchemaError] and not changed.
//
// [Open] calls it for a hub on PostgreSQL; tests and the copy between
// databases call it on a database of their own.
func MigratePostgres(ctx context.Context, db *sql.DB) (before int, err error) {
	ms, err := pgMigrations()
	if err != nil {
		return 0, err
	}
	err = pgdb.InTx(ctx, db, nil, func(tx *sql.Tx) (err error) {
		before, err = pgdb.Migrate(ctx, tx, ms)
		return err
	})
	if err != nil {
		return before, fmt.Errorf("hub: migrate PostgreSQL database: %w", err)
	}
	return before, nil
}
