package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
}

// alone makes tx run alone among the hub's writers that number changes or
// set the hub up, as every transaction does on SQLite: on PostgreSQL it
// locks the change counter until tx ends (see [Hub.inTx]). A transaction
// that reads a value in meta and writes it if missing (the epoch, the
// enrollment code key) takes it first, so that hub processes starting
// together on a new database make one value and all read it.
func (tx writeTx) alone(ctx context.Context) error {
	if !tx.h.pg {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT last FROM change_seq FOR UPDATE"); err != nil {
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

// ExecContext runs query, prepared if it is one of the hub's frequent ones.
func (tx writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := tx.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryRowContext runs query, prepared if it is one of the hub's frequent ones.
func (tx writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// stmtOrQuery runs query for rows, prepared if it is one of the hub's
// frequent ones.
func (tx writeTx) stmtOrQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
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
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(activityColumns)), ", ") + ")"
	return "INSERT INTO activities (" + strings.Join(activityColumns, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + " ON CONFLICT (id) DO UPDATE SET " + strings.Join(sets, ", ")
}

// activityBatch is how many rows one statement writes to the activities
// table: one statement for many rows costs far less than a statement each.
const activityBatch = 32

var (
	sqlUpsertActivity   = upsertActivities(1)
	sqlUpsertActivities = upsertActivities(activityBatch)
)

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
	args := make([]any, 0, activityBatch*len(activityColumns))
	for len(ids) > 0 {
		n, q := 1, sqlUpsertActivity
		if len(ids) >= activityBatch {
			n, q = activityBatch, sqlUpsertActivities
		}
		args = args[:0]
		for _, id := range ids[:n] {
			args = append(args, a.rows[id]...)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("hub: write activities: %w", err)
		}
		ids = ids[n:]
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
var preparedQueries = append([]string{sqlLoadRecord, sqlUpdateRecord, sqlInsertRecord, sqlLastSeq, sqlSetLastSeq, sqlInsertConflict, sqlInsertApplied, sqlAppliedHLC,
	sqlUpsertActivity, sqlUpsertActivities, sqlDropFileRefs, sqlInsertFileRef}, rollupQueries()...)

func loadRecord(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, id string) (*record, error) {
	r := &record{}
	var body, state string
	var clean, wasNet int64
	err := q.QueryRowContext(ctx, sqlLoadRecord, id).Scan(&r.id, &r.entity, &r.org, &r.version, &r.prev, &r.hlc, &r.lastBy, &clean, &wasNet, &body, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("hub: load record %s: %w", id, err)
	}
	r.clean, r.wasNet = clean != 0, wasNet != 0
	if err := json.Unmarshal([]byte(body), &r.body); err != nil {
		return nil, fmt.Errorf("hub: record %s body: %w", id, err)
	}
	if err := decodeState([]byte(state), &r.state); err != nil {
		return nil, fmt.Errorf("hub: record %s state: %w", id, err)
	}
	return r, nil
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
	if exists {
		_, err = tx.ExecContext(ctx, sqlUpdateRecord,
			r.org, vis, b2i(r.deleted()), r.version, r.hlc, r.prev, r.lastBy, b2i(r.clean), b2i(r.wasNet), string(body), string(state), r.id)
	} else {
		_, err = tx.ExecContext(ctx, sqlInsertRecord,
			r.id, r.entity, r.org, vis, b2i(r.deleted()), r.version, r.hlc, r.prev, r.lastBy, b2i(r.clean), b2i(r.wasNet), string(body), string(state))
	}
	if err != nil {
		return fmt.Errorf("hub: write record %s: %w", r.id, err)
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

// sequence hands out hub versions within one transaction. On PostgreSQL
// load locks the change counter until the transaction ends (see inTx).
type sequence struct{ last int64 }

func (s *sequence) load(ctx context.Context, tx writeTx) error {
	if tx.h.pg {
		// Locked until tx ends: see inTx.
		if err := tx.QueryRowContext(ctx, "SELECT last FROM change_seq FOR UPDATE").Scan(&s.last); err != nil {
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
