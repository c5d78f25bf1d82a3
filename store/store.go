// Package store is the device's SQLite database: schema and migrations, the
// records of the data model, the outbox of local changes that sync drains,
// search and report queries.
//
// Every local write goes through a [Store] method that validates the record,
// writes it and appends what changed to the outbox in one transaction, so a
// crash leaves either the whole change or none of it. All methods are safe for
// concurrent use: writes are serialised on one connection, reads use a pool.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/internal/sqlitedb"
	"github.com/a20-network/fieldbook/model"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrNotFound is returned by lookups of a record that does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrNewerSchema is returned by [Open] for a database written by a newer
// Fieldbook; the file is left untouched.
var ErrNewerSchema = errors.New("store: database was written by a newer version of Fieldbook")

// Options configure [Open].
type Options struct {
	// Now reads the wall clock; nil means time.Now. Tests inject it.
	Now func() time.Time
	// LowMemory keeps the store's share of resident memory small and
	// steady, for the desktop app that runs all day beside other
	// programs: each connection keeps a small page cache (readers 2 MiB,
	// the writer 4 MiB) and readers read the file through the operating
	// system's cache instead of mapping it, so pages read once while
	// scrolling are not counted against the app. Queries that touch much
	// of the database are a little slower (see BenchmarkSearchLowMemory).
	LowMemory bool
	// Preparer checks an attached file's type from its content and makes
	// the copy to send and the thumbnail ([Store.AttachFile]); nil means
	// [FileChecks].
	Preparer Preparer
}

// Store is the device database. Close it when done.
type Store struct {
	path   string
	writer *sql.DB // exactly one connection: SQLite allows one writer
	reader *sql.DB
	clock  *hlc.Clock
	now    func() time.Time
	devmu  sync.RWMutex // guards device
	device string
	// groupInsert inserts insertGroup activities: the batch insert's
	// statement, parsed once per store instead of once per transaction.
	groupInsert *sql.Stmt
	// files is the folder of attached files' bytes, next to the database.
	files    string
	preparer Preparer
}

// DefaultDataDir returns the folder Fieldbook keeps its data in when --data
// is not given: "fieldbook" under the user's configuration folder.
func DefaultDataDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("store: find configuration folder: %w", err)
	}
	return filepath.Join(dir, "fieldbook"), nil
}

// DBFile is the database's file name inside the data folder.
const DBFile = "fieldbook.db"

// OpenDir opens (creating if needed) the database in data folder dir.
func OpenDir(ctx context.Context, dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data folder %s: %w", dir, err)
	}
	return Open(ctx, filepath.Join(dir, DBFile), opts)
}

// newPageSize is the page size of a new database. Larger pages mean fewer
// pages, log frames and B-tree splits for a batch of new records.
const newPageSize = 16384

// walCheckpointBytes is how much the write-ahead log may hold before a
// commit copies it into the database.
const walCheckpointBytes = 32 << 20

// connConfig is how the device database's connections are set up;
// lowMemory is [Options.LowMemory].
func connConfig(pageSize int, lowMemory bool) sqlitedb.Config {
	c := sqlitedb.Config{
		PageSize: newPageSize,
		// Sorts and IN lists of a search stay in memory, never in temp files.
		TempInMemory: true,
		// Counted in pages: the same size of log whatever the page size.
		CheckpointPages: walCheckpointBytes / pageSize,
	}
	if lowMemory {
		// A low-memory store keeps less and leans on the operating
		// system's file cache, and does not map the file.
		c.CacheKiB, c.ReaderCacheKiB = 4096, 2048
	} else {
		// A 64 MiB page cache per connection keeps the indexes of a large
		// database in memory; SQLite allocates it only as pages are used.
		c.CacheKiB = 65536
		c.MmapReaders = true
	}
	return c
}

