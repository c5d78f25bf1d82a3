package hub

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// PGStore is a [BlobStore] that keeps the files in the hub's PostgreSQL
// database (tables blobs, blob_chunks and blob_uploads, made by
// [MigratePostgres]), so that every hub process on that database reaches
// every file and every upload, whichever process took its chunks.
//
// Why PostgreSQL rather than a shared folder or an object store: the
// network's files are few and small (a few thousand photos and documents
// of at most the hub's largest file, [DefaultMaxFileSize] unless set), so
// the database holds them easily; the hub's data is then one thing to
// back up and restore (pg_dump), with no second copy to keep in step and
// no further service (NFS, S3) to run, secure and pay for on a small
// organization's server; and, once the hub runs on PostgreSQL, a file and
// the file_refs and file_holders rows that say who may read it can be
// written in one transaction.
//
// The limits: a file is at most what the hub takes ([Options.MaxFileSize],
// which also bounds the memory a commit's type check reads it into); it
// is stored as rows of at most [protocol.MaxChunk] (1 MiB) bytes, each
// row holding one appended chunk or a part of a larger one, so no row
// comes near PostgreSQL's 1 GB bound on a value; the bytes count towards
// the database's size, its backups and its write-ahead log. Reading a
// range fetches only the rows, and the parts of rows, it covers.
//
// The guarantees are [DirStore]'s, from transactions instead of fsync and
// rename:
//   - Append writes a chunk's rows and the upload's new count in one
//     transaction: a chunk is counted once it is committed, and not at
//     all otherwise. Its upsert of the upload's row (hash, by) locks that
//     row until the commit, so two appends to one upload, from any
//     process, take turns, and the second sees the first's count.
//   - Commit reads the upload's rows in order and checks the SHA-256 of
//     the whole content before, in the same transaction, it marks the
//     rows as the file's (by = ”) and writes the blobs row that makes it
//     readable; wrong bytes are dropped in that transaction.
//   - Each sender's upload has its own rows (keyed by hash, by, n), so two
//     senders of one file, and two files, never mix.
//   - Every call that changes a hash's rows takes a transaction-scoped
//     advisory lock on the hash (pg_advisory_xact_lock, keyed by the
//     hash's first 32 bits in a class of its own): shared for Append,
//     exclusive for Commit, Remove and Sweep. Appends of different
//     senders of a file run side by side; a commit, a removal or a sweep
//     of a hash waits for them and they for it, so a removal never leaves
//     an upload's rows behind, and two senders' commits of one file find
//     it held once the first has committed. Locks are taken in one order
//     (advisory, then the upload row), so they cannot deadlock; were one
//     to, PostgreSQL ends it and [pgdb.InTx] runs the transaction again.
//
// Upload times (for [PGStore.Sweep]) are the database server's clock, one
// clock for every hub process.
type PGStore struct {
	db *sql.DB
}

var _ BlobStore = (*PGStore)(nil)

// blobLockClass is the first key of the advisory locks [PGStore] takes:
// "fblb", so that they never meet another program's locks, nor pgdb's
// migration lock (which is a single bigint key, a key space of its own).
const blobLockClass = 0x66626c62

// NewPGStore returns the store in database db, which [MigratePostgres]
// has migrated; it fails if the store's tables are not there.
func NewPGStore(ctx context.Context, db *sql.DB) (*PGStore, error) {
	var ok bool
	if err := db.QueryRowContext(ctx, "SELECT to_regclass('blob_chunks') IS NOT NULL").Scan(&ok); err != nil {
		return nil, fmt.Errorf("hub: file storage in PostgreSQL: %w", err)
	}
	if !ok {
		return nil, errors.New("hub: file storage in PostgreSQL: the database has no table blob_chunks; migrate it first")
	}
	return &PGStore{db: db}, nil
}

// pgStorageErr wraps err with what was done, as [ErrStorageFull] too when
// the database's disk is full.
func pgStorageErr(what string, err error) error {
	if pgdb.Code(err) == "53100" { // disk_full
		return fmt.Errorf("%w: %s: %w", ErrStorageFull, what, err)
	}
	return fmt.Errorf("hub: %s: %w", what, err)
}

