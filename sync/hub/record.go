package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/a20-network/fieldbook/model"
)

// fieldState is what the hub knows of a field's last change.
type fieldState struct {
	V int64  `json:"v"` // hub version
	H string `json:"h"` // clock of the change
	D string `json:"d"` // device that made it
}

// record is a record as the hub holds it.
type record struct {
	id, entity, org string
	version, prev   int64
	hlc, lastBy     string
	clean, wasNet   bool
	body            map[string]json.RawMessage
	state           map[string]fieldState
	// cols are the activities columns of body when already known.
	cols []any
}

func (r *record) text(field string) string {
	var s string
	_ = json.Unmarshal(r.body[field], &s)
	return s
}

func (r *record) deleted() bool { return string(r.body["deleted"]) == "1" }

const (
	sqlLoadRecord = `SELECT id, entity, org_id, version, prev_version, hlc, last_by, last_clean, was_network, body, state
		FROM records WHERE id = ?`
	sqlUpdateRecord = `UPDATE records SET org_id = ?, visibility = ?, deleted = ?, version = ?, hlc = ?, prev_version = ?,
			last_by = ?, last_clean = ?, was_network = ?, body = ?, state = ? WHERE id = ?`
	sqlInsertRecord = `INSERT INTO records (id, entity, org_id, visibility, deleted, version, hlc, prev_version, last_by, last_clean, was_network, body, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// writeTx is a write transaction that runs the hub's frequent statements
// prepared once, instead of parsing them again for every change.
type writeTx struct {
	*sql.Tx
	h *Hub
	// acts are the activities rows to write before the transaction
	// commits.
	acts *activityRows
	// recs are the records the transaction read or wrote, and the new ones
	// it has yet to insert.
	recs *recordSet
}

// alone makes tx run alone among the hub's writers that number changes or
// set the hub up, as every transaction does on SQLite: on PostgreSQL it
// locks the change counter until tx ends (see [Hub.inTx]). A transaction
// that reads a value in meta and writes it if missing (the epoch, the
// enrollment code key) takes it first, so that hub processes starting
// together on a new database make one value and all read it.
// sqlLockCounter locks the change counter's row until the transaction
// ends, and reads the last number handed out (see [Hub.inTx]).
const sqlLockCounter = "SELECT last FROM change_seq FOR UPDATE"

func (tx writeTx) alone(ctx context.Context) error {
	if !tx.h.pg {
		return nil
	}
	if _, err := tx.ExecContext(ctx, sqlLockCounter); err != nil {
		return fmt.Errorf("hub: lock the change counter: %w", err)
	}
	return nil
}

func (tx writeTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if s, ok := tx.h.stmts[query]; ok {
		return tx.StmtContext(ctx, s)
	}
	return nil
}

// ExecContext runs query, prepared if it is one of the hub's frequent ones,
// after the new records waiting to be inserted unless query is one that
// cannot see them ([recordsUnseen]).
func (tx writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := tx.insertPendingBefore(ctx, query); err != nil {
		return nil, err
	}
	if s := tx.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryRowContext runs query, prepared if it is one of the hub's frequent
// ones, after the new records waiting to be inserted as ExecContext does. If
// inserting them fails, the transaction fails with that error when fn
// returns (see [Hub.inTx]).
func (tx writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	_ = tx.insertPendingBefore(ctx, query)
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// QueryContext runs query for rows, after the new records waiting to be
// inserted as ExecContext does.
func (tx writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.stmtOrQuery(ctx, query, args...)
}

// stmtOrQuery runs query for rows, prepared if it is one of the hub's
// frequent ones, after the new records waiting to be inserted as
// ExecContext does.
func (tx writeTx) stmtOrQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := tx.insertPendingBefore(ctx, query); err != nil {
		return nil, err
	}
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// activityColumns are the columns of the activities table the hub writes:
// the device's meta columns, then every field.
var activityColumns = append([]string{"id", "org_id", "updated_at", "version"}, model.FieldNames(model.EntityActivity)...)

// upsertActivities returns the statement that writes n rows of the
// activities table. It upserts rather than replaces, so that the report
// rollup's triggers see the old row go and the new one come.
func upsertActivities(n int) string {
	sets := make([]string, 0, len(activityColumns)-1)
	for _, c := range activityColumns[1:] {
		sets = append(sets, c+" = excluded."+c)
	}
	return insertRows("activities", activityColumns, n) + " ON CONFLICT (id) DO UPDATE SET " + strings.Join(sets, ", ")
}

// insertRows returns the statement that inserts n rows of cols into table.
func insertRows(table string, cols []string, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// rowStatements are the statements of one multi-row write: the i-th
// writes batch>>i rows, down to one row, batch being a power of two.
type rowStatements []string

// newRowStatements returns the statements of a write of batch rows at
// most, build(n) being the statement for n rows.
func newRowStatements(batch int, build func(n int) string) rowStatements {
	var out rowStatements
	for n := batch; n >= 1; n /= 2 {
		out = append(out, build(n))
	}
	return out
}

// execRows writes rows with stmts: as many of the largest statement as
// the rows fill, then for what is left at most one of each smaller size.
// One statement for many rows costs far less than a statement each, and on
// PostgreSQL one round trip instead of many.
func execRows(ctx context.Context, tx writeTx, stmts rowStatements, rows [][]any) error {
	var args []any
	for i, q := range stmts {
		size := 1 << (len(stmts) - 1 - i)
		for len(rows) >= size {
			args = args[:0]
			for _, r := range rows[:size] {
				args = append(args, r...)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
			rows = rows[size:]
		}
	}
	return nil
}

// activityBatch is how many rows one statement writes to the activities
// table: one statement for many rows costs far less than a statement each.
const activityBatch = 32

var activityWrites = newRowStatements(activityBatch, upsertActivities)

// activityRows collects the activities rows a write transaction changes,
// the latest values of each, to write them together before it commits.
type activityRows struct {
	order []string
	rows  map[string][]any
}

func (a *activityRows) add(id string, row []any) {
	if a.rows == nil {
		a.rows = map[string][]any{}
	}
	if _, ok := a.rows[id]; !ok {
		a.order = append(a.order, id)
	}
	a.rows[id] = row
}

// flush writes the collected rows in tx. When they are many, it keeps the
// report rollup with grouped statements around the writes instead of the
// triggers' row-by-row work.
func (a *activityRows) flush(ctx context.Context, tx writeTx) error {
	ids := a.order
	var rb *rollupBatch
	if len(ids) >= rollupBatchMin {
		var err error
		if rb, err = startRollupBatch(ctx, tx, ids); err != nil {
			return err
		}
	}
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = a.rows[id]
	}
	if err := execRows(ctx, tx, activityWrites, rows); err != nil {
		return fmt.Errorf("hub: write activities: %w", err)
	}
	if rb != nil {
		if err := rb.end(ctx, tx); err != nil {
			return err
		}
	}
	a.order, a.rows = nil, nil
	return nil
}

// preparedQueries are prepared on the writer connection when the hub opens.
var preparedQueries = slices.Concat([]string{sqlLoadRecord, sqlUpdateRecord, sqlInsertRecord, sqlLastSeq, sqlSetLastSeq, sqlInsertConflict,
	sqlInsertApplied, sqlAppliedHLC, sqlAppliedRange, sqlDropFileRefs, sqlInsertFileRef},
	recordInserts, appliedWrites, activityWrites, rollupQueries())

// loadRecord reads record id, nil if there is none.
func loadRecord(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, id string) (*record, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, sqlLoadRecord, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("hub: load record %s: %w", id, err)
	}
	return r, nil
}

// scanRecord reads a record from a row of sqlLoadRecord's columns.
func scanRecord(sc interface{ Scan(...any) error }) (*record, error) {
	r := &record{}
	var body, state string
	var clean, wasNet int64
	if err := sc.Scan(&r.id, &r.entity, &r.org, &r.version, &r.prev, &r.hlc, &r.lastBy, &clean, &wasNet, &body, &state); err != nil {
		return nil, err
	}
	r.clean, r.wasNet = clean != 0, wasNet != 0
	if err := json.Unmarshal([]byte(body), &r.body); err != nil {
		return nil, fmt.Errorf("record %s body: %w", r.id, err)
	}
	if err := decodeState([]byte(state), &r.state); err != nil {
		return nil, fmt.Errorf("record %s state: %w", r.id, err)
	}
	return r, nil
}

// clone is a copy of r whose fields may be changed without changing r's.
// The columns are left out: they are r's body's.
func (r *record) clone() *record {
	c := *r
	c.body, c.state, c.cols = maps.Clone(r.body), maps.Clone(r.state), nil
	return &c
}

// recordBatch is how many new records one statement inserts.
const recordBatch = 32

// recordColumns are the records table's columns, in sqlInsertRecord's
// order.
var recordColumns = []string{"id", "entity", "org_id", "visibility", "deleted", "version", "hlc", "prev_version", "last_by", "last_clean", "was_network", "body", "state"}

var recordInserts = newRowStatements(recordBatch, func(n int) string { return insertRows("records", recordColumns, n) })

// recordSet is what one write transaction knows of the records it reads
// and writes: the records a request's changes name, read in one statement
// once the transaction holds the right to write them (see [Hub.inTx]), and
// every record it wrote since. New records are inserted together, before
// the first statement that could see the records table
// ([writeTx.insertPendingBefore]) and at the latest before the commit.
type recordSet struct {
	// known holds the records read or written, nil for one known to be
	// absent; a reader gets a copy.
	known map[string]*record
	// pending are the ids of new records not inserted yet, in order, and
	// their rows.
	pending []string
	rows    map[string][]any
	// err is why inserting the pending records failed: the transaction
	// then fails with it.
	err error
}

// recordsUnseen are the frequent statements that neither read the records
// table nor refer to its rows, and so run without the pending new records
// inserted first.
var recordsUnseen = func() map[string]bool {
	m := map[string]bool{}
	for _, q := range slices.Concat([]string{sqlUpdateRecord, sqlInsertRecord, sqlInsertApplied, sqlAppliedHLC, sqlAppliedRange,
		sqlDropFileRefs, sqlInsertFileRef, sqlInsertRejection, sqlRejection, sqlLastSeq, sqlSetLastSeq}, recordInserts, appliedWrites) {
		m[q] = true
	}
	return m
}()

// insertPendingBefore inserts the new records waiting to be, unless query
// is one of [recordsUnseen].
func (tx writeTx) insertPendingBefore(ctx context.Context, query string) error {
	if tx.recs == nil || len(tx.recs.pending) == 0 || recordsUnseen[query] {
		return nil
	}
	return tx.recs.insert(ctx, tx)
}

// insert writes the pending new records.
func (rs *recordSet) insert(ctx context.Context, tx writeTx) error {
	if rs.err != nil {
		return rs.err
	}
	rows := make([][]any, len(rs.pending))
	for i, id := range rs.pending {
		rows[i] = rs.rows[id]
	}
	rs.pending, rs.rows = nil, nil
	if err := execRows(ctx, tx, recordInserts, rows); err != nil {
		rs.err = fmt.Errorf("hub: write records: %w", err)
	}
	return rs.err
}

// preload reads the records of ids that the set does not know yet, in one
// statement.
func (rs *recordSet) preload(ctx context.Context, tx writeTx, ids []string) error {
	if rs.known == nil {
		rs.known = map[string]*record{}
	}
	var args []any
	for _, id := range ids {
		if _, ok := rs.known[id]; !ok {
			rs.known[id] = nil
			args = append(args, id)
		}
	}
	if len(args) == 0 {
		return nil
	}
	q := strings.Replace(sqlLoadRecord, "WHERE id = ?", "WHERE id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+")", 1)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("hub: load records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return fmt.Errorf("hub: load records: %w", err)
		}
		rs.known[r.id] = r
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("hub: load records: %w", err)
	}
	return nil
}

// record reads record id as the transaction holds it, nil if there is
// none; the caller may change the copy it gets.
func (tx writeTx) record(ctx context.Context, id string) (*record, error) {
	if tx.recs != nil {
		if r, ok := tx.recs.known[id]; ok {
			if r == nil {
				return nil, nil
			}
			return r.clone(), nil
		}
	}
	return loadRecord(ctx, tx, id)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// save writes r and its files' references (file_refs) and, when r is an
// activity, queues its activities row,
// which the transaction writes before it commits.
func (r *record) save(ctx context.Context, tx writeTx, exists bool) error {
	body, state := encodeBody(r.body), encodeState(r.state)
	var err error
	vis := r.text("visibility")
	r.wasNet = r.wasNet || vis == model.VisibilityNetwork
	row := []any{r.id, r.entity, r.org, vis, b2i(r.deleted()), r.version, r.hlc, r.prev, r.lastBy, b2i(r.clean), b2i(r.wasNet), string(body), string(state)}
	rs := tx.recs
	pending := false
	if rs != nil {
		_, pending = rs.rows[r.id]
	}
	switch {
	case rs == nil:
		err = r.write(ctx, tx, exists, row)
	case pending:
		// Inserted with its latest fields.
		rs.rows[r.id] = row
	case !exists:
		if rs.rows == nil {
			rs.rows = map[string][]any{}
		}
		rs.pending, rs.rows[r.id] = append(rs.pending, r.id), row
	default:
		err = r.write(ctx, tx, exists, row)
	}
	if err != nil {
		return err
	}
	if rs != nil {
		if rs.known == nil {
			rs.known = map[string]*record{}
		}
		// Not changed after it is saved; a reader gets a copy.
		rs.known[r.id] = r
	}
	if err := indexFiles(ctx, tx, r, exists); err != nil {
		return err
	}
	if r.entity != model.EntityActivity {
		return nil
	}
	vals := r.cols
	if vals == nil {
		if vals, err = model.ColumnValues(r.entity, r.body); err != nil {
			return fmt.Errorf("hub: write activity %s: %w", r.id, err)
		}
	}
	tx.acts.add(r.id, append([]any{r.id, r.org, r.hlc, r.version}, vals...))
	return nil
}

// write inserts or updates r's row, given in sqlInsertRecord's order.
func (r *record) write(ctx context.Context, tx writeTx, exists bool, row []any) error {
	var err error
	if exists {
		_, err = tx.ExecContext(ctx, sqlUpdateRecord, append(row[2:], r.id)...)
	} else {
		_, err = tx.ExecContext(ctx, sqlInsertRecord, row...)
	}
	if err != nil {
		return fmt.Errorf("hub: write record %s: %w", r.id, err)
	}
	return nil
}

// sequence hands out hub versions within one transaction. On PostgreSQL
// load locks the change counter until the transaction ends (see inTx).
type sequence struct{ last int64 }

func (s *sequence) load(ctx context.Context, tx writeTx) error {
	if tx.h.pg {
		// Locked until tx ends: see inTx.
		if err := tx.QueryRowContext(ctx, sqlLockCounter).Scan(&s.last); err != nil {
			return fmt.Errorf("hub: read the change counter: %w", err)
		}
		return nil
	}
	v, err := metaTx(ctx, tx, "seq")
	if err != nil {
		return err
	}
	if v != "" {
		s.last, err = strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("hub: bad sequence %q: %w", v, err)
		}
	}
	return nil
}

func (s *sequence) next() int64 { s.last++; return s.last }

func (s *sequence) save(ctx context.Context, tx writeTx) error {
	if tx.h.pg {
		if _, err := tx.ExecContext(ctx, "UPDATE change_seq SET last = ?", s.last); err != nil {
			return fmt.Errorf("hub: save the change counter: %w", err)
		}
		return nil
	}
	return setMetaTx(ctx, tx, "seq", strconv.FormatInt(s.last, 10))
}

// encodeBody writes a record's fields as a JSON object with sorted keys.
// The values were checked by [canonical] already, so unlike json.Marshal
// it does not parse them again; this is the hub's hottest path.
func encodeBody(body map[string]json.RawMessage) []byte {
	keys := make([]string, 0, len(body))
	n := 2
	for k, v := range body {
		keys = append(keys, k)
		n += len(k) + len(v) + 4
	}
	sort.Strings(keys)
	out := make([]byte, 0, n)
	out = append(out, '{')
	for i, k := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, k)
		out = append(out, ':')
		out = append(out, body[k]...)
	}
	return append(out, '}')
}

// appendString appends s as a JSON string.
func appendString(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			b, _ := json.Marshal(s)
			return append(out, b...)
		}
	}
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"')
}

// The field state is stored compactly: the distinct changes once, and
// each field pointing at one of them, since one change usually sets many
// fields: {"c":[[version,"clock","device"],...],"f":{"field":index,...}}.
type storedState struct {
	C [][3]json.RawMessage `json:"c"`
	F map[string]int       `json:"f"`
}

func encodeState(state map[string]fieldState) []byte {
	keys := make([]string, 0, len(state))
	for k := range state {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	index := map[fieldState]int{}
	var changes []fieldState
	for _, k := range keys {
		if _, ok := index[state[k]]; !ok {
			index[state[k]] = len(changes)
			changes = append(changes, state[k])
		}
	}
	out := []byte(`{"c":[`)
	for i, c := range changes {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, '[')
		out = strconv.AppendInt(out, c.V, 10)
		out = append(out, ',')
		out = appendString(out, c.H)
		out = append(out, ',')
		out = appendString(out, c.D)
		out = append(out, ']')
	}
	out = append(out, `],"f":{`...)
	for i, k := range keys {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, k)
		out = append(out, ':')
		out = strconv.AppendInt(out, int64(index[state[k]]), 10)
	}
	return append(out, '}', '}')
}

func decodeState(data []byte, state *map[string]fieldState) error {
	var st storedState
	if err := json.Unmarshal(data, &st); err != nil {
		return err
	}
	changes := make([]fieldState, len(st.C))
	for i, c := range st.C {
		if err := json.Unmarshal(c[0], &changes[i].V); err != nil {
			return err
		}
		if err := json.Unmarshal(c[1], &changes[i].H); err != nil {
			return err
		}
		if err := json.Unmarshal(c[2], &changes[i].D); err != nil {
			return err
		}
	}
	*state = make(map[string]fieldState, len(st.F))
	for k, i := range st.F {
		if i < 0 || i >= len(changes) {
			return fmt.Errorf("field %s: change %d of %d", k, i, len(changes))
		}
		(*state)[k] = changes[i]
	}
	return nil
}
