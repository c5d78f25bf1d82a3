package pgdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/a20-network/fieldbook/internal/sqlitedb"
)

// migrationLock is the key of the advisory lock [Migrate] holds: any
// number, the same for every program that migrates a hub database.
const migrationLock int64 = 0x66627363686d61 // "fbschma"

// Migrate applies, in tx, the migrations of ms the database has not had
// yet, records the new version in table schema_version and returns the
// version the database had before, as [sqlitedb.Migrate] does for SQLite
// (the migrations are read with [sqlitedb.ReadMigrations]). A newer
// database is refused with a [*sqlitedb.NewerSchemaError] and not changed.
// PostgreSQL checks foreign keys itself, deferred ones when tx commits.
//
// Several hub processes starting together migrate once: Migrate first
// takes a transaction-scoped advisory lock, so each waits until the one
// before has committed or rolled back, and then reads the version that one
// left. tx must therefore be READ COMMITTED (PostgreSQL's default), where
// each statement sees what committed before it began; under REPEATABLE
// READ the version would be read from before the wait.
func Migrate(ctx context.Context, tx *sql.Tx, ms []sqlitedb.Migration) (before int, err error) {
	var iso string
	if err := tx.QueryRowContext(ctx, "SELECT current_setting('transaction_isolation')").Scan(&iso); err != nil {
		return 0, fmt.Errorf("pgdb: migrate: %w", err)
	}
	if iso != "read committed" {
		return 0, fmt.Errorf("pgdb: migrate needs a READ COMMITTED transaction, not %s", iso)
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
		return 0, fmt.Errorf("pgdb: migrate: wait for other migrations: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		one     boolean PRIMARY KEY DEFAULT true CHECK (one),
		version integer NOT NULL
	)`); err != nil {
		return 0, fmt.Errorf("pgdb: migrate: make table schema_version: %w", err)
	}
	err = tx.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&before)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("pgdb: read schema version: %w", err)
	}
	if before > len(ms) {
		return before, &sqlitedb.NewerSchemaError{Have: before, Know: len(ms)}
	}
	if before == len(ms) {
		return before, nil
	}
	for _, m := range ms[before:] {
		// Without arguments pgx sends the text as it is, so a migration may
		// hold several statements.
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return before, fmt.Errorf("pgdb: apply migration %s: %w", m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES ($1)
		ON CONFLICT (one) DO UPDATE SET version = excluded.version`, len(ms)); err != nil {
		return before, fmt.Errorf("pgdb: record schema version: %w", err)
	}
	return before, nil
}
