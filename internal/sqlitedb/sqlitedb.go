// Package sqlitedb opens Fieldbook's SQLite databases, the device's store and
// the hub's, the one way both need: the connection settings (busy timeout
// first, write-ahead log, foreign keys, synchronous NORMAL, immediate write
// transactions), one connection for writes and a small pool for reads,
// numbered migrations applied in one transaction with the foreign keys
// checked after, and the integrity check.
//
// It uses the pure-Go driver modernc.org/sqlite, so the hub builds without a
// C compiler.
package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Config is how a database's connections are set up. The zero Config is
// SQLite's defaults under the settings every Fieldbook database has.
type Config struct {
	// PageSize is the page size a new database is made with; an existing
	// database keeps its own. 0 leaves SQLite's default.
	PageSize int
	// CacheKiB is each connection's page cache in KiB; 0 leaves SQLite's
	// default (2 MiB).
	CacheKiB int
	// ReaderCacheKiB, when not 0, is the readers' page cache instead of
	// CacheKiB.
	ReaderCacheKiB int
	// TempInMemory keeps sorts and temporary tables in memory.
	TempInMemory bool
	// MmapReaders maps the file into the readers' memory (256 MiB at most)
	// instead of copying pages through read(2).
	MmapReaders bool
	// CheckpointPages is how many pages the write-ahead log may hold before
	// a commit copies it into the database; 0 leaves SQLite's default.
	CheckpointPages int
}

// Role is what a pool of connections is for.
type Role int

const (
	// Writer is the one connection that writes: its transactions start
	// IMMEDIATE, so a transaction never fails to upgrade its lock.
	Writer Role = iota
	// Reader connections may only read (query_only).
	Reader
	// Shared connections may write too: for a part of a program that writes
	// rarely beside its reads (the dashboard's sign-ins), each transaction
	// IMMEDIATE like the writer's.
	Shared
)

// DSN is the data source name of the database at path for role.
func DSN(path string, role Role, c Config) string {
	q := url.Values{}
	// busy_timeout first so every later pragma already waits on a lock.
	q.Add("_pragma", "busy_timeout(10000)")
	// The driver runs the _pragma list sorted by name and the journal mode
	// after it, so the page size is set before WAL mode writes the header of
	// a new database. An existing database keeps its page size.
	if role != Reader && c.PageSize > 0 {
		q.Add("_pragma", fmt.Sprintf("page_size(%d)", c.PageSize))
	}
	q.Add("_journal_mode", "WAL")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	cache := c.CacheKiB
	if role == Reader && c.ReaderCacheKiB != 0 {
		cache = c.ReaderCacheKiB
	}
	if cache > 0 {
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", cache))
	}
	if c.TempInMemory {
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	switch role {
	case Reader:
		q.Add("_pragma", "query_only(ON)")
		if c.MmapReaders {
			q.Add("_pragma", "mmap_size(268435456)")
		}
	default:
		if c.CheckpointPages > 0 {
			q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", c.CheckpointPages))
		}
		q.Add("_txlock", "immediate")
	}
	return "file:" + uriPath.Replace(path) + "?" + q.Encode()
}

// uriPath escapes the characters that end or change a path in an SQLite
// "file:" URI, so that a folder named "Reports #2?" opens where it says.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// Open opens a pool of conns connections for role on the database at path
// (a Writer pool always has exactly one). Connections are made when first
// used; the writer's is kept open for the pool's life.
func Open(path string, role Role, conns int, c Config) (*sql.DB, error) {
	db, err := sql.Open("sqlite", DSN(path, role, c))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if role == Writer {
		conns = 1
		db.SetConnMaxIdleTime(0)
	}
	db.SetMaxOpenConns(conns)
	return db, nil
}

// InTx runs fn in one transaction on db, committing if fn returns nil and
// rolling back otherwise. fn's error is returned as it is.
func InTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check on db and returns its first
// line ("ok" for a healthy database).
func IntegrityCheck(ctx context.Context, db *sql.DB) (string, error) {
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return "", fmt.Errorf("integrity check: %w", err)
	}
	return res, nil
}
