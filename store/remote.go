package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/model"
)

// RemoteRecord is a record's full state as the hub holds it.
type RemoteRecord struct {
	Entity    string
	ID        string
	OrgID     string
	Version   int64
	UpdatedAt string // hlc.Timestamp text
	// Fields holds every syncable field as JSON. Unknown fields (from a newer
	// hub) are ignored; missing ones keep the local value.
	Fields map[string]json.RawMessage
}

// Conflict is a field that two people changed to different values. The
// record shows Winner; Loser is kept until someone resolves the conflict.
type Conflict struct {
	ID        string
	Entity    string
	RecordID  string
	Field     string
	Winner    json.RawMessage
	Loser     json.RawMessage
	WinnerHLC string
	LoserHLC  string
	LoserBy   string
	CreatedAt time.Time
	Resolved  bool
}

// EntityConflict is the outbox entity of a conflict resolution.
const EntityConflict = "conflict"

// ApplyRemote writes records and conflicts pulled from the hub and the new
// sync state (the cursor) in one transaction, so that a crash either keeps
// all of them or none. Fields the device changed locally and has not yet had
// acknowledged keep their local value: the hub merges them when they arrive.
// Records of unknown entities are skipped with a log line.
func (s *Store) ApplyRemote(ctx context.Context, recs []RemoteRecord, conflicts []Conflict, state map[string]string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		rec, err := s.recoveryTx(ctx, tx)
		if err != nil {
			return err
		}
		var quarantined int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM quarantine").Scan(&quarantined); err != nil {
			return fmt.Errorf("store: count set-aside records: %w", err)
		}
		floors := map[*entitySpec]int64{}
		for _, sp := range []*entitySpec{activitySpec, resourceSpec} {
			n, err := sp.maxRowid(ctx, tx)
			if err != nil {
				return err
			}
			floors[sp] = n
		}
		// New rows reach the full-text index at the end; a record that comes
		// twice in one batch must be indexed before its second write, whose
		// update trigger removes the indexed terms of the first.
		unindexed := map[string]bool{}
		for _, rr := range recs {
			if unindexed[rr.ID] {
				for sp, floor := range floors {
					if err := sp.indexNewRows(ctx, tx, floor); err != nil {
						return err
					}
					n, err := sp.maxRowid(ctx, tx)
					if err != nil {
						return err
					}
					floors[sp] = n
				}
				clear(unindexed)
			}
			inserted, err := s.applyRecordTx(ctx, tx, rr, rec)
			var bad *badRecordError
			if errors.As(err, &bad) {
				// One unreadable record never blocks the rest: it is kept
				// aside, and a readable version replaces it.
				if err := quarantine(ctx, tx, rr, bad, s.now()); err != nil {
					return err
				}
				quarantined++
				continue
			}
			if err != nil {
				return err
			}
			if quarantined > 0 {
				if _, err := tx.ExecContext(ctx, "DELETE FROM quarantine WHERE record_id = ?", rr.ID); err != nil {
					return fmt.Errorf("store: release %s: %w", rr.ID, err)
				}
			}
			if inserted {
				unindexed[rr.ID] = true
			}
		}
		for sp, floor := range floors {
			if err := sp.indexNewRows(ctx, tx, floor); err != nil {
				return err
			}
		}
		for _, c := range conflicts {
			if err := s.applyConflictTx(ctx, tx, c, rec); err != nil {
				return err
			}
		}
		return setStateTx(ctx, tx, state)
	})
}

