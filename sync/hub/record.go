package hub

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/a20-network/fieldbook/store"
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
}

func (r *record) text(field string) string {
	var s string
	_ = json.Unmarshal(r.body[field], &s)
	return s
}

func (r *record) deleted() bool { return string(r.body["deleted"]) == "1" }

func loadRecord(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, id string) (*record, error) {
	r := &record{}
	var body, state string
	var clean, wasNet int64
	err := q.QueryRowContext(ctx, `SELECT id, entity, org_id, version, prev_version, hlc, last_by, last_clean, was_network, body, state
		FROM records WHERE id = ?`, id).Scan(&r.id, &r.entity, &r.org, &r.version, &r.prev, &r.hlc, &r.lastBy, &clean, &wasNet, &body, &state)
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
	if err := json.Unmarshal([]byte(state), &r.state); err != nil {
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

// save writes r, and the activities row when r is an activity.
func (r *record) save(ctx context.Context, tx *sql.Tx, exists bool) error {
	body, err := json.Marshal(r.body)
	if err != nil {
		return fmt.Errorf("hub: encode record %s: %w", r.id, err)
	}
	state, err := json.Marshal(r.state)
	if err != nil {
		return fmt.Errorf("hub: encode record %s: %w", r.id, err)
	}
	vis := r.text("visibility")
	r.wasNet = r.wasNet || vis == store.VisibilityNetwork
	if exists {
		_, err = tx.ExecContext(ctx, `UPDATE records SET org_id = ?, visibility = ?, deleted = ?, version = ?, hlc = ?, prev_version = ?,
			last_by = ?, last_clean = ?, was_network = ?, body = ?, state = ? WHERE id = ?`,
			r.org, vis, b2i(r.deleted()), r.version, r.hlc, r.prev, r.lastBy, b2i(r.clean), b2i(r.wasNet), string(body), string(state), r.id)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO records (id, entity, org_id, visibility, deleted, version, hlc, prev_version, last_by, last_clean, was_network, body, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.id, r.entity, r.org, vis, b2i(r.deleted()), r.version, r.hlc, r.prev, r.lastBy, b2i(r.clean), b2i(r.wasNet), string(body), string(state))
	}
	if err != nil {
		return fmt.Errorf("hub: write record %s: %w", r.id, err)
	}
	if r.entity == store.EntityActivity {
		return r.saveActivity(ctx, tx)
	}
	return nil
}

// saveActivity mirrors an activity into the activities table, in the
// device's column shape, for the report queries.
func (r *record) saveActivity(ctx context.Context, tx *sql.Tx) error {
	cols := []string{"id", "org_id", "updated_at", "version"}
	args := []any{r.id, r.org, r.hlc, r.version}
	sets := []string{"org_id = excluded.org_id", "updated_at = excluded.updated_at", "version = excluded.version"}
	for _, f := range store.FieldNames(store.EntityActivity) {
		cols = append(cols, f)
		args = append(args, columnValue(r.body[f]))
		sets = append(sets, f+" = excluded."+f)
	}
	q := "INSERT INTO activities (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ") ON CONFLICT (id) DO UPDATE SET " + strings.Join(sets, ", ")
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("hub: write activity %s: %w", r.id, err)
	}
	return nil
}

// columnValue converts a validated JSON field value to what the device
// stores in that column: text, integer, real or NULL, and lists as JSON.
func columnValue(raw json.RawMessage) any {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil
	case raw[0] == '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	case raw[0] == '[':
		return string(raw)
	}
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return n
	}
	f, _ := strconv.ParseFloat(string(raw), 64)
	return f
}

// sequence hands out hub versions within one transaction.
type sequence struct{ last int64 }

func (s *sequence) load(ctx context.Context, tx *sql.Tx) error {
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

func (s *sequence) save(ctx context.Context, tx *sql.Tx) error {
	return setMetaTx(ctx, tx, "seq", strconv.FormatInt(s.last, 10))
}