// lockHash takes the transaction's advisory lock on hash, shared or not.
func lockHash(ctx context.Context, tx *sql.Tx, hash string, shared bool) error {
	key, err := strconv.ParseUint(hash[:8], 16, 32)
	if err != nil {
		return fmt.Errorf("hub: lock file %s: %w", hash, err)
	}
	fn := "pg_advisory_xact_lock"
	if shared {
		fn += "_shared"
	}
	if _, err := tx.ExecContext(ctx, "SELECT "+fn+"($1, $2)", blobLockClass, int32(uint32(key))); err != nil {
		return fmt.Errorf("hub: lock file %s: %w", hash, err)
	}
	return nil
}

// Received implements [BlobStore].
func (s *PGStore) Received(ctx context.Context, up Upload) (int64, error) {
	if err := up.check(); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.QueryRowContext(ctx, "SELECT received FROM blob_uploads WHERE hash = $1 AND by = $2", up.Hash, up.By).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("hub: upload %s: %w", up.Hash, err)
	}
	return n, nil
}

// Append implements [BlobStore]. A chunk longer than [protocol.MaxChunk]
// is kept as several rows.
func (s *PGStore) Append(ctx context.Context, up Upload, offset int64, chunk []byte) error {
	if err := up.check(); err != nil {
		return err
	}
	err := pgdb.InTx(ctx, s.db, nil, func(tx *sql.Tx) error {
		if err := lockHash(ctx, tx, up.Hash, true); err != nil {
			return err
		}
		// The upsert locks the upload's row until the commit.
		var received int64
		var chunks int
		err := tx.QueryRowContext(ctx, `INSERT INTO blob_uploads (hash, by, received, chunks, touched)
			VALUES ($1, $2, 0, 0, statement_timestamp())
			ON CONFLICT (hash, by) DO UPDATE SET touched = excluded.touched
			RETURNING received, chunks`, up.Hash, up.By).Scan(&received, &chunks)
		if err != nil {
			return pgStorageErr("start upload "+up.Hash, err)
		}
		if offset != received {
			return &OffsetError{Received: received, Offset: offset}
		}
		end := received
		for rest := chunk; len(rest) > 0; {
			part := rest[:min(len(rest), protocol.MaxChunk)]
			if _, err := tx.ExecContext(ctx, "INSERT INTO blob_chunks (hash, by, n, off, data) VALUES ($1, $2, $3, $4, $5)",
				up.Hash, up.By, chunks, end, part); err != nil {
				return pgStorageErr("write upload "+up.Hash, err)
			}
			chunks++
			end += int64(len(part))
			rest = rest[len(part):]
		}
		if _, err := tx.ExecContext(ctx, "UPDATE blob_uploads SET received = $3, chunks = $4 WHERE hash = $1 AND by = $2",
			up.Hash, up.By, end, chunks); err != nil {
			return pgStorageErr("count upload "+up.Hash, err)
		}
		return nil
	})
	var oe *OffsetError
	if errors.As(err, &oe) {
		return oe
	}
	return err
}

