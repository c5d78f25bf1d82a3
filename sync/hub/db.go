// Package hub is the Fieldbook hub: the server every device syncs with. It
// keeps its own SQLite database (one writer connection, WAL), merges pushed
// changes field by field against the version they were made from, keeps
// conflicts, enrolls devices with one-time codes and serves the sync
// endpoint over HTTP.
//
// All methods of [Hub] are safe for concurrent use: writes are serialised
// on one connection, reads use a small pool.
package hub

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/sqlitedb"
	"github.com/a20-network/fieldbook/sync/protocol"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DBFile is the hub database's file name inside its data folder.
const DBFile = "hub.db"

// Options configure [Open].
type Options struct {
	// Now reads the wall clock; nil means time.Now.
	Now func() time.Time
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Files keeps the bytes of attached files; nil means a [DirStore] in
	// the data folder's [FilesDir].
	Files BlobStore
	// MaxFileSize is the largest file the hub takes, in bytes; 0 means
	// [DefaultMaxFileSize].
	MaxFileSize int64
	// OrgQuota is how many bytes of distinct files one organization's
	// records may refer to on the hub; 0 means [DefaultOrgQuota].
	OrgQuota int64
	// Postgres, when set, keeps the hub in the PostgreSQL database it
	// describes instead of SQLite in the data folder, and the files in it
	// too ([PGStore]) unless Files says otherwise: every hub process on
	// that database then serves the same network.
	Postgres *pgdb.Config
	// DetectType finds an uploaded file's media type from its whole
	// content (at most MaxFileSize bytes) and the name a record gives it,
	// or says why the network does not take it; nil means [DetectType].
	DetectType func(content []byte, name string) (string, error)
}

// Hub is the hub's database and logic. Close it when done.
type Hub struct {
	path string
	// pg says the hub runs on PostgreSQL: writer and reader are then one
	// pool of connections, shared by every hub process on the database.
	pg     bool
	writer *sql.DB // exactly one connection: SQLite allows one writer
	reader *sql.DB
	now    func() time.Time
	log    *slog.Logger
	epoch  string
	// lineage is read at open: see [lineageTx].
	lineage []protocol.EpochMark
	// stmts holds the frequent write statements, prepared on the writer
	// connection at open; read-only afterwards.
	stmts map[string]*sql.Stmt
	// codeKey is the secret key enrollment codes are hashed with (see
	// codeHash); read-only after open.
	codeKey []byte
	// enrollGate bounds enrollment attempts.
	enrollGate *enrollGate
	// beforeCommit, when set (by tests), runs in every write transaction
	// just before it commits: a test holds a transaction open with it, or
	// fails it as the database may.
	beforeCommit func(ctx context.Context, tx *sql.Tx) error
	// blobs keeps the files' bytes; maxFile, quota and detect are the
	// limits and type check of [Options]. Read-only after open.
	blobs          BlobStore
	maxFile, quota int64
	detect         func(content []byte, name string) (string, error)
}

// Open opens (creating if needed) the hub database in data folder dir and
// applies pending migrations. A new database gets a new epoch. With
// opts.Postgres the hub is in that database and dir is not used (it may
// be "").
func Open(ctx context.Context, dir string, opts Options) (*Hub, error) {
	if opts.Postgres == nil {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("hub: create data folder %s: %w", dir, err)
		}
	}
	h := &Hub{path: filepath.Join(dir, DBFile), now: opts.Now, log: opts.Logger,
		enrollGate: newEnrollGate(enrollAddrs, enrollBurst, enrollConcurrent, enrollEvery)}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.blobs, h.maxFile, h.quota, h.detect = opts.Files, cmp.Or(opts.MaxFileSize, DefaultMaxFileSize), cmp.Or(opts.OrgQuota, DefaultOrgQuota), opts.DetectType
	if h.detect == nil {
		h.detect = DetectType
	}
	var err error
	if opts.Postgres != nil {
		h.pg, h.path = true, opts.Postgres.Redacted()
		if h.writer, err = pgdb.OpenPortable(ctx, *opts.Postgres); err != nil {
			return nil, fmt.Errorf("hub: %w", err)
		}
		h.reader = h.writer
		h.enrollGate.db = h.writer
	} else {
		if h.writer, err = sqlitedb.Open(h.path, sqlitedb.Writer, 1, sqlitedb.Config{}); err != nil {
			return nil, fmt.Errorf("hub: %w", err)
		}
	}
	fail := func(err error) (*Hub, error) {
		h.Close()
		return nil, err
	}
	if err := h.migrate(ctx); err != nil {
		return fail(err)
	}
	if h.blobs == nil {
		if h.pg {
			h.blobs, err = NewPGStore(ctx, h.writer)
		} else {
			h.blobs, err = NewDirStore(filesDir(dir))
		}
		if err != nil {
			return fail(err)
		}
	}
	if err := h.ensureCodeKey(ctx); err != nil {
		return fail(err)
	}
	if err := h.backfillFileRefs(ctx); err != nil {
		return fail(err)
	}
	h.stmts = map[string]*sql.Stmt{}
	for _, q := range preparedQueries {
		st, err := h.writer.PrepareContext(ctx, q)
		if err != nil {
			return fail(fmt.Errorf("hub: prepare: %w", err))
		}
		h.stmts[q] = st
	}
	if !h.pg {
		if h.reader, err = sqlitedb.Open(h.path, sqlitedb.Reader, 4, sqlitedb.Config{}); err != nil {
			return fail(fmt.Errorf("hub: reading: %w", err))
		}
	}
	if h.epoch, err = h.ensureEpoch(ctx); err == nil {
		h.lineage, err = lineageTx(ctx, h.writer)
	}
	if err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// Close closes the database.