// Open opens the database at path, creating it if needed, and applies any
// pending migrations in one transaction. A database whose schema is newer
// than this build knows is refused with [ErrNewerSchema] and not modified.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	pageSize, err := checkHeader(path)
	if err != nil {
		return nil, err
	}
	conf := connConfig(pageSize, opts.LowMemory)
	writer, err := sqlitedb.Open(path, sqlitedb.Writer, 1, conf)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s := &Store{path: path, writer: writer, now: now, files: filepath.Join(filepath.Dir(path), FilesDir), preparer: cmp.Or[Preparer](opts.Preparer, FileChecks{})}
	if err := s.migrate(ctx); err != nil {
		writer.Close()
		return nil, err
	}
	// Prepared on the writer's one connection while no transaction holds it.
	if s.groupInsert, err = writer.PrepareContext(ctx, activitySpec.insertSQL(insertGroup)); err != nil {
		writer.Close()
		return nil, fmt.Errorf("store: prepare activity insert: %w", err)
	}
	reader, err := sqlitedb.Open(path, sqlitedb.Reader, 4, conf)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: reading: %w", err)
	}
	s.reader = reader
	if s.device, err = s.deviceID(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if _, err = s.checkLocation(ctx); err != nil {
		s.Close()
		return nil, err
	}
	last, err := s.lastHLC(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	// Never issue a timestamp at or before one already stored, even if the
	// wall clock went back while the app was closed: until the wall clock
	// passes the stored reading again, the clock counts on from it.
	floor := last.Wall
	s.clock = hlc.New(s.device, func() time.Time {
		t := now()
		if t.UnixMilli() < floor {
			return time.UnixMilli(floor)
		}
		return t
	})
	if !last.IsZero() {
		if err := s.clock.Observe(last); err != nil {
			s.Close()
			return nil, fmt.Errorf("store: restore clock: %w", err)
		}
	}
	return s, nil
}

// checkHeader refuses a database whose file header records a schema newer
// than this build knows, before SQLite opens it: opening switches the file
// to WAL mode, which would rewrite the header of a database in rollback
// mode. A database with a write-ahead log may hold a newer version there;
// [Store.migrate] checks that one inside its transaction, and opening such a
// database changes nothing since it is already in WAL mode. It returns the
// database's page size, or newPageSize for a database not made yet.
func checkHeader(path string) (pageSize int, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newPageSize, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: open %s: %w", path, err)
	}
	defer f.Close()
	var header [100]byte
	if _, err := io.ReadFull(f, header[:]); err != nil {
		return newPageSize, nil // empty or too short to be a database yet: SQLite decides
	}
	if string(header[:16]) != "SQLite format 3\x00" {
		return 0, fmt.Errorf("store: %s is not a Fieldbook database", path)
	}
	// The user_version pragma is the big-endian integer at offset 60.
	if v, known := int(binary.BigEndian.Uint32(header[60:64])), SchemaVersion(); v > known {
		return 0, fmt.Errorf("%w (schema %d, this version knows up to %d); update Fieldbook", ErrNewerSchema, v, known)
	}
	// The page size is the big-endian number at offset 16; 1 means 65536.
	pageSize = int(binary.BigEndian.Uint16(header[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 {
		return newPageSize, nil // not a valid size: SQLite will refuse the file
	}
	return pageSize, nil
}

// Close closes the database. Pending writes have already committed.
func (s *Store) Close() error {
	// SQLite's advice for connections that live long: refresh the
	// planner's statistics before closing (cheap: SQLite samples a few
	// hundred rows per index, and only where the data changed enough).
	var errs []error
	if err := s.Optimize(context.Background()); err != nil {
		errs = append(errs, err)
	}
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	if s.groupInsert != nil {
		errs = append(errs, s.groupInsert.Close())
	}
	errs = append(errs, s.writer.Close())
	return errors.Join(errs...)
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// DeviceID returns this database's device id, made once when it was created.
// It changes only through [Store.SetDeviceID].
func (s *Store) DeviceID() string {
	s.devmu.RLock()
	defer s.devmu.RUnlock()
	return s.device
}

// SetDeviceID gives this database the device id the hub assigned it: at
// enrollment when the hub chose the id, or when the hub found that this
// database is a copy of another device's and made it a device of its own.
// Records made from now on carry the new id as their creator and clock
// node; records already made keep theirs, except those whose creation still
// waits in the outbox: no hub has seen them, and a hub accepts a new record
// only from the device it names as creator.
func (s *Store) SetDeviceID(ctx context.Context, id string) error {
	if id == "" || len(id) > 64 {
		return fmt.Errorf("store: set device id: %q is not 1 to 64 characters", id)
	}
	s.devmu.Lock()
	defer s.devmu.Unlock()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('device_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", id); err != nil {
			return err
		}
		ids, err := deviceIDsTx(ctx, tx, s.device)
		if err != nil {
			return err
		}
		if id != s.device {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('former_ids', ?)
				ON CONFLICT (key) DO UPDATE SET value = value || ' ' || excluded.value`, s.device); err != nil {
				return err
			}
		}
		// Records whose creation is still unsent name the new id as their
		// creator, whichever id this database had when it made them.
		mine, _ := json.Marshal(ids)
		for _, sp := range specs {
			if _, err := tx.ExecContext(ctx, "UPDATE "+sp.Table+" SET created_by = ?1 WHERE created_by IN (SELECT value FROM json_each(?2)) AND id IN "+
				"(SELECT record_id FROM outbox WHERE entity = ?3 AND op = ?4)", id, string(mine), sp.Entity, OpCreate); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, "UPDATE outbox SET changes = json_set(changes, '$.created_by.new', ?1) "+
			"WHERE op = ?2 AND changes != '' AND json_extract(changes, '$.created_by.new') IN (SELECT value FROM json_each(?3))", id, OpCreate, string(mine))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set device id: %w", err)
	}
	s.device = id
	s.clock.SetNode(id)
	return nil
}

// Clock returns the store's hybrid logical clock.
func (s *Store) Clock() *hlc.Clock { return s.clock }

// Now returns the store's wall clock reading.
func (s *Store) Now() time.Time { return s.now() }

// migrations returns the embedded migrations in order, read once per
// process: every Open checks the schema version and migrates.
var migrations = sync.OnceValues(func() ([]sqlitedb.Migration, error) {
	ms, err := sqlitedb.ReadMigrations(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return ms, nil
})

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := sqlitedb.Migrate(ctx, tx, ms); err != nil {
			var newer *sqlitedb.NewerSchemaError
			if errors.As(err, &newer) {
				return fmt.Errorf("%w (schema %d, this version knows up to %d); update Fieldbook", ErrNewerSchema, newer.Have, newer.Know)
			}
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// inTx runs fn in one write transaction, committing if fn returns nil and
// rolling back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return sqlitedb.InTx(ctx, s.writer, fn)
}

func (s *Store) deviceID(ctx context.Context) (string, error) {
	var id string
	err := s.writer.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'device_id'").Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: read device id: %w", err)
	}
	id = model.NewID()
	if _, err := s.writer.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('device_id', ?)", id); err != nil {
		return "", fmt.Errorf("store: save device id: %w", err)
	}
	return id, nil
}

// lastHLC returns the highest clock reading this store has issued or
// accepted, as recorded by [Store.persistHLC].
func (s *Store) lastHLC(ctx context.Context) (hlc.Timestamp, error) {
	var last string
	err := s.reader.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'hlc'").Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return hlc.Timestamp{}, nil
	}
	if err != nil {
		return hlc.Timestamp{}, fmt.Errorf("store: read last clock: %w", err)
	}
	ts, err := hlc.Parse(last)
	if err != nil {
		return hlc.Timestamp{}, fmt.Errorf("store: read last clock: %w", err)
	}
	return ts, nil
}

// Setting returns the device setting key, or ok=false when it is not set.
func (s *Store) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = s.reader.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", "setting."+key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: read setting %s: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores a device setting such as the chosen language.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.writer.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", "setting."+key, value)
	if err != nil {
		return fmt.Errorf("store: save setting %s: %w", key, err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns its first line
// ("ok" for a healthy database).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	res, err := sqlitedb.IntegrityCheck(ctx, s.writer)
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return res, nil
}

// Optimize asks SQLite to refresh the statistics its query planner uses
// (PRAGMA optimize) where the data changed enough since they were last
// taken. [Store.Close] runs it, so an import's or a first pull's rows are
// counted by the next start; the sync engine runs it after a pull that
// brought many records.
func (s *Store) Optimize(ctx context.Context) error {
	if _, err := s.writer.ExecContext(ctx, "PRAGMA optimize"); err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	return nil
}