// Commit implements [BlobStore]. check reads the upload's rows within
// Commit's transaction, which holds the hash's lock meanwhile.
func (s *PGStore) Commit(ctx context.Context, up Upload, size int64, check func(io.ReaderAt, int64) error) error {
	if err := up.check(); err != nil {
		return err
	}
	// outcome is what Commit returns when the transaction commits: an
	// upload dropped for its bytes or by check is dropped for good.
	var outcome error
	err := pgdb.InTx(ctx, s.db, nil, func(tx *sql.Tx) error {
		outcome = nil
		if err := lockHash(ctx, tx, up.Hash, false); err != nil {
			return err
		}
		var received int64
		var chunks int
		err := tx.QueryRowContext(ctx, "SELECT received, chunks FROM blob_uploads WHERE hash = $1 AND by = $2 FOR UPDATE",
			up.Hash, up.By).Scan(&received, &chunks)
		if err != nil && !errors.Is(err, sql.ErrNoRows) { // no row: an upload of nothing yet
			return fmt.Errorf("hub: upload %s: %w", up.Hash, err)
		}
		if received != size {
			return &OffsetError{Received: received, Offset: size}
		}
		content := &pgChunks{ctx: ctx, q: tx, hash: up.Hash, by: up.By, size: size}
		sum := sha256.New()
		if _, err := content.WriteTo(sum); err != nil {
			return fmt.Errorf("hub: read upload %s: %w", up.Hash, err)
		}
		if hex.EncodeToString(sum.Sum(nil)) != up.Hash {
			outcome = ErrHashMismatch
			return dropUpload(ctx, tx, up)
		}
		var held bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM blobs WHERE hash = $1)", up.Hash).Scan(&held); err != nil {
			return fmt.Errorf("hub: file %s: %w", up.Hash, err)
		}
		if held {
			// The sender has shown it has the file; it is kept once.
			return dropUpload(ctx, tx, up)
		}
		if check != nil {
			if err := check(content, size); err != nil {
				outcome = err
				return dropUpload(ctx, tx, up)
			}
		}
		// Rows of the file left by nothing this store does would collide
		// with the upload's; then the upload's rows become the file's.
		if _, err := tx.ExecContext(ctx, "DELETE FROM blob_chunks WHERE hash = $1 AND by = ''", up.Hash); err != nil {
			return pgStorageErr("store file "+up.Hash, err)
		}
		for _, q := range []string{"UPDATE blob_chunks SET by = '' WHERE hash = $1 AND by = $2", "DELETE FROM blob_uploads WHERE hash = $1 AND by = $2"} {
			if _, err := tx.ExecContext(ctx, q, up.Hash, up.By); err != nil {
				return pgStorageErr("store file "+up.Hash, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO blobs (hash, size, chunks, stored_at) VALUES ($1, $2, $3, statement_timestamp())",
			up.Hash, size, chunks); err != nil {
			return pgStorageErr("store file "+up.Hash, err)
		}
		return nil
	})
	var oe *OffsetError
	switch {
	case errors.As(err, &oe):
		return oe
	case err != nil:
		return err
	}
	return outcome
}

// dropUpload removes upload up's rows in tx.
func dropUpload(ctx context.Context, tx *sql.Tx, up Upload) error {
	for _, q := range []string{"DELETE FROM blob_chunks WHERE hash = $1 AND by = $2", "DELETE FROM blob_uploads WHERE hash = $1 AND by = $2"} {
		if _, err := tx.ExecContext(ctx, q, up.Hash, up.By); err != nil {
			return fmt.Errorf("hub: drop upload %s: %w", up.Hash, err)
		}
	}
	return nil
}

// Held implements [BlobStore].
func (s *PGStore) Held(ctx context.Context, hash string) (int64, bool, error) {
	if err := checkHashArg(hash); err != nil {
		return 0, false, err
	}
	var size int64
	err := s.db.QueryRowContext(ctx, "SELECT size FROM blobs WHERE hash = $1", hash).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("hub: file %s: %w", hash, err)
	}
	return size, true, nil
}

// Open implements [BlobStore]. The blob reads with ctx: it is for the
// request that opened it. A read of a file removed meanwhile fails.
func (s *PGStore) Open(ctx context.Context, hash string) (Blob, error) {
	size, ok, err := s.Held(ctx, hash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoBlob, hash)
	}
	return &pgChunks{ctx: ctx, q: s.db, hash: hash, size: size}, nil
}

// Remove implements [BlobStore].
func (s *PGStore) Remove(ctx context.Context, hash string) error {
	if err := checkHashArg(hash); err != nil {
		return err
	}
	return pgdb.InTx(ctx, s.db, nil, func(tx *sql.Tx) error {
		if err := lockHash(ctx, tx, hash, false); err != nil {
			return err
		}
		for _, table := range []string{"blob_chunks", "blob_uploads", "blobs"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE hash = $1", hash); err != nil {
				return fmt.Errorf("hub: remove file %s: %w", hash, err)
			}
		}
		return nil
	})
}

