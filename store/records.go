package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/model"
)

// queryer is what both *sql.DB and *sql.Tx offer for reads.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type scanner interface{ Scan(dest ...any) error }

// columns returns the SELECT list for sp: meta columns, then its fields.
func (sp *entitySpec) columns() string {
	cols := []string{"id", "org_id", "updated_at", "version"}
	for _, f := range sp.Fields {
		cols = append(cols, f.Name)
	}
	return strings.Join(cols, ", ")
}

// row is a record read generically: meta columns plus fields.
type row struct {
	id, orgID string
	updated   hlc.Timestamp
	version   int64
	fields    model.Fields
}

// scan reads one row of sp.columns(), after any leading columns read into
// the pointers in lead.
func (sp *entitySpec) scan(sc scanner, lead ...any) (row, error) {
	var r row
	var updated string
	targets := append(lead, &r.id, &r.orgID, &updated, &r.version)
	for _, f := range sp.Fields {
		targets = append(targets, f.ScanTarget())
	}
	if err := sc.Scan(targets...); err != nil {
		return row{}, err
	}
	targets = targets[len(lead):]
	ts, err := hlc.Parse(updated)
	if err != nil {
		return row{}, fmt.Errorf("store: %s %s: %w", sp.Entity, r.id, err)
	}
	r.updated = ts
	r.fields = make(model.Fields, len(sp.Fields))
	for i, f := range sp.Fields {
		v, err := f.FromScanned(targets[4+i])
		if err != nil {
			return row{}, fmt.Errorf("store: %s %s: %w", sp.Entity, r.id, err)
		}
		r.fields[f.Name] = v
	}
	return r, nil
}

func (sp *entitySpec) load(ctx context.Context, q queryer, id string) (row, error) {
	r, err := sp.scan(q.QueryRowContext(ctx, "SELECT "+sp.columns()+" FROM "+sp.Table+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, fmt.Errorf("store: %s %s: %w", sp.Entity, id, ErrNotFound)
	}
	if err != nil {
		return row{}, fmt.Errorf("store: load %s %s: %w", sp.Entity, id, err)
	}
	return r, nil
}

// upsert writes r whole, inserting or replacing the row with r.id.
func (sp *entitySpec) upsert(ctx context.Context, tx *sql.Tx, r row) error {
	if err := sp.expandCreates(ctx, tx, r.id); err != nil {
		return err
	}
	cols := []string{"id", "org_id", "updated_at", "version"}
	args := []any{r.id, r.orgID, r.updated.String(), r.version}
	sets := []string{"org_id = excluded.org_id", "updated_at = excluded.updated_at", "version = excluded.version"}
	for _, f := range sp.Fields {
		cols = append(cols, f.Name)
		args = append(args, f.Column(r.fields[f.Name]))
		sets = append(sets, f.Name+" = excluded."+f.Name)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (id) DO UPDATE SET %s",
		sp.Table, strings.Join(cols, ", "), strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", "), strings.Join(sets, ", "))
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: write %s %s: %w", sp.Entity, r.id, err)
	}
	// A pulled or edited record may refer to files this device lacks.
	return noteFileRefsTx(ctx, tx, sp, r.fields, time.UnixMilli(r.updated.Wall).UTC().Format(timeLayout))
}

// FieldChange is one field's value before and after a local change, as JSON.
type FieldChange struct {
	Old json.RawMessage `json:"old"`
	New json.RawMessage `json:"new"`
}

// Ops recorded in the outbox.
const (
	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
)

// saveMode says how [Store.saveLocalTx] treats the stored record.
type saveMode int

const (
	// modeCreate inserts a new record; its id must be unused.
	modeCreate saveMode = iota
	// modeEdit writes a person's edit of an existing record. The tombstone
	// flag is not editable this way: it keeps its stored value.
	modeEdit
	// modeRaw writes every field as given, the tombstone flag included; it
	// backs delete, restore and conflict resolution.
	modeRaw
)

