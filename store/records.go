package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/a20-network/fieldbook/hlc"
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
	for _, f := range sp.fields {
		cols = append(cols, f.name)
	}
	return strings.Join(cols, ", ")
}

// row is a record read generically: meta columns plus fields.
type row struct {
	id, orgID string
	updated   hlc.Timestamp
	version   int64
	fields    Fields
}

func (sp *entitySpec) scan(sc scanner) (row, error) {
	var r row
	var updated string
	targets := []any{&r.id, &r.orgID, &updated, &r.version}
	for _, f := range sp.fields {
		targets = append(targets, f.scanTarget())
	}
	if err := sc.Scan(targets...); err != nil {
		return row{}, err
	}
	ts, err := hlc.Parse(updated)
	if err != nil {
		return row{}, fmt.Errorf("store: %s %s: %w", sp.entity, r.id, err)
	}
	r.updated = ts
	r.fields = make(Fields, len(sp.fields))
	for i, f := range sp.fields {
		v, err := f.fromScanned(targets[4+i])
		if err != nil {
			return row{}, fmt.Errorf("store: %s %s: %w", sp.entity, r.id, err)
		}
		r.fields[f.name] = v
	}
	return r, nil
}

func (sp *entitySpec) load(ctx context.Context, q queryer, id string) (row, error) {
	r, err := sp.scan(q.QueryRowContext(ctx, "SELECT "+sp.columns()+" FROM "+sp.table+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, fmt.Errorf("store: %s %s: %w", sp.entity, id, ErrNotFound)
	}
	if err != nil {
		return row{}, fmt.Errorf("store: load %s %s: %w", sp.entity, id, err)
	}
	return r, nil
}

// upsert writes r whole, inserting or replacing the row with r.id.
func (sp *entitySpec) upsert(ctx context.Context, tx *sql.Tx, r row) error {
	cols := []string{"id", "org_id", "updated_at", "version"}
	args := []any{r.id, r.orgID, r.updated.String(), r.version}
	sets := []string{"org_id = excluded.org_id", "updated_at = excluded.updated_at", "version = excluded.version"}
	for _, f := range sp.fields {
		cols = append(cols, f.name)
		args = append(args, f.columnValue(r.fields[f.name]))
		sets = append(sets, f.name+" = excluded."+f.name)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (id) DO UPDATE SET %s",
		sp.table, strings.Join(cols, ", "), strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", "), strings.Join(sets, ", "))
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: write %s %s: %w", sp.entity, r.id, err)
	}
	return nil
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

// saveLocal writes a record made or edited on this device and records what
// changed in the outbox, in one transaction. create says whether the record
// must be new. It returns the written meta (with ID, timestamps) and whether
// anything changed.
func (s *Store) saveLocal(ctx context.Context, sp *entitySpec, m Meta, f Fields, create bool) (Meta, bool, error) {
	var changed bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		m, changed, err = s.saveLocalTx(ctx, tx, sp, m, f, create)
		return err
	})
	return m, changed, err
}

func (s *Store) saveLocalTx(ctx context.Context, tx *sql.Tx, sp *entitySpec, m Meta, f Fields, create bool) (Meta, bool, error) {
	ts := s.clock.Now()
	changes := map[string]FieldChange{}
	var op string
	var base int64
	if create {
		if m.ID == "" {
			m.ID = NewID()
		}
		var exists int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+sp.table+" WHERE id = ?", m.ID).Scan(&exists); err != nil {
			return m, false, fmt.Errorf("store: create %s: %w", sp.entity, err)
		}
		if exists > 0 {
			return m, false, fmt.Errorf("store: create %s %s: id already used", sp.entity, m.ID)
		}
		if m.OrgID == "" {
			org, err := s.orgIDTx(ctx, tx)
			if err != nil {
				return m, false, err
			}
			m.OrgID = org
		}
		m.CreatedBy = s.device
		m.CreatedAt = s.now().UTC()
		m.Deleted = false
		m.Version = 0
		metaToFields(m, f)
		for _, fs := range sp.fields {
			changes[fs.name] = FieldChange{Old: json.RawMessage("null"), New: encodeValue(f[fs.name])}
		}
		op = OpCreate
	} else {
		old, err := sp.load(ctx, tx, m.ID)
		if err != nil {
			return m, false, err
		}
		// Meta that the user cannot edit comes from the stored row.
		f["created_by"], f["created_at"] = old.fields["created_by"], old.fields["created_at"]
		m.OrgID, m.Version = old.orgID, old.version
		metaFromFields(&m, f)
		for _, fs := range sp.fields {
			if !equalValues(old.fields[fs.name], f[fs.name]) {
				changes[fs.name] = FieldChange{Old: encodeValue(old.fields[fs.name]), New: encodeValue(f[fs.name])}
			}
		}
		if len(changes) == 0 {
			m.UpdatedAt = old.updated
			return m, false, nil
		}
		op = OpUpdate
		if _, ok := changes["deleted"]; ok && m.Deleted {
			op = OpDelete
		}
		base = old.version
	}
	m.UpdatedAt = ts
	if err := sp.upsert(ctx, tx, row{id: m.ID, orgID: m.OrgID, updated: ts, version: m.Version, fields: f}); err != nil {
		return m, false, err
	}
	body, err := json.Marshal(changes)
	if err != nil {
		return m, false, fmt.Errorf("store: encode changes of %s %s: %w", sp.entity, m.ID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (entity, record_id, org_id, op, base_version, changes, hlc, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sp.entity, m.ID, m.OrgID, op, base, string(body), ts.String(), s.now().UTC().Format(timeLayout))
	if err != nil {
		return m, false, fmt.Errorf("store: queue %s %s for sync: %w", sp.entity, m.ID, err)
	}
	return m, true, nil
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
		r.fields["deleted"] = boolInt(deleted)
		_, _, err = s.saveLocalTx(ctx, tx, sp, Meta{ID: id}, r.fields, false)
		return err
	})
}
