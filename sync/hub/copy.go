package hub

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	stdhash "hash"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/a20-network/fieldbook/internal/report"
)

// A hub database moves between SQLite and PostgreSQL by copying its rows
// table by table, the destination's in one transaction, and then
// checking on both sides that every table holds the same rows: the same
// count, and the same SHA-256 over the rows in primary-key order. A
// difference fails the copy, naming the table, before anything is
// committed. The copy keeps everything a device knows the hub by — the
// epoch and its lineage, the change number, the enrollment code key,
// the device token hashes — and the dashboard's accounts and sessions, so
// devices carry on with their cursors and nobody signs in again.

// copyTable is one table of the hub database that a copy moves.
type copyTable struct {
	name string
	// key is the primary key's columns, in order; intKey names those
	// that are integers (every other is text, ordered byte by byte).
	key    []string
	intKey map[string]bool
}

// copyTables are the tables both hub databases hold with the same columns
// (TestPostgresSchemaMatchesSQLite), parents before the tables whose
// foreign keys refer to them. The tables only one of them has hold what
// the copy moves another way: the change number (SQLite's meta key seq,
// PostgreSQL's change_seq), the files (SQLite's folder, PostgreSQL's
// blobs), and PostgreSQL's schema_version, which its migrations keep.
var copyTables = []copyTable{
	{name: "meta", key: []string{"key"}},
	{name: "orgs", key: []string{"id"}},
	{name: "enroll_codes", key: []string{"hash"}},
	{name: "devices", key: []string{"id"}},
	{name: "records", key: []string{"id"}},
	{name: "conflicts", key: []string{"id"}},
	{name: "rejections", key: []string{"device_id", "seq"}, intKey: map[string]bool{"seq": true}},
	{name: "activities", key: []string{"rowid"}, intKey: map[string]bool{"rowid": true}},
	{name: "applied", key: []string{"device_id", "seq"}, intKey: map[string]bool{"seq": true}},
	{name: "file_refs", key: []string{"record_id", "hash"}},
	{name: "files", key: []string{"hash"}},
	{name: "file_holders", key: []string{"hash", "org_id"}},
	{name: "users", key: []string{"id"}, intKey: map[string]bool{"id": true}},
	{name: "dashboard_sessions", key: []string{"token_hash"}},
	{name: report.RollupTable, key: []string{"dim", "month", "org_id", "key"}},
}

// metaSeq is the meta key in which the SQLite hub keeps its last change
// number.
const metaSeq = "seq"

// copySkipMeta are the meta keys a copy leaves out: the change number,
// which it moves by itself, and the marks a transaction sets and removes
// before it commits.
const copySkipMeta = "key NOT IN ('" + metaSeq + "', '" + report.RollupBatchKey + "', 'rollup_fill')"

// changeNumberTable is the name under which [TableSum] reports the change
// number.
const changeNumberTable = "change number"

// identityColumns are PostgreSQL's columns that number rows themselves:
// a copy writes their values as they are, and then moves each one's
// sequence past the highest.
var identityColumns = [][2]string{{"activities", "rowid"}, {"users", "id"}}

// TableSum is what a copy found in one table on both sides: its rows and
// the SHA-256 of their values in primary-key order (see [rowHash]). The
// change number is reported as a table of one row named "change number".
type TableSum struct {
	Table string
	Rows  int64
	// Sum is the SHA-256, in hex.
	Sum string
}

// CopyResult says what a copy moved and verified.
type CopyResult struct {
	// Tables are the tables in the order copied, then the change number.
	Tables []TableSum
	// Files and FileBytes count the files moved into the destination's
	// store (those it held already are not counted).
	Files     int
	FileBytes int64
	// MissingFiles are the files the source lists but does not hold: the
	// devices that attached them send them again.
	MissingFiles []string
}

// MismatchError is a copy whose destination does not hold what its
// source does.
type MismatchError struct {
	Table    string
	Src, Dst TableSum
}