// Usage implements [BlobStore]; it reads one snapshot.
func (s *PGStore) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM blobs), (SELECT coalesce(sum(size), 0) FROM blobs),
		(SELECT coalesce(sum(received), 0) FROM blob_uploads)`).Scan(&u.Files, &u.Bytes, &u.Partial)
	if err != nil {
		return Usage{}, fmt.Errorf("hub: file storage usage: %w", err)
	}
	return u, nil
}

// Sweep implements [BlobStore]: each old upload is dropped in a
// transaction of its own, under its hash's lock, if no chunk reached it
// meanwhile.
func (s *PGStore) Sweep(ctx context.Context, before time.Time) (Usage, error) {
	var dropped Usage
	rows, err := s.db.QueryContext(ctx, "SELECT hash, by FROM blob_uploads WHERE touched < $1", before)
	if err != nil {
		return dropped, fmt.Errorf("hub: sweep uploads: %w", err)
	}
	var old []Upload
	for rows.Next() {
		var up Upload
		if err := rows.Scan(&up.Hash, &up.By); err != nil {
			rows.Close()
			return dropped, fmt.Errorf("hub: sweep uploads: %w", err)
		}
		old = append(old, up)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return dropped, fmt.Errorf("hub: sweep uploads: %w", err)
	}
	for _, up := range old {
		var n int64
		err := pgdb.InTx(ctx, s.db, nil, func(tx *sql.Tx) error {
			n = 0
			if err := lockHash(ctx, tx, up.Hash, false); err != nil {
				return err
			}
			err := tx.QueryRowContext(ctx, "DELETE FROM blob_uploads WHERE hash = $1 AND by = $2 AND touched < $3 RETURNING received",
				up.Hash, up.By, before).Scan(&n)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // written since, or gone
			}
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, "DELETE FROM blob_chunks WHERE hash = $1 AND by = $2", up.Hash, up.By)
			return err
		})
		if err != nil {
			return dropped, fmt.Errorf("hub: sweep upload %s: %w", up.Hash, err)
		}
		dropped.Partial += n
	}
	return dropped, nil
}

// pgQuerier is a *sql.DB or *sql.Tx.
type pgQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// pgChunks reads the size bytes of a file's rows (by "") or of an upload's
// (by its sender): the [Blob] of [PGStore.Open], and the content a commit
// checks.
type pgChunks struct {
	ctx      context.Context
	q        pgQuerier
	hash, by string
	size     int64
}

// Size implements [Blob].
func (c *pgChunks) Size() int64 { return c.size }

// Close implements [Blob]: nothing is held between reads.
func (c *pgChunks) Close() error { return nil }

// WriteTo writes the whole content to w, reading the rows in one query.
func (c *pgChunks) WriteTo(w io.Writer) (int64, error) {
	rows, err := c.q.QueryContext(c.ctx, "SELECT off, data FROM blob_chunks WHERE hash = $1 AND by = $2 ORDER BY n", c.hash, c.by)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var next int64
	for rows.Next() {
		var at int64
		var data []byte
		if err := rows.Scan(&at, &data); err != nil {
			return next, err
		}
		if at != next {
			return next, fmt.Errorf("no bytes at %d", next)
		}
		if _, err := w.Write(data); err != nil {
			return next, err
		}
		next += int64(len(data))
	}
	if err := rows.Err(); err != nil {
		return next, err
	}
	if next != c.size {
		return next, fmt.Errorf("%d bytes of %d", next, c.size)
	}
	return next, nil
}

// ReadAt implements [io.ReaderAt]: one query fetches the parts of the
// rows that cover the range.
func (c *pgChunks) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("hub: read file %s: negative offset %d", c.hash, off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if off >= c.size {
		return 0, io.EOF
	}
	end := min(off+int64(len(p)), c.size)
	rows, err := c.q.QueryContext(c.ctx, `SELECT off + greatest($3 - off, 0),
			substring(data FROM (greatest($3 - off, 0) + 1)::integer FOR (least(off + length(data), $4) - greatest(off, $3))::integer)
		FROM blob_chunks WHERE hash = $1 AND by = $2 AND off < $4 AND off + length(data) > $3 ORDER BY n`,
		c.hash, c.by, off, end)
	if err != nil {
		return 0, fmt.Errorf("hub: read file %s: %w", c.hash, err)
	}
	defer rows.Close()
	next := off
	for rows.Next() {
		var at int64
		var part []byte
		if err := rows.Scan(&at, &part); err != nil {
			return int(next - off), fmt.Errorf("hub: read file %s: %w", c.hash, err)
		}
		if at != next {
			return int(next - off), fmt.Errorf("hub: read file %s: no bytes at %d", c.hash, next)
		}
		copy(p[next-off:], part)
		next += int64(len(part))
	}
	if err := rows.Err(); err != nil {
		return int(next - off), fmt.Errorf("hub: read file %s: %w", c.hash, err)
	}
	if next != end {
		return int(next - off), fmt.Errorf("hub: read file %s: %d bytes of %d, removed while read", c.hash, next, c.size)
	}
	if end < off+int64(len(p)) {
		return int(end - off), io.EOF
	}
	return len(p), nil
}