func (h *Hub) Close() error {
	var errs []error
	if h.reader != nil && h.reader != h.writer {
		errs = append(errs, h.reader.Close())
	}
	for _, st := range h.stmts {
		errs = append(errs, st.Close())
	}
	if h.writer != nil {
		errs = append(errs, h.writer.Close())
	}
	return errors.Join(errs...)
}

// Path returns the database file's path, or on PostgreSQL the database's
// URL without its password.
func (h *Hub) Path() string { return h.path }

// Postgres says whether the hub runs on PostgreSQL.
func (h *Hub) Postgres() bool { return h.pg }

// Epoch returns the hub's epoch: it changes when the hub is restored from a
// backup, which tells every device to pull everything again.
func (h *Hub) Epoch() string { return h.epoch }

// migrations are the hub database's numbered migrations, read once.
var migrations = sync.OnceValues(func() ([]sqlitedb.Migration, error) {
	ms, err := sqlitedb.ReadMigrations(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("hub: %w", err)
	}
	return ms, nil
})

func (h *Hub) migrate(ctx context.Context) error {
	if h.pg {
		_, err := MigratePostgres(ctx, h.writer)
		if err != nil {
			return fmt.Errorf("%w; update fieldbook-hub", err)
		}
		return nil
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	return h.inTx(ctx, func(tx writeTx) error {
		if _, err := sqlitedb.Migrate(ctx, tx.Tx, ms); err != nil {
			return fmt.Errorf("hub: %w; update fieldbook-hub", err)
		}
		return nil
	})
}

// inTx runs fn in one write transaction, committing if fn returns nil;
// the activity rows fn queued are written before the commit.
//
// On PostgreSQL, where several hub processes write at once, two locks keep
// the hub's writes as they are on SQLite's one writer:
//
//   - a transaction that hands out change numbers first locks the row of
//     the change counter ([sequence.load]), and holds it until it ends:
//     such transactions run one at a time, in the order they commit. Under
//     READ COMMITTED every statement after the lock sees everything
//     committed before it, so the merge, which reads the records it writes
//     only after taking its numbers, reads them as they are, and nothing
//     else can change them before it commits. And numbers, taken under the
//     lock, become visible in the order they were taken, so a pull's cursor
//     never passes a number still to commit (package changeseq's doc says
//     why: the lock is released only after the commit is visible);
//   - a sync first locks its device's row, so that two requests of one
//     device on two processes (a retry while the first still runs) take
//     turns and the second sees what the first applied.
//
// A transaction PostgreSQL ends with a serialization failure or deadlock
// is run again (pgdb.InTx), so fn must do nothing outside the transaction
// that cannot be done twice.
func (h *Hub) inTx(ctx context.Context, fn func(tx writeTx) error) error {
	run := func(tx *sql.Tx) error {
		wtx := writeTx{Tx: tx, h: h, acts: &activityRows{}, recs: &recordSet{}}
		if err := fn(wtx); err != nil {
			return err
		}
		if err := wtx.recs.insert(ctx, wtx); err != nil {
			return err
		}
		if err := wtx.acts.flush(ctx, wtx); err != nil {
			return err
		}
		if h.beforeCommit != nil {
			return h.beforeCommit(ctx, tx)
		}
		return nil
	}
	if h.pg {
		return pgdb.InTx(ctx, h.writer, nil, run)
	}
	return sqlitedb.InTx(ctx, h.writer, run)
}

func metaTx(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("hub: read %s: %w", key, err)
	}
	return v, nil
}

func setMetaTx(ctx context.Context, tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, key, value string) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	if err != nil {
		return fmt.Errorf("hub: save %s: %w", key, err)
	}
	return nil
}

func newEpoch() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// lineageTx returns the earlier epochs whose versions this hub's data
// holds, oldest first (see [protocol.EpochChange]).
func lineageTx(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) ([]protocol.EpochMark, error) {
	v, err := metaTx(ctx, q, "lineage")
	if err != nil || v == "" {
		return nil, err
	}
	var out []protocol.EpochMark
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		return nil, fmt.Errorf("hub: read lineage: %w", err)
	}
	return out, nil
}

