package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/sqlitedb"
)

// MigrateToPostgres copies the SQLite hub whose database file is from (or
// whose data folder is from) into the PostgreSQL database cfg describes,
// which must hold no hub: a database with any hub row is refused with
// [ErrNotEmpty] and not changed. The SQLite hub must not be running; it
// is opened as a hub first, which brings its database to the latest
// migration. The PostgreSQL database gets the hub's schema, then the
// files (each checked against its hash as it goes into [PGStore]), then
// every row in one transaction, verified table by table before it commits
// (see [TableSum]). Uploads in progress are not moved: their devices send
// them again from the offset the new hub reports.
//
// Everything a device knows the hub by moves as it is (the epoch and its
// lineage, the change number, the enrollment code key, the device token
// hashes), and so do the dashboard's accounts and sessions: devices sync
// with the hub on PostgreSQL without enrolling again or pulling anything
// again.
func MigrateToPostgres(ctx context.Context, from string, cfg pgdb.Config, log *slog.Logger) (CopyResult, error) {
	if log == nil {
		log = slog.Default()
	}
	dir, err := hubFolder(from)
	if err != nil {
		return CopyResult{}, err
	}
	src, err := Open(ctx, dir, Options{Logger: log})
	if err != nil {
		return CopyResult{}, err
	}
	defer src.Close()
	db, err := pgdb.OpenPortable(ctx, cfg)
	if err != nil {
		return CopyResult{}, fmt.Errorf("hub: %w", err)
	}
	defer db.Close()
	if t, err := pgHolds(ctx, db); err != nil {
		return CopyResult{}, err
	} else if t != "" {
		return CopyResult{}, fmt.Errorf("hub: migrate: %s: %w (table %s has rows): give an empty database", cfg.Redacted(), ErrNotEmpty, t)
	}
	if _, err := MigratePostgres(ctx, db); err != nil {
		return CopyResult{}, err
	}
	store, err := NewPGStore(ctx, db)
	if err != nil {
		return CopyResult{}, err
	}
	stx, err := src.reader.BeginTx(ctx, snapshotTx(false))
	if err != nil {
		return CopyResult{}, fmt.Errorf("hub: migrate: %w", err)
	}
	defer stx.Rollback()
	var res CopyResult
	// The files first: a hub whose rows are committed then lacks none. A
	// copy that fails later leaves them, and a second one skips them.
	if err := moveFiles(ctx, copySide{tx: stx}, src.blobs, store, &res); err != nil {
		return res, err
	}
	dtx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("hub: migrate: %w", err)
	}
	rows, err := copyRows(ctx, copySide{tx: stx}, copySide{tx: dtx, pg: true}, copyOptions{log: log})
	if err != nil {
		return res, err
	}
	res.Tables = rows.Tables
	log.Info("hub migrated to PostgreSQL", "from", src.Path(), "to", cfg.Redacted(), "files", res.Files, "missingFiles", len(res.MissingFiles))
	return res, nil
}

// hubFolder returns the data folder of the SQLite hub whose database file
// or data folder is path, which must exist.
func hubFolder(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("hub: %w", err)
	}
	if fi.IsDir() {
		path = filepath.Join(path, DBFile)
	} else if filepath.Base(path) != DBFile {
		return "", fmt.Errorf("hub: %s is not a hub's database: give its data folder or the %s in it", path, DBFile)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("hub: %w", err)
	}
	return filepath.Dir(path), nil
}

// pgHolds returns the first hub table of db's schema that holds a row, or
// "" if there is none (or no hub schema at all). It changes nothing.
func pgHolds(ctx context.Context, db *sql.DB) (string, error) {
	for _, t := range copyTables {
		var n int64
		err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_class WHERE oid = to_regclass(?)", t.name).Scan(&n)
		if err == nil && n > 0 {
			err = db.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+t.name+" WHERE "+notSkipped(t)+" LIMIT 1) t").Scan(&n)
		}
		if err != nil {
			return "", fmt.Errorf("hub: read table %s: %w", t.name, err)
		}
		if n > 0 {
			return t.name, nil
		}
	}
	return "", nil
}

// notSkipped is the condition of the rows of t that a copy moves.
func notSkipped(t copyTable) string {
	if t.name == "meta" {
		return copySkipMeta
	}
	return "true"
}