// saveLocal writes a record made or edited on this device and records what
// changed in the outbox, in one transaction. It returns the written meta
// (with ID, timestamps) and whether anything changed.
func (s *Store) saveLocal(ctx context.Context, sp *entitySpec, m model.Meta, f model.Fields, mode saveMode) (model.Meta, bool, error) {
	var changed bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		m, changed, err = s.saveLocalTx(ctx, tx, sp, m, f, mode)
		return err
	})
	return m, changed, err
}

func (s *Store) saveLocalTx(ctx context.Context, tx *sql.Tx, sp *entitySpec, m model.Meta, f model.Fields, mode saveMode) (model.Meta, bool, error) {
	if mode == modeCreate {
		ins, err := s.newInserter(ctx, tx, sp)
		if err != nil {
			return m, false, err
		}
		defer ins.close()
		if m, err = ins.add(ctx, m, f); err != nil {
			return m, false, err
		}
		if err := ins.finish(ctx); err != nil {
			return m, false, err
		}
		return m, true, s.persistHLC(ctx, tx, m.UpdatedAt)
	}
	old, err := sp.load(ctx, tx, m.ID)
	if err != nil {
		return m, false, err
	}
	// Meta that the user cannot edit comes from the stored row.
	f["created_by"], f["created_at"] = old.fields["created_by"], old.fields["created_at"]
	if mode == modeEdit {
		f["deleted"] = old.fields["deleted"]
	}
	m.OrgID, m.Version = old.orgID, old.version
	f.MetaTo(&m)
	changes := map[string]FieldChange{}
	for _, fs := range sp.Fields {
		if !model.EqualValues(old.fields[fs.Name], f[fs.Name]) {
			changes[fs.Name] = FieldChange{Old: model.EncodeValue(old.fields[fs.Name]), New: model.EncodeValue(f[fs.Name])}
		}
	}
	if len(changes) == 0 {
		m.UpdatedAt = old.updated
		return m, false, nil
	}
	op := OpUpdate
	if _, ok := changes["deleted"]; ok && m.Deleted {
		op = OpDelete
	}
	ts := s.clock.Now()
	m.UpdatedAt = ts
	if err := sp.upsert(ctx, tx, row{id: m.ID, orgID: m.OrgID, updated: ts, version: m.Version, fields: f}); err != nil {
		return m, false, err
	}
	body, err := json.Marshal(changes)
	if err != nil {
		return m, false, fmt.Errorf("store: encode changes of %s %s: %w", sp.Entity, m.ID, err)
	}
	_, err = tx.ExecContext(ctx, insertOutboxSQL, sp.Entity, m.ID, m.OrgID, op, old.version, string(body), ts.String(), s.now().UTC().Format(timeLayout))
	if err != nil {
		return m, false, fmt.Errorf("store: queue %s %s for sync: %w", sp.Entity, m.ID, err)
	}
	return m, true, s.persistHLC(ctx, tx, ts)
}

const insertOutboxSQL = `INSERT INTO outbox (` + outboxCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// insertGroup is how many records one INSERT statement writes. SQLite does
// a fixed amount of work per statement (opening a cursor on the table and
// each index, the statement journal); multi-row statements spread it.
const insertGroup = 32

// inserter creates records made on this device within one transaction,
// buffering them into multi-row INSERT statements prepared once per
// transaction. Call finish once after the last add, before the transaction
// commits: it queues the records for sync and indexes them for search.
type inserter struct {
	s   *Store
	tx  *sql.Tx
	sp  *entitySpec
	org string // owner of records that name none
	// floor is the table's largest rowid before the first add: the rows
	// above it are the ones this inserter wrote (one writer, and a new
	// rowid is the largest plus one).
	floor int64

	ids     []string
	records []any // insertGroup rows of record columns, flattened
	stmts   map[int]*sql.Stmt
}