func (h *Hub) ensureEpoch(ctx context.Context) (string, error) {
	var epoch string
	err := h.inTx(ctx, func(tx writeTx) error {
		if err := tx.alone(ctx); err != nil {
			return err
		}
		var err error
		if epoch, err = metaTx(ctx, tx, "epoch"); err != nil || epoch != "" {
			return err
		}
		epoch = newEpoch()
		return setMetaTx(ctx, tx, "epoch", epoch)
	})
	return epoch, err
}

// Backup writes a consistent copy of the hub database to path (which must
// not exist) while the hub keeps running, and the files it holds to the
// folder [BackupFiles](path). The copy is a SQLite hub database whichever
// database the hub runs on: a hub on PostgreSQL is copied from one
// REPEATABLE READ snapshot into a new file with the SQLite hub's schema,
// and the copy verified table by table (see [MigrateToPostgres]), so that
// one backup restores onto either ([Restore], [RestorePostgres]).
func (h *Hub) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("hub: backup: %s already exists", path)
	}
	if _, err := os.Stat(BackupFiles(path)); err == nil {
		return fmt.Errorf("hub: backup: %s already exists", BackupFiles(path))
	}
	if h.pg {
		if err := h.backupPostgres(ctx, path); err != nil {
			return err
		}
	} else if _, err := h.writer.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("hub: backup to %s: %w", path, err)
	}
	// After the database: files are never changed once whole, so every file
	// the copy lists is there to copy.
	return h.backupFiles(ctx, BackupFiles(path))
}

// Restore replaces the hub database in data folder dir with the backup at
// from and gives it a new epoch, so that every device pulls everything again
// (keeping its own unsent changes). The files in the folder
// [BackupFiles](from), if any, go back into the data folder's [DirStore];
// a file the backup lists but does not hold is forgotten, and the devices
// that attached it send it again. The hub must not be running.
func Restore(ctx context.Context, dir, from string) (epoch string, err error) {
	src, err := os.ReadFile(from)
	if err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	dst := filepath.Join(dir, DBFile)
	tmp := dst + ".restore"
	if err := os.WriteFile(tmp, src, 0o600); err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("hub: restore: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	h, err := Open(ctx, dir, Options{})
	if err != nil {
		return "", fmt.Errorf("hub: restore: open restored database: %w", err)
	}
	defer h.Close()
	if err := h.restoreFiles(ctx, BackupFiles(from)); err != nil {
		return "", err
	}
	if epoch, err = h.ChangeEpoch(ctx); err != nil {
		return "", err
	}
	h.log.Info("hub restored", "epoch", epoch, "fromEpoch", h.epoch)
	return epoch, nil
}

// ChangeEpoch gives the hub's database a new epoch, as a restore does, and
// returns it: the epoch it had goes to the end of its lineage with the
// last change number it holds, so that devices holding more of that
// epoch's changes give them back, and every device pulls everything
// again (keeping its own unsent changes). It is for a database restored
// by other means, such as pg_restore or a copy of the hub's file; the
// hub reads its epoch when it opens, so every process serving the
// database must be stopped first and opened again after.
func (h *Hub) ChangeEpoch(ctx context.Context) (epoch string, err error) {
	err = h.inTx(ctx, func(tx writeTx) error {
		seq := &sequence{}
		if err := seq.load(ctx, tx); err != nil {
			return err
		}
		epoch, err = switchEpochTx(ctx, tx.Tx, seq.last)
		return err
	})
	if err != nil {
		return "", err
	}
	h.log.Info("hub epoch changed", "epoch", epoch, "fromEpoch", h.epoch)
	return epoch, nil
}

// switchEpochTx gives the hub database of tx a new epoch and returns it.
// The data holds every version of the epoch it had up to change number
// seq: that epoch and seq go to the end of the lineage, so that devices
// holding more give it back.
func switchEpochTx(ctx context.Context, tx *sql.Tx, seq int64) (string, error) {
	old, err := metaTx(ctx, tx, "epoch")
	if err != nil {
		return "", err
	}
	lineage, err := lineageTx(ctx, tx)
	if err != nil {
		return "", err
	}
	if old != "" {
		lineage = append(lineage, protocol.EpochMark{Epoch: old, Seq: seq})
	}
	b, err := json.Marshal(lineage)
	if err != nil {
		return "", fmt.Errorf("hub: save lineage: %w", err)
	}
	epoch := newEpoch()
	if err := setMetaTx(ctx, tx, "lineage", string(b)); err != nil {
		return "", err
	}
	return epoch, setMetaTx(ctx, tx, "epoch", epoch)
}