// backupPostgres writes the hub database, from one snapshot, to a new
// SQLite hub database at path (see [Hub.Backup]).
func (h *Hub) backupPostgres(ctx context.Context, path string) (err error) {
	stx, err := h.reader.BeginTx(ctx, snapshotTx(true))
	if err != nil {
		return fmt.Errorf("hub: backup: %w", err)
	}
	defer stx.Rollback()
	ms, err := migrations()
	if err != nil {
		return err
	}
	db, err := sqlitedb.Open(path, sqlitedb.Writer, 1, sqlitedb.Config{})
	if err != nil {
		return fmt.Errorf("hub: backup: %w", err)
	}
	defer func() {
		err = errors.Join(err, db.Close())
		if err != nil {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}
	}()
	dtx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("hub: backup: %w", err)
	}
	if _, err := sqlitedb.Migrate(ctx, dtx, ms); err != nil {
		dtx.Rollback()
		return fmt.Errorf("hub: backup: %w", err)
	}
	res, err := copyRows(ctx, copySide{tx: stx, pg: true}, copySide{tx: dtx}, copyOptions{log: h.log})
	if err != nil {
		return fmt.Errorf("hub: backup: %w", err)
	}
	h.log.Info("hub backed up", "to", path, "tables", len(res.Tables))
	return nil
}

// RestorePostgres replaces the hub in the PostgreSQL database cfg
// describes with the backup at from (a SQLite hub database, as
// [Hub.Backup] writes on either database), as [Restore] does on SQLite:
// in one transaction it deletes every hub row, copies the backup's in,
// verifies them table by table and gives the hub a new epoch (see
// [Hub.ChangeEpoch]); then the files in the folder [BackupFiles](from) go
// into [PGStore], and a file the backup lists but does not hold is
// forgotten, so that the devices that attached it send it again. The
// backup's file is not changed. Every hub process on the database must be
// stopped: each reads the epoch when it starts.
func RestorePostgres(ctx context.Context, cfg pgdb.Config, from string, log *slog.Logger) (epoch string, err error) {
	if log == nil {
		log = slog.Default()
	}
	tmp, err := os.MkdirTemp("", "fieldbook-restore-")
	if err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := copyFile(from, filepath.Join(tmp, DBFile)); err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	// Opened as a hub, the backup is brought to the latest migration.
	src, err := Open(ctx, tmp, Options{Logger: log})
	if err != nil {
		return "", fmt.Errorf("hub: restore: open the backup: %w", err)
	}
	defer src.Close()
	db, err := pgdb.OpenPortable(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	defer db.Close()
	if _, err := MigratePostgres(ctx, db); err != nil {
		return "", err
	}
	stx, err := src.reader.BeginTx(ctx, snapshotTx(false))
	if err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	defer stx.Rollback()
	dtx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	_, err = copyRows(ctx, copySide{tx: stx}, copySide{tx: dtx, pg: true}, copyOptions{replace: true, log: log,
		beforeCommit: func(tx *sql.Tx, seq int64) (err error) {
			epoch, err = switchEpochTx(ctx, tx, seq)
			return err
		}})
	if err != nil {
		return "", fmt.Errorf("hub: restore: %w", err)
	}
	h, err := Open(ctx, "", Options{Postgres: &cfg, Logger: log})
	if err != nil {
		return "", fmt.Errorf("hub: restore: open the restored hub: %w", err)
	}
	defer h.Close()
	if err := h.restoreFiles(ctx, BackupFiles(from)); err != nil {
		return "", err
	}
	log.Info("hub restored", "epoch", epoch, "fromEpoch", src.Epoch(), "db", cfg.Redacted())
	return epoch, nil
}

// copyFile copies file from to a new file to.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// RestoreInto restores the backup at from into the hub that dir and opts
// name, as [Open] would open it: on PostgreSQL when opts.Postgres is set
// ([RestorePostgres]), else in data folder dir ([Restore]). It returns the
// hub's new epoch. The hub must not be running.
func RestoreInto(ctx context.Context, dir string, opts Options, from string) (epoch string, err error) {
	if opts.Postgres != nil {
		return RestorePostgres(ctx, *opts.Postgres, from, opts.Logger)
	}
	return Restore(ctx, dir, from)
}