func (s *Store) newInserter(ctx context.Context, tx *sql.Tx, sp *entitySpec) (*inserter, error) {
	org, err := s.orgIDTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	floor, err := sp.maxRowid(ctx, tx)
	if err != nil {
		return nil, err
	}
	return &inserter{s: s, tx: tx, sp: sp, org: org, floor: floor, stmts: map[int]*sql.Stmt{}}, nil
}

func (in *inserter) close() {
	for _, st := range in.stmts {
		st.Close()
	}
}

// multiRow returns "INSERT INTO table (cols) VALUES (?, …), (?, …)" for n rows.
func multiRow(table, cols string, ncols, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncols), ", ") + ")"
	return "INSERT OR FAIL INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

const outboxCols = "entity, record_id, org_id, op, base_version, changes, hlc, created_at"

// insertSQL returns the statement that inserts n records of sp.
func (sp *entitySpec) insertSQL(n int) string {
	return multiRow(sp.Table, sp.columns(), 4+len(sp.Fields), n)
}

func (in *inserter) statement(ctx context.Context, n int) (*sql.Stmt, error) {
	if st, ok := in.stmts[n]; ok {
		return st, nil
	}
	var st *sql.Stmt
	var err error
	if in.sp == activitySpec && n == insertGroup && in.s.groupInsert != nil {
		// The store's statement, already parsed on the writer's connection.
		st, err = in.tx.StmtContext(ctx, in.s.groupInsert), nil
	} else {
		st, err = in.tx.PrepareContext(ctx, in.sp.insertSQL(n))
	}
	if err != nil {
		return nil, fmt.Errorf("store: prepare %s insert: %w", in.sp.Entity, err)
	}
	in.stmts[n] = st
	return st, nil
}

// add queues one new record. It fills in the meta the store owns (ID if
// empty, owner, creator, times) and returns it. The record reaches the
// database at the next flush, which also reports an id already in use.
func (in *inserter) add(ctx context.Context, m model.Meta, f model.Fields) (model.Meta, error) {
	return in.addColumns(ctx, m, func(dst []any, m model.Meta) []any {
		f.SetMeta(m)
		for _, fs := range in.sp.Fields {
			dst = append(dst, fs.Column(f[fs.Name]))
		}
		return dst
	})
}

// addColumns is [inserter.add] for a record that appends its own column
// values (its fields' values in the spec's order, with the meta given).
func (in *inserter) addColumns(ctx context.Context, m model.Meta, columns func(dst []any, m model.Meta) []any) (model.Meta, error) {
	s := in.s
	if m.ID == "" {
		m.ID = model.NewID()
	}
	if m.OrgID == "" {
		m.OrgID = in.org
	}
	ts := s.clock.Now()
	m.CreatedBy = s.DeviceID()
	m.CreatedAt = s.now().UTC()
	m.Deleted = false
	m.Version = 0
	m.UpdatedAt = ts
	in.records = append(in.records, m.ID, m.OrgID, ts.String(), m.Version)
	in.records = columns(in.records, m)
	in.ids = append(in.ids, m.ID)
	if len(in.ids) == insertGroup {
		return m, in.flush(ctx)
	}
	return m, nil
}

// flush writes the queued records.
func (in *inserter) flush(ctx context.Context) error {
	n := len(in.ids)
	if n == 0 {
		return nil
	}
	st, err := in.statement(ctx, n)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, in.records...); err != nil {
		if isUniqueViolation(err) {
			return in.usedID(ctx)
		}
		return fmt.Errorf("store: write %s: %w", in.sp.Table, err)
	}
	in.ids, in.records = in.ids[:0], in.records[:0]
	return nil
}