// Error names the table and both sides' counts and sums.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("hub: copy: table %s differs after the copy: the source has %d rows (SHA-256 %s), the copy %d rows (SHA-256 %s); nothing was committed",
		e.Table, e.Src.Rows, e.Src.Sum, e.Dst.Rows, e.Dst.Sum)
}

// copySide is one database of a copy, in its transaction.
type copySide struct {
	tx *sql.Tx
	pg bool
}

// copyOptions change what [copyRows] does besides copying.
type copyOptions struct {
	// replace deletes the destination's rows first; otherwise a
	// destination that holds any is refused.
	replace bool
	// beforeCommit, if not nil, runs in the destination's transaction
	// after the verification.
	beforeCommit func(tx *sql.Tx, seq int64) error
	log          *slog.Logger
}

// ErrNotEmpty is a copy's destination that already holds a hub.
var ErrNotEmpty = errors.New("the database already holds a hub")

// copyRows copies every table of [copyTables] and the change number from
// src to dst, verifies them, runs opts.beforeCommit and commits dst's
// transaction; on any error it rolls dst's back. src's transaction is
// left to its caller.
func copyRows(ctx context.Context, src, dst copySide, opts copyOptions) (res CopyResult, err error) {
	defer func() {
		if err != nil {
			dst.tx.Rollback()
		}
	}()
	if dst.pg {
		// Hub processes on the database wait until the copy commits.
		if _, err := dst.tx.ExecContext(ctx, sqlLockCounter); err != nil {
			return res, fmt.Errorf("hub: copy: lock the change counter: %w", err)
		}
	}
	// The rollup is copied as data: its triggers skip while meta holds
	// the mark.
	if _, err := dst.tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING", report.RollupBatchKey); err != nil {
		return res, fmt.Errorf("hub: copy: mark the rollup: %w", err)
	}
	if opts.replace {
		for i := len(copyTables) - 1; i >= 0; i-- {
			q := "DELETE FROM " + copyTables[i].name
			if copyTables[i].name == "meta" {
				q += " WHERE key <> '" + report.RollupBatchKey + "'"
			}
			if _, err := dst.tx.ExecContext(ctx, q); err != nil {
				return res, fmt.Errorf("hub: copy: empty table %s: %w", copyTables[i].name, err)
			}
		}
	} else if t, err := firstNonEmpty(ctx, dst.tx, dst.pg); err != nil {
		return res, err
	} else if t != "" {
		return res, fmt.Errorf("hub: copy: %w (table %s has rows): copy into an empty database", ErrNotEmpty, t)
	}
	var srcSums []TableSum
	for _, t := range copyTables {
		cols, err := tableColumns(ctx, src, dst, t.name)
		if err != nil {
			return res, err
		}
		sum, err := copyTableRows(ctx, src, dst, t, cols)
		if err != nil {
			return res, err
		}
		srcSums = append(srcSums, sum)
		if opts.log != nil {
			opts.log.Debug("table copied", "table", t.name, "rows", sum.Rows)
		}
	}
	seq, err := changeNumber(ctx, src)
	if err != nil {
		return res, err
	}
	if err := setChangeNumber(ctx, dst, seq); err != nil {
		return res, err
	}
	srcSums = append(srcSums, changeNumberSum(seq))
	if dst.pg {
		for _, c := range identityColumns {
			q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', '%[2]s'), coalesce(max(%[2]s), 0) + 1, false) FROM %[1]s", c[0], c[1])
			if _, err := dst.tx.ExecContext(ctx, q); err != nil {
				return res, fmt.Errorf("hub: copy: move the numbering of %s.%s past the copied rows: %w", c[0], c[1], err)
			}
		}
	}
	if _, err := dst.tx.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", report.RollupBatchKey); err != nil {
		return res, fmt.Errorf("hub: copy: unmark the rollup: %w", err)
	}
	if res.Tables, err = verifyCopy(ctx, dst, srcSums); err != nil {
		return res, err
	}
	if opts.beforeCommit != nil {
		if err := opts.beforeCommit(dst.tx, seq); err != nil {
			return res, err
		}
	}
	if err := dst.tx.Commit(); err != nil {
		return res, fmt.Errorf("hub: copy: commit: %w", err)
	}
	return res, nil
}

