package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migration is one numbered step of a database's schema.
type Migration struct {
	// Version is the number the file's name starts with: 1, 2, 3, …
	Version int
	// Name is the file's name, for messages.
	Name string
	// SQL is the file's statements.
	SQL string
}

// ReadMigrations reads the .sql files of dir in fsys, named
// "NNNN_what.sql", and returns them in order. The numbers must run 1, 2, 3…
// without a gap: a database's schema version is the count of migrations
// applied to it.
func ReadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		b, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: want number %d", m.Name, i+1)
		}
	}
	return ms, nil
}

// NewerSchemaError is returned by [Migrate] for a database whose schema is
// newer than the migrations it was given: made by a newer program.
type NewerSchemaError struct {
	// Have is the database's schema version; Know is the newest the
	// migrations make.
	Have, Know int
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("the database's schema %d is newer than this version knows (%d)", e.Have, e.Know)
}

// Migrate applies, in tx, the migrations of ms the database has not had
// yet (its PRAGMA user_version counts those it has), records the new
// version and checks the foreign keys. It returns the version the database
// had before. A newer database is refused with a [*NewerSchemaError] and not
// changed.
func Migrate(ctx context.Context, tx *sql.Tx, ms []Migration) (before int, err error) {
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&before); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if before > len(ms) {
		return before, &NewerSchemaError{Have: before, Know: len(ms)}
	}
	if before == len(ms) {
		return before, nil
	}
	for _, m := range ms[before:] {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return before, fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(ms))); err != nil {
		return before, fmt.Errorf("record schema version: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return before, fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var table string
		var rowid sql.NullInt64
		var parent string
		var fk int
		_ = rows.Scan(&table, &rowid, &parent, &fk)
		return before, fmt.Errorf("foreign key check failed after migration %s: a row of %s refers to a missing row of %s", ms[len(ms)-1].Name, table, parent)
	}
	return before, rows.Err()
}