// finish writes the queued records, then queues every record this
// inserter wrote for sync, in the order they were added, and adds them to
// the full-text index. The creates are queued with the compact body: the
// record as stored is the change, read back by [Store.Outbox] (see
// createBody), and its clock reading is the change's.
func (in *inserter) finish(ctx context.Context) error {
	if err := in.flush(ctx); err != nil {
		return err
	}
	_, err := in.tx.ExecContext(ctx, "INSERT INTO outbox ("+outboxCols+") SELECT ?, id, org_id, ?, 0, ?, updated_at, ? FROM "+in.sp.Table+
		" WHERE rowid > ? ORDER BY rowid", in.sp.Entity, OpCreate, compactCreate, in.s.now().UTC().Format(timeLayout), in.floor)
	if err != nil {
		return fmt.Errorf("store: queue new %s for sync: %w", in.sp.Table, err)
	}
	return in.sp.indexNewRows(ctx, in.tx, in.floor)
}

// usedID names the queued id that is already stored or queued twice.
func (in *inserter) usedID(ctx context.Context) error {
	seen := map[string]bool{}
	for _, id := range in.ids {
		var one int
		err := in.tx.QueryRowContext(ctx, "SELECT 1 FROM "+in.sp.Table+" WHERE id = ?", id).Scan(&one)
		if seen[id] || err == nil {
			return fmt.Errorf("store: create %s %s: id already used", in.sp.Entity, id)
		}
		seen[id] = true
	}
	return fmt.Errorf("store: create %s: id already used", in.sp.Entity)
}

// maxRowid returns the largest rowid of sp's table (0 when empty). Rows
// inserted later in the same transaction have larger rowids:
// [entitySpec.indexNewRows] indexes exactly those.
func (sp *entitySpec) maxRowid(ctx context.Context, q queryer) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, "SELECT coalesce(max(rowid), 0) FROM "+sp.Table).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: read %s rowid: %w", sp.Table, err)
	}
	return n, nil
}

// indexNewRows adds the rows with rowid > floor to sp's full-text index in
// one statement, so FTS5 writes one index segment per transaction.
func (sp *entitySpec) indexNewRows(ctx context.Context, tx *sql.Tx, floor int64) error {
	if sp.fts == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO "+sp.fts+" (rowid, "+sp.ftsCols+") SELECT rowid, "+sp.ftsCols+
		" FROM "+sp.Table+" WHERE rowid > ?", floor)
	if err != nil {
		return fmt.Errorf("store: index new %s: %w", sp.Table, err)
	}
	return nil
}

// isUniqueViolation reports whether err is SQLite refusing a duplicate key.
func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// persistHLC records ts as the highest clock reading issued or accepted, so
// that a reopened store never issues an earlier one, even if the wall clock
// went back while it was closed.
func (s *Store) persistHLC(ctx context.Context, tx *sql.Tx, ts hlc.Timestamp) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('hlc', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE excluded.value > meta.value`, ts.String())
	if err != nil {
		return fmt.Errorf("store: save clock: %w", err)
	}
	return nil
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// UnassignedOrg is the organization id of records made before the device
// enrolled with a hub; enrollment hands them to the device's organization.
const UnassignedOrg = "unassigned"

func (s *Store) orgIDTx(ctx context.Context, q queryer) (string, error) {
	var org string
	err := q.QueryRowContext(ctx, "SELECT value FROM sync_state WHERE key = 'org_id'").Scan(&org)
	if errors.Is(err, sql.ErrNoRows) || org == "" {
		return UnassignedOrg, nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read organization: %w", err)
	}
	return org, nil
}

// OrgID returns the organization this device belongs to, or [UnassignedOrg]
// before enrollment.
func (s *Store) OrgID(ctx context.Context) (string, error) { return s.orgIDTx(ctx, s.reader) }

// setDeleted tombstones or restores a record through the outbox.
func (s *Store) setDeleted(ctx context.Context, sp *entitySpec, id string, deleted bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := sp.load(ctx, tx, id)
		if err != nil {
			return err
		}
		r.fields["deleted"] = model.BoolInt(deleted)
		_, _, err = s.saveLocalTx(ctx, tx, sp, model.Meta{ID: id}, r.fields, modeRaw)
		return err
	})
}