// applyConflictTx writes one pulled conflict. During a recovery, a
// conflict this device resolved and the restored hub has open gets its
// resolution queued again.
func (s *Store) applyConflictTx(ctx context.Context, tx *sql.Tx, c Conflict, rec *recovery) error {
	var localResolved int64
	if rec != nil {
		err := tx.QueryRowContext(ctx, "SELECT resolved FROM conflicts WHERE id = ?", c.ID).Scan(&localResolved)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: read conflict %s: %w", c.ID, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery WHERE id = ?", c.ID); err != nil {
			return fmt.Errorf("store: recovery of conflict %s: %w", c.ID, err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO conflicts (id, entity, record_id, field, winner, loser, winner_hlc, loser_hlc, loser_by, created_at, resolved)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET winner = excluded.winner, loser = excluded.loser, winner_hlc = excluded.winner_hlc,
			resolved = max(conflicts.resolved, excluded.resolved)`,
		c.ID, c.Entity, c.RecordID, c.Field, string(c.Winner), string(c.Loser), c.WinnerHLC, c.LoserHLC, c.LoserBy,
		c.CreatedAt.UTC().Format(timeLayout), model.BoolInt(c.Resolved))
	if err != nil {
		return fmt.Errorf("store: save conflict %s: %w", c.ID, err)
	}
	if rec == nil || localResolved == 0 || c.Resolved {
		return nil
	}
	var queued int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE entity = ? AND record_id = ?", EntityConflict, c.ID).Scan(&queued); err != nil {
		return fmt.Errorf("store: read outbox: %w", err)
	}
	if queued > 0 {
		return nil
	}
	body, _ := json.Marshal(map[string]FieldChange{"resolved": {Old: json.RawMessage("0"), New: json.RawMessage("1")}})
	ts := s.clock.Now()
	if _, err := tx.ExecContext(ctx, insertOutboxSQL, EntityConflict, c.ID, rec.org, OpUpdate, int64(0), string(body), ts.String(), rec.now); err != nil {
		return fmt.Errorf("store: queue resolution of conflict %s: %w", c.ID, err)
	}
	return s.persistHLC(ctx, tx, ts)
}

// recovery is what a pull applies while a recovery from a restored hub
// runs (see [Store.SwitchEpoch]).
type recovery struct {
	org string
	now string
}

// recoveryTx returns the running recovery, nil when none runs.
func (s *Store) recoveryTx(ctx context.Context, tx *sql.Tx) (*recovery, error) {
	var on string
	if err := tx.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM sync_state WHERE key = ?), '')", stateRecovering).Scan(&on); err != nil {
		return nil, fmt.Errorf("store: read recovery state: %w", err)
	}
	if on != "1" {
		return nil, nil
	}
	org, err := s.orgIDTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	return &recovery{org: org, now: s.now().UTC().Format(timeLayout)}, nil
}

// badRecordError is a pulled record this device cannot read.
type badRecordError struct{ reason string }

func (e *badRecordError) Error() string { return e.reason }

// quarantine keeps an unreadable pulled record aside, raw, with the reason.
func quarantine(ctx context.Context, tx *sql.Tx, rr RemoteRecord, bad *badRecordError, now time.Time) error {
	raw, err := json.Marshal(rr)
	if err != nil {
		raw = fmt.Appendf(nil, "%+v", rr)
	}
	slog.Warn("pulled record set aside", "entity", rr.Entity, "id", rr.ID, "version", rr.Version, "reason", bad.reason)
	_, err = tx.ExecContext(ctx, `INSERT INTO quarantine (record_id, entity, version, raw, reason, at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (record_id) DO UPDATE SET entity = excluded.entity, version = excluded.version, raw = excluded.raw, reason = excluded.reason, at = excluded.at`,
		rr.ID, rr.Entity, rr.Version, string(raw), bad.reason, now.UTC().Format(timeLayout))
	if err != nil {
		return fmt.Errorf("store: set aside %s %s: %w", rr.Entity, rr.ID, err)
	}
	return nil
}

// applyRecordTx writes one pulled record and reports whether it was new
// to this device. An unreadable record returns a [*badRecordError] and
// changes nothing. During a recovery (rec not nil), a record this device
// holds beyond the restored hub keeps its local values where they differ,
// and those are queued to be given back.
func (s *Store) applyRecordTx(ctx context.Context, tx *sql.Tx, rr RemoteRecord, rec *recovery) (inserted bool, err error) {
	sp, ok := specs[rr.Entity]
	if !ok {
		slog.Warn("skipping record of unknown entity", "entity", rr.Entity, "id", rr.ID)
		return false, nil
	}
	if rr.ID == "" || len(rr.ID) > 64 {
		return false, &badRecordError{reason: fmt.Sprintf("record id %q is not 1 to 64 characters", rr.ID)}
	}
	remoteTS, err := hlc.Parse(rr.UpdatedAt)
	if err != nil {
		return false, &badRecordError{reason: fmt.Sprintf("clock: %v", err)}
	}
	decoded := make(model.Fields, len(sp.Fields))
	for _, fs := range sp.Fields {
		if raw, ok := rr.Fields[fs.Name]; ok {
			v, err := fs.Decode(raw)
			if err != nil {
				return false, &badRecordError{reason: fmt.Sprintf("field %s: %v", fs.Name, err)}
			}
			decoded[fs.Name] = v
		}
	}
	// A far-ahead clock is not followed; the record is still kept.
	if s.clock.Observe(remoteTS) == nil {
		if err := s.persistHLC(ctx, tx, remoteTS); err != nil {
			return false, err
		}
	}
	local, err := sp.load(ctx, tx, rr.ID)
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	pending, err := pendingFields(ctx, tx, rr.ID)
	if err != nil {
		return false, err
	}
	keep := map[string]bool{}
	if rec != nil && exists {
		if keep, err = s.recoverRecordTx(ctx, tx, sp, rr, local, decoded, pending, rec); err != nil {
			return false, err
		}
	}
	out := row{id: rr.ID, orgID: rr.OrgID, updated: remoteTS, version: rr.Version, fields: model.Fields{}}
	for _, fs := range sp.Fields {
		if exists && (pending[fs.Name] || keep[fs.Name]) {
			out.fields[fs.Name] = local.fields[fs.Name]
			continue
		}
		if v, ok := decoded[fs.Name]; ok {
			out.fields[fs.Name] = v
			continue
		}
		if exists {
			out.fields[fs.Name] = local.fields[fs.Name]
		} else {
			out.fields[fs.Name] = fs.Zero()
		}
	}
	if exists && (len(pending) > 0 || len(keep) > 0) && local.updated.Compare(remoteTS) > 0 {
		out.updated = local.updated
	}
	return !exists, sp.upsert(ctx, tx, out)
}

// recoverRecordTx compares a record pulled from a restored hub with the
// local one when the device held it beyond the hub's backup. The fields
// that differ (and are not already queued) are kept and queued as a
// reoffer with the local record's clock; it returns them.
func (s *Store) recoverRecordTx(ctx context.Context, tx *sql.Tx, sp *entitySpec, rr RemoteRecord, local row, decoded model.Fields, pending map[string]bool, rec *recovery) (map[string]bool, error) {
	res, err := tx.ExecContext(ctx, "DELETE FROM recovery WHERE id = ?", rr.ID)
	if err != nil {
		return nil, fmt.Errorf("store: recovery of %s: %w", rr.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 || rr.OrgID != rec.org || sp == organizationSpec {
		return nil, nil
	}
	keep := map[string]bool{}
	changes := map[string]FieldChange{}
	for _, fs := range sp.Fields {
		v, ok := decoded[fs.Name]
		if !ok || pending[fs.Name] || slices.Contains(model.CreatedOnce, fs.Name) {
			// Who made a record, when and where it belongs are the hub's
			// to say once it has the record.
			continue
		}
		mine, theirs := model.EncodeValue(local.fields[fs.Name]), model.EncodeValue(v)
		if bytes.Equal(mine, theirs) {
			continue
		}
		keep[fs.Name] = true
		changes[fs.Name] = FieldChange{Old: theirs, New: mine}
	}
	if len(changes) == 0 {
		return nil, nil
	}
	body, _ := json.Marshal(changes)
	// Made from no version: the device's record version does not say
	// which of its fields it saw on the hub (a field kept while its own
	// change waited is older), so every field another device wrote on the
	// restored hub that differs becomes a conflict, never an overwrite.
	if _, err := tx.ExecContext(ctx, insertReofferSQL, sp.Entity, rr.ID, rr.OrgID, OpUpdate, int64(0), string(body), local.updated.String(), rec.now); err != nil {
		return nil, fmt.Errorf("store: give back %s %s: %w", sp.Entity, rr.ID, err)
	}
	return keep, nil
}

// pendingFields returns the fields of record id that have unacknowledged
// local changes.
func pendingFields(ctx context.Context, q queryer, id string) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT entity, changes FROM outbox WHERE record_id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("store: pending changes of %s: %w", id, err)
	}
	defer rows.Close()
	pending := map[string]bool{}
	for rows.Next() {
		var entity, body string
		if err := rows.Scan(&entity, &body); err != nil {
			return nil, fmt.Errorf("store: pending changes of %s: %w", id, err)
		}
		if body == compactCreate {
			// A queued create changes every field.
			if sp, ok := specs[entity]; ok {
				for _, fs := range sp.Fields {
					pending[fs.Name] = true
				}
				continue
			}
		}
		var ch map[string]FieldChange
		if err := json.Unmarshal([]byte(body), &ch); err != nil {
			return nil, fmt.Errorf("store: pending changes of %s: %w", id, err)
		}
		for f := range ch {
			pending[f] = true
		}
	}
	return pending, rows.Err()
}

// RecordFields returns the current syncable fields of any record as JSON,
// with its meta, or an error wrapping [ErrNotFound].
func (s *Store) RecordFields(ctx context.Context, entity, id string) (RemoteRecord, error) {
	sp, ok := specs[entity]
	if !ok {
		return RemoteRecord{}, fmt.Errorf("store: unknown entity %q", entity)
	}
	r, err := sp.load(ctx, s.reader, id)
	if err != nil {
		return RemoteRecord{}, err
	}
	out := RemoteRecord{Entity: entity, ID: r.id, OrgID: r.orgID, Version: r.version, UpdatedAt: r.updated.String(), Fields: map[string]json.RawMessage{}}
	for name, v := range r.fields {
		out.Fields[name] = model.EncodeValue(v)
	}
	return out, nil
}

// Conflicts returns conflicts, the unresolved ones only when openOnly,
// newest first.
func (s *Store) Conflicts(ctx context.Context, openOnly bool) ([]Conflict, error) {
	q := `SELECT id, entity, record_id, field, winner, loser, winner_hlc, loser_hlc, loser_by, created_at, resolved FROM conflicts`
	if openOnly {
		q += " WHERE resolved = 0"
	}
	rows, err := s.reader.QueryContext(ctx, q+" ORDER BY created_at DESC, id")
	if err != nil {
		return nil, fmt.Errorf("store: list conflicts: %w", err)
	}
	defer rows.Close()
	out := []Conflict{}
	for rows.Next() {
		var c Conflict
		var winner, loser, at string
		var resolved int64
		if err := rows.Scan(&c.ID, &c.Entity, &c.RecordID, &c.Field, &winner, &loser, &c.WinnerHLC, &c.LoserHLC, &c.LoserBy, &at, &resolved); err != nil {
			return nil, fmt.Errorf("store: list conflicts: %w", err)
		}
		c.Winner, c.Loser, c.Resolved = json.RawMessage(winner), json.RawMessage(loser), resolved != 0
		c.CreatedAt, _ = time.Parse(timeLayout, at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ResolveConflict settles conflict id. keepLoser writes the kept-aside value
// back into the record as a local edit; otherwise the provisional winner
// stays. Either way the resolution is queued for sync so every device's inbox
// clears. Resolving an already resolved conflict does nothing.
func (s *Store) ResolveConflict(ctx context.Context, id string, keepLoser bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var c Conflict
		var loser string
		var resolved int64
		err := tx.QueryRowContext(ctx, "SELECT entity, record_id, field, loser, resolved FROM conflicts WHERE id = ?", id).
			Scan(&c.Entity, &c.RecordID, &c.Field, &loser, &resolved)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: conflict %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: read conflict %s: %w", id, err)
		}
		if resolved != 0 {
			return nil
		}
		if keepLoser {
			if err := s.setConflictFieldTx(ctx, tx, id, c, nil, json.RawMessage(loser)); err != nil {
				return err
			}
		}
		now := s.now().UTC().Format(timeLayout)
		if _, err := tx.ExecContext(ctx, "UPDATE conflicts SET resolved = 1, resolved_at = ?, resolved_by = ? WHERE id = ?", now, s.DeviceID(), id); err != nil {
			return fmt.Errorf("store: resolve conflict %s: %w", id, err)
		}
		org, err := s.orgIDTx(ctx, tx)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(map[string]FieldChange{"resolved": {Old: json.RawMessage("0"), New: json.RawMessage("1")}})
		ts := s.clock.Now()
		_, err = tx.ExecContext(ctx, insertOutboxSQL, EntityConflict, id, org, OpUpdate, int64(0), string(body), ts.String(), now)
		if err != nil {
			return fmt.Errorf("store: queue resolution of conflict %s: %w", id, err)
		}
		return s.persistHLC(ctx, tx, ts)
	})
}

// ErrAlreadySent is returned by [Store.UndoResolveConflict] when the
// resolution has already been sent to the hub: the hub keeps a conflict
// resolved once it is, so it can no longer be taken back.
var ErrAlreadySent = errors.New("store: the resolution has already been sent to the hub")

// UndoResolveConflict takes back a resolution of conflict id made on this
// device that has not yet been sent: the conflict is open again, its queued
// resolution is dropped, and if the kept-aside value was kept (the record
// still holds it), the value shown before goes back into the record as a
// local edit. An open conflict is left as it is. It returns an error
// wrapping [ErrNotFound] for an unknown conflict, and [ErrAlreadySent]
// (changing nothing) once the resolution has left the device.
func (s *Store) UndoResolveConflict(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var c Conflict
		var winner, loser string
		var resolved int64
		err := tx.QueryRowContext(ctx, "SELECT entity, record_id, field, winner, loser, resolved FROM conflicts WHERE id = ?", id).
			Scan(&c.Entity, &c.RecordID, &c.Field, &winner, &loser, &resolved)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: conflict %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: read conflict %s: %w", id, err)
		}
		if resolved == 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE entity = ? AND record_id = ?", EntityConflict, id)
		if err != nil {
			return fmt.Errorf("store: undo resolution of conflict %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("store: undo resolution of conflict %s: %w", id, ErrAlreadySent)
		}
		if err := s.setConflictFieldTx(ctx, tx, id, c, json.RawMessage(loser), json.RawMessage(winner)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE conflicts SET resolved = 0, resolved_at = '', resolved_by = '' WHERE id = ?", id); err != nil {
			return fmt.Errorf("store: undo resolution of conflict %s: %w", id, err)
		}
		return nil
	})
}

// setConflictFieldTx writes value into the field conflict id is about, as
// a local edit, when the record holds only (or when only is nil, always).
func (s *Store) setConflictFieldTx(ctx context.Context, tx *sql.Tx, id string, c Conflict, only, value json.RawMessage) error {
	sp, ok := specs[c.Entity]
	if !ok {
		return fmt.Errorf("store: conflict %s: unknown entity %q", id, c.Entity)
	}
	r, err := sp.load(ctx, tx, c.RecordID)
	if err != nil {
		return err
	}
	for _, fs := range sp.Fields {
		if fs.Name != c.Field {
			continue
		}
		if only != nil {
			o, err := fs.Decode(only)
			if err != nil {
				return fmt.Errorf("store: conflict %s: %w", id, err)
			}
			if !model.EqualValues(r.fields[fs.Name], o) {
				return nil
			}
		}
		v, err := fs.Decode(value)
		if err != nil {
			return fmt.Errorf("store: conflict %s: %w", id, err)
		}
		r.fields[fs.Name] = v
	}
	_, _, err = s.saveLocalTx(ctx, tx, sp, model.Meta{ID: c.RecordID}, r.fields, modeRaw)
	return err
}