// verifyCopy sums every table on dst, in its transaction, and compares
// each with the source's sum.
func verifyCopy(ctx context.Context, dst copySide, srcSums []TableSum) ([]TableSum, error) {
	got, err := sumAll(ctx, dst)
	if err != nil {
		return nil, err
	}
	for i := range got {
		if got[i] != srcSums[i] {
			return nil, &MismatchError{Table: got[i].Table, Src: srcSums[i], Dst: got[i]}
		}
	}
	return srcSums, nil
}

// sumAll returns the sum of every table of [copyTables] on s, and of the
// change number.
func sumAll(ctx context.Context, s copySide) ([]TableSum, error) {
	var out []TableSum
	for _, t := range copyTables {
		cols, err := tableColumns(ctx, s, s, t.name)
		if err != nil {
			return nil, err
		}
		sum, err := sumTable(ctx, s, t, cols)
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	seq, err := changeNumber(ctx, s)
	if err != nil {
		return nil, err
	}
	return append(out, changeNumberSum(seq)), nil
}

// TableSums returns the row count and checksum of every table a copy
// moves, and of the change number, from one snapshot of the hub's
// database: what [MigrateToPostgres] verifies, for an operator to compare
// a hub with its copy.
func (h *Hub) TableSums(ctx context.Context) ([]TableSum, error) {
	tx, err := h.reader.BeginTx(ctx, snapshotTx(h.pg))
	if err != nil {
		return nil, fmt.Errorf("hub: sum tables: %w", err)
	}
	defer tx.Rollback()
	return sumAll(ctx, copySide{tx: tx, pg: h.pg})
}

// snapshotTx is the transaction in which a copy reads its source: one
// snapshot of the whole database. On SQLite a read transaction is one.
func snapshotTx(pg bool) *sql.TxOptions {
	if pg {
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return nil
}

// firstNonEmpty returns the first table of [copyTables] that holds a row,
// or "" if none does; on PostgreSQL a change number above 0 counts too.
func firstNonEmpty(ctx context.Context, tx *sql.Tx, pg bool) (string, error) {
	for _, t := range copyTables {
		var n int64
		q := "SELECT count(*) FROM (SELECT 1 FROM " + t.name + " WHERE " + notSkipped(t) + " LIMIT 1) t"
		if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return "", fmt.Errorf("hub: copy: read table %s: %w", t.name, err)
		}
		if n > 0 {
			return t.name, nil
		}
	}
	if seq, err := changeNumber(ctx, copySide{tx: tx, pg: pg}); err != nil || seq > 0 {
		return changeNumberTable, err
	}
	return "", nil
}

// tableColumns returns the columns of table by name, checking that
// other (the other side of a copy, or s itself) has the same ones.
func tableColumns(ctx context.Context, s, other copySide, table string) ([]string, error) {
	cols, err := columnsOf(ctx, s, table)
	if err != nil {
		return nil, err
	}
	if other != s {
		theirs, err := columnsOf(ctx, other, table)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(cols, theirs) {
			return nil, fmt.Errorf("hub: copy: table %s has columns %s on one side and %s on the other: update fieldbook-hub",
				table, strings.Join(cols, ", "), strings.Join(theirs, ", "))
		}
	}
	return cols, nil
}

func columnsOf(ctx context.Context, s copySide, table string) ([]string, error) {
	q := "SELECT name FROM pragma_table_info(?) ORDER BY cid"
	if s.pg {
		q = "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"
	}
	cols, err := queryStrings(ctx, s.tx, q, table)
	if err == nil && len(cols) == 0 {
		err = errors.New("no such table")
	}
	if err != nil {
		return nil, fmt.Errorf("hub: copy: read the columns of table %s: %w", table, err)
	}
	// By name, so that a table's sum does not depend on the order its
	// database made its columns in.
	slices.Sort(cols)
	return cols, nil
}

// selectRows is the query that reads table t's columns cols on s in
// primary-key order: text byte by byte on both databases (PostgreSQL's
// collation "C" is SQLite's BINARY).
func selectRows(s copySide, t copyTable, cols []string) string {
	order := make([]string, len(t.key))
	for i, k := range t.key {
		order[i] = k
		if s.pg && !t.intKey[k] {
			order[i] += ` COLLATE "C"`
		}
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + t.name + " WHERE " + notSkipped(t) +
		" ORDER BY " + strings.Join(order, ", ")
}

// scanRows runs fn for each row of t on s, in primary-key order.
func scanRows(ctx context.Context, s copySide, t copyTable, cols []string, fn func(vals []any) error) error {
	rows, err := s.tx.QueryContext(ctx, selectRows(s, t, cols))
	if err != nil {
		return fmt.Errorf("hub: copy: read table %s: %w", t.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("hub: copy: read table %s: %w", t.name, err)
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("hub: copy: read table %s: %w", t.name, err)
	}
	return nil
}

// The bounds of one multi-row INSERT: SQLite takes at most 32766
// parameters in a statement and PostgreSQL 65535; the byte bound keeps
// a batch of large records from holding much memory.
const (
	copyBatchRows   = 500
	copyBatchParams = 30000
	copyBatchBytes  = 4 << 20
)

// copyTableRows copies table t from src to dst in batches and returns the
// source's sum of the rows it read.
func copyTableRows(ctx context.Context, src, dst copySide, t copyTable, cols []string) (TableSum, error) {
	h := newRowHash(t.name)
	perBatch := max(1, min(copyBatchRows, copyBatchParams/len(cols)))
	var args []any
	var bytes int
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		n := len(args) / len(cols)
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		q := "INSERT INTO " + t.name + " (" + strings.Join(cols, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := dst.tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("hub: copy: write %d rows of table %s: %w", n, t.name, err)
		}
		args, bytes = args[:0], 0
		return nil
	}
	err := scanRows(ctx, src, t, cols, func(vals []any) error {
		n, err := h.add(vals)
		if err != nil {
			return err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok && b == nil {
				vals[i] = []byte{} // an empty blob, which a driver may write as NULL
			}
		}
		args, bytes = append(args, vals...), bytes+n
		if len(args)/len(cols) >= perBatch || bytes >= copyBatchBytes {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return TableSum{}, err
	}
	return h.sum(), nil
}

// sumTable returns the sum of table t's rows on s.
func sumTable(ctx context.Context, s copySide, t copyTable, cols []string) (TableSum, error) {
	h := newRowHash(t.name)
	err := scanRows(ctx, s, t, cols, func(vals []any) error {
		_, err := h.add(vals)
		return err
	})
	if err != nil {
		return TableSum{}, err
	}
	return h.sum(), nil
}

// rowHash sums a table's rows. Each value is written with its kind, so
// that the two databases' values compare as values whatever their
// column types: NULL as "n"; an integer as "i", its decimal and ";"; a
// real as "r", its shortest exact decimal (strconv's 'g', -1) and ";";
// text as "s", its length in bytes, ":" and its bytes; bytes as "b",
// likewise. Each row ends with a newline. NULL, ” and an empty blob thus
// differ, as do 1, 1.0 and '1'.
type rowHash struct {
	table string
	h     stdhash.Hash
	rows  int64
	buf   []byte
}

func newRowHash(table string) *rowHash { return &rowHash{table: table, h: sha256.New()} }

// add sums one row and returns about how many bytes its values hold.
func (r *rowHash) add(vals []any) (int, error) {
	b := r.buf[:0]
	size := 0
	for _, v := range vals {
		switch v := v.(type) {
		case nil:
			b = append(b, 'n')
		case int64:
			b = strconv.AppendInt(append(b, 'i'), v, 10)
			b = append(b, ';')
			size += 8
		case float64:
			if math.IsNaN(v) {
				return 0, fmt.Errorf("hub: copy: table %s holds a NaN", r.table)
			}
			b = strconv.AppendFloat(append(b, 'r'), v, 'g', -1, 64)
			b = append(b, ';')
			size += 8
		case string:
			b = strconv.AppendInt(append(b, 's'), int64(len(v)), 10)
			b = append(append(b, ':'), v...)
			size += len(v)
		case []byte:
			b = strconv.AppendInt(append(b, 'b'), int64(len(v)), 10)
			b = append(append(b, ':'), v...)
			size += len(v)
		default:
			return 0, fmt.Errorf("hub: copy: table %s holds a value of type %T, which a copy does not know", r.table, v)
		}
	}
	r.buf = append(b, '\n')
	r.h.Write(r.buf)
	r.rows++
	return size, nil
}

func (r *rowHash) sum() TableSum {
	return TableSum{Table: r.table, Rows: r.rows, Sum: hex.EncodeToString(r.h.Sum(nil))}
}

func changeNumberSum(seq int64) TableSum {
	h := newRowHash(changeNumberTable)
	h.add([]any{seq})
	return h.sum()
}

// changeNumber reads the last change number on s: PostgreSQL's change_seq,
// SQLite's meta key seq (0 when it has none).
func changeNumber(ctx context.Context, s copySide) (int64, error) {
	if s.pg {
		var seq int64
		if err := s.tx.QueryRowContext(ctx, "SELECT last FROM change_seq").Scan(&seq); err != nil {
			return 0, fmt.Errorf("hub: copy: read the change number: %w", err)
		}
		return seq, nil
	}
	v, err := metaTx(ctx, s.tx, metaSeq)
	if err != nil || v == "" {
		return 0, err
	}
	seq, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("hub: copy: the change number %q: %w", v, err)
	}
	return seq, nil
}

func setChangeNumber(ctx context.Context, s copySide, seq int64) error {
	q := "INSERT INTO meta (key, value) VALUES ('" + metaSeq + "', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
	arg := any(strconv.FormatInt(seq, 10))
	if s.pg {
		q, arg = "UPDATE change_seq SET last = ?", seq
	}
	if _, err := s.tx.ExecContext(ctx, q, arg); err != nil {
		return fmt.Errorf("hub: copy: write the change number: %w", err)
	}
	return nil
}

// moveFiles puts every file that src's transaction lists in table files
// into store to from store from, each checked against its hash on the way
// ([BlobStore.Commit]). Files to already holds are left; files from does
// not hold whole are listed in res.MissingFiles. Uploads in progress are
// not moved: a device resumes one from the offset the destination
// reports, which is 0.
func moveFiles(ctx context.Context, src copySide, from, to BlobStore, res *CopyResult) error {
	hashes, err := queryStrings(ctx, src.tx, "SELECT hash FROM files ORDER BY hash")
	if err != nil {
		return fmt.Errorf("hub: copy files: %w", err)
	}
	for _, h := range hashes {
		if _, whole, err := to.Held(ctx, h); err != nil {
			return fmt.Errorf("hub: copy file %s: %w", h, err)
		} else if whole {
			continue
		}
		b, err := from.Open(ctx, h)
		if errors.Is(err, ErrNoBlob) || errors.Is(err, fs.ErrNotExist) {
			res.MissingFiles = append(res.MissingFiles, h)
			continue
		}
		if err != nil {
			return fmt.Errorf("hub: copy file %s: %w", h, err)
		}
		err = putBlob(ctx, to, h, io.NewSectionReader(b, 0, b.Size()), b.Size())
		b.Close()
		if err != nil {
			return fmt.Errorf("hub: copy file %s: %w", h, err)
		}
		res.Files++
		res.FileBytes += b.Size()
	}
	return nil
}
