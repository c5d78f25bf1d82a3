package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Keys of the identity and recovery values in the sync state.
const (
	stateKnownSeq   = "known_seq"
	stateKnownHLC   = "known_hlc"
	stateEpoch      = "epoch"
	stateCursor     = "cursor"
	stateToken      = "token"
	stateFullPull   = "full_pull"
	stateRecovering = "recovering"
	stateMoved      = "moved"
)

// SyncMark names one change of this device: its sequence and clock.
type SyncMark struct {
	Seq int64
	HLC string
}

// Identity returns what this database knows of its own history as a
// device: known is the last change the hub acknowledged (zero before the
// first), top the highest-numbered change it holds, acknowledged or not.
func (s *Store) Identity(ctx context.Context) (known, top SyncMark, err error) {
	seq, err := s.SyncState(ctx, stateKnownSeq)
	if err != nil {
		return known, top, err
	}
	known.Seq, _ = strconv.ParseInt(seq, 10, 64)
	if known.HLC, err = s.SyncState(ctx, stateKnownHLC); err != nil {
		return known, top, err
	}
	top = known
	err = s.reader.QueryRowContext(ctx, "SELECT seq, hlc FROM outbox WHERE seq > ? ORDER BY seq DESC LIMIT 1", known.Seq).Scan(&top.Seq, &top.HLC)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return known, top, fmt.Errorf("store: read identity: %w", err)
	}
	return known, top, nil
}

// Ack is the hub's acknowledgement of the outbox through change Through.
type Ack struct {
	// Through is the highest acknowledged change, HLC its clock.
	Through int64
	HLC     string
	// Rejected are the acknowledged changes the hub refused.
	Rejected []Rejection
	// Epoch and Version say as of which hub epoch and version the
	// acknowledged changes are in the hub's data (see [Store.SwitchEpoch]);
	// Epoch "" records nothing.
	Epoch   string
	Version int64
	// State is stored with the acknowledgement.
	State map[string]string
}

// Acknowledge removes the changes through a.Through from the outbox,
// moving rejected ones to the rejections list, records the change as the
// last the hub acknowledged, and notes for each record the hub version
// the change reached, all in one transaction.
func (s *Store) Acknowledge(ctx context.Context, a Ack) error {
	state := map[string]string{stateKnownSeq: strconv.FormatInt(a.Through, 10), stateKnownHLC: a.HLC}
	for k, v := range a.State {
		state[k] = v
	}
	return s.ackTx(ctx, a.Through, a.Rejected, state, func(tx *sql.Tx) error {
		if a.Epoch == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO acked_marks (record_id, entity, epoch, version)
			SELECT record_id, entity, ?, ? FROM outbox WHERE seq <= ? AND entity != ?
			ON CONFLICT (record_id) DO UPDATE SET epoch = excluded.epoch, version = excluded.version`, a.Epoch, a.Version, a.Through, EntityConflict)
		if err != nil {
			return fmt.Errorf("store: note acknowledged records: %w", err)
		}
		return nil
	})
}

// ForkDevice makes this database the device newID that the hub made of
// it, a copy of the device it synced as until now: the changes still
// queued keep the old id as their origin, so the hub knows which it
// already has; the acknowledged history starts afresh; the next pull
// starts from the beginning and brings back what the old device did that
// this copy lacks. state (the new token) is stored in the same transaction.
func (s *Store) ForkDevice(ctx context.Context, newID string, state map[string]string) error {
	if newID == "" || len(newID) > 64 {
		return fmt.Errorf("store: fork device: id %q is not 1 to 64 characters", newID)
	}
	s.devmu.Lock()
	defer s.devmu.Unlock()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET origin = ? WHERE origin = ''", s.device); err != nil {
			return fmt.Errorf("store: fork device: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = 'device_id'", newID); err != nil {
			return fmt.Errorf("store: fork device: %w", err)
		}
		// The ids this database synced as before: its comments on other
		// organizations' records carry them as their author.
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('former_ids', ?)
			ON CONFLICT (key) DO UPDATE SET value = value || ' ' || excluded.value`, s.device); err != nil {
			return fmt.Errorf("store: fork device: %w", err)
		}
		st := map[string]string{stateKnownSeq: "0", stateKnownHLC: "", stateCursor: "0", stateFullPull: "1", stateMoved: ""}
		for k, v := range state {
			st[k] = v
		}
		return setStateTx(ctx, tx, st)
	})
	if err != nil {
		return err
	}
	s.device = newID
	s.clock.SetNode(newID)
	return nil
}

// DeviceIDs returns every device id this database has synced as, the
// current one last (see [Store.ForkDevice]).
func (s *Store) DeviceIDs(ctx context.Context) ([]string, error) {
	return deviceIDsTx(ctx, s.reader, s.DeviceID())
}

func deviceIDsTx(ctx context.Context, q queryer, current string) ([]string, error) {
	var former string
	if err := q.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM meta WHERE key = 'former_ids'), '')").Scan(&former); err != nil {
		return nil, fmt.Errorf("store: read former device ids: %w", err)
	}
	return append(strings.Fields(former), current), nil
}

// location says where this database is: the computer's name and the
// file's absolute path. A database found somewhere else than it was last
// opened was copied or moved there.
func location(path string) string {
	host, _ := os.Hostname()
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return host + "\x00" + abs
}

// checkLocation records where the database is and reports whether it was
// last opened somewhere else.
func (s *Store) checkLocation(ctx context.Context) (moved bool, err error) {
	here := location(s.path)
	var was string
	err = s.writer.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'location'").Scan(&was)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("store: read location: %w", err)
	}
	if was == here {
		return false, nil
	}
	moved = was != ""
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('location', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", here); err != nil {
			return fmt.Errorf("store: save location: %w", err)
		}
		if !moved {
			return nil
		}
		// Kept until the database has become a device of its own, however
		// often it is opened before it next syncs.
		return setStateTx(ctx, tx, map[string]string{stateMoved: "1"})
	})
	return moved, err
}

// Recovering reports whether a recovery from a restored hub runs: until
// its full pull is done, queued changes wait (see [Store.FinishRecovery]).
func (s *Store) Recovering(ctx context.Context) (bool, error) {
	v, err := s.SyncState(ctx, stateRecovering)
	return v == "1", err
}

// Moved reports whether this database was found on another computer or in
// another folder than where it was last used (a copied data folder rather
// than one restored in place), and has not become a device of its own
// since ([Store.ForkDevice] clears it).
func (s *Store) Moved(ctx context.Context) (bool, error) {
	v, err := s.SyncState(ctx, stateMoved)
	return v == "1", err
}

// EpochMark says that a restored hub's data holds every version up to Seq
// of hub epoch Epoch.
type EpochMark struct {
	Epoch string
	Seq   int64
}

// SwitchEpoch prepares this database for a hub restored from a backup,
// now at epoch, whose data descends from lineage. In one transaction it
// notes every record and conflict this database may hold beyond the
// backup (to compare during the full pull that follows, and give back
// what the hub lacks), rebases the versions of records and queued changes
// onto what the restored hub knows, so that no version of the lost epoch
// is taken for one of the new, and starts the pull from the beginning.
// Queued changes stay queued, and every file this device sent is asked
// about again, to be sent once more if the restored hub lacks it.
func (s *Store) SwitchEpoch(ctx context.Context, epoch string, lineage []EpochMark) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var old string
		if err := tx.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM sync_state WHERE key = ?), '')", stateEpoch).Scan(&old); err != nil {
			return fmt.Errorf("store: switch epoch: %w", err)
		}
		upto := map[string]int64{}
		for _, m := range lineage {
			upto[m.Epoch] = m.Seq
		}
		// Versions of the old epoch up to the backup's are the same in the
		// new one; past it the device saw what the hub lost.
		floor, known := upto[old]
		for _, sp := range []*entitySpec{organizationSpec, activitySpec, resourceSpec, commentSpec} {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO recovery (id, kind) SELECT id, ? FROM "+sp.Table+" WHERE ? OR version > ?",
				sp.Entity, !known, floor); err != nil {
				return fmt.Errorf("store: switch epoch: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE "+sp.Table+" SET version = ? WHERE version > ?", floor, floor); err != nil {
				return fmt.Errorf("store: switch epoch: %w", err)
			}
		}
		rows, err := tx.QueryContext(ctx, "SELECT record_id, entity, epoch, version FROM acked_marks")
		if err != nil {
			return fmt.Errorf("store: switch epoch: %w", err)
		}
		var ahead [][2]string
		for rows.Next() {
			var id, entity, e string
			var v int64
			if err := rows.Scan(&id, &entity, &e, &v); err != nil {
				rows.Close()
				return fmt.Errorf("store: switch epoch: %w", err)
			}
			if s, ok := upto[e]; !ok || v > s {
				ahead = append(ahead, [2]string{id, entity})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: switch epoch: %w", err)
		}
		for _, a := range ahead {
			if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO recovery (id, kind) VALUES (?, ?)", a[0], a[1]); err != nil {
				return fmt.Errorf("store: switch epoch: %w", err)
			}
		}
		for _, q := range []string{
			// The marks stay: a later restore from an even older backup
			// must still see what this device gave the hubs since.
			"INSERT OR IGNORE INTO recovery (id, kind) SELECT id, '" + EntityConflict + "' FROM conflicts",
			"UPDATE outbox SET base_version = ?1 WHERE base_version > ?1",
			// Queued changes are given back too: one may depend on a
			// record another device gives back later.
			"UPDATE outbox SET reoffer = 1 WHERE ?1 = ?1",
			"UPDATE rejections SET base_version = ?1 WHERE base_version > ?1",
			// The restored hub may lack files sent since its backup: each
			// is asked about again (a HEAD) and sent if it is missing.
			"UPDATE blobs SET sent = 0 WHERE sent > 0 AND ?1 = ?1",
		} {
			if _, err := tx.ExecContext(ctx, q, floor); err != nil {
				return fmt.Errorf("store: switch epoch: %w", err)
			}
		}
		return setStateTx(ctx, tx, map[string]string{stateEpoch: epoch, stateCursor: "0", stateKnownSeq: "0", stateKnownHLC: "",
			stateFullPull: "1", stateRecovering: "1"})
	})
}

// FinishRecovery ends the recovery that [Store.SwitchEpoch] began, once
// the full pull is done: every record and conflict of this device's
// organization that the restored hub did not send is queued to be given
// back to it whole, in place of the changes to it still queued. It returns
// how many were queued; 0 when no recovery runs.
func (s *Store) FinishRecovery(ctx context.Context) (int, error) {
	queued := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var on string
		if err := tx.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM sync_state WHERE key = ?), '')", stateRecovering).Scan(&on); err != nil {
			return fmt.Errorf("store: finish recovery: %w", err)
		}
		if on != "1" {
			return nil
		}
		org, err := s.orgIDTx(ctx, tx)
		if err != nil {
			return err
		}
		var waiting int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM outbox").Scan(&waiting); err != nil {
			return fmt.Errorf("store: finish recovery: %w", err)
		}
		now := s.now().UTC().Format(timeLayout)
		ids, err := deviceIDsTx(ctx, tx, s.DeviceID())
		if err != nil {
			return err
		}
		mine, _ := json.Marshal(ids)
		for _, sp := range []*entitySpec{activitySpec, resourceSpec, commentSpec} {
			// Records of the device's organization; comments only its own:
			// no device speaks for another's comment.
			rows, err := tx.QueryContext(ctx, "SELECT "+sp.columns()+" FROM "+sp.Table+` WHERE id IN (SELECT id FROM recovery WHERE kind = ?)
				AND (CASE WHEN ? THEN created_by IN (SELECT value FROM json_each(?)) ELSE org_id = ? END)`, sp.Entity, sp == commentSpec, string(mine), org)
			if err != nil {
				return fmt.Errorf("store: finish recovery: %w", err)
			}
			var recs []row
			for rows.Next() {
				r, err := sp.scan(rows)
				if err != nil {
					rows.Close()
					return fmt.Errorf("store: finish recovery: %w", err)
				}
				recs = append(recs, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store: finish recovery: %w", err)
			}
			for _, r := range recs {
				// The record's queued changes are in its state already: the
				// hub lacks the record they were made to.
				if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE record_id = ?", r.id); err != nil {
					return fmt.Errorf("store: give back %s %s: %w", sp.Entity, r.id, err)
				}
				if _, err := tx.ExecContext(ctx, insertReofferSQL, sp.Entity, r.id, r.orgID, OpCreate, int64(0), string(sp.createBody(r)), r.updated.String(), now); err != nil {
					return fmt.Errorf("store: give back %s %s: %w", sp.Entity, r.id, err)
				}
				if _, err := tx.ExecContext(ctx, "UPDATE "+sp.Table+" SET version = 0 WHERE id = ?", r.id); err != nil {
					return fmt.Errorf("store: give back %s %s: %w", sp.Entity, r.id, err)
				}
				queued++
			}
		}
		n, err := reofferConflicts(ctx, tx, org, now)
		if err != nil {
			return err
		}
		queued += n
		if queued > 0 && waiting > 0 {
			// What waited goes after what is given back: a change to a
			// record the restored hub lacks needs the record first.
			for _, q := range []string{
				"INSERT INTO outbox (" + outboxCols + ", origin, reoffer, attempts) SELECT " + outboxCols + ", origin, reoffer, attempts FROM outbox WHERE seq <= ? ORDER BY seq",
				"DELETE FROM outbox WHERE seq <= ?",
			} {
				if _, err := tx.ExecContext(ctx, q, waiting); err != nil {
					return fmt.Errorf("store: finish recovery: %w", err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery"); err != nil {
			return fmt.Errorf("store: finish recovery: %w", err)
		}
		return setStateTx(ctx, tx, map[string]string{stateRecovering: ""})
	})
	return queued, err
}

// insertReofferSQL queues a change that gives a restored hub what it lost.
const insertReofferSQL = `INSERT INTO outbox (` + outboxCols + `, reoffer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)`

// reofferConflicts queues the conflicts on org's records that the restored
// hub did not send.
func reofferConflicts(ctx context.Context, tx *sql.Tx, org, now string) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.entity, c.record_id, c.field, c.winner, c.loser, c.winner_hlc, c.loser_hlc, c.loser_by, c.created_at, c.resolved
		FROM conflicts c WHERE c.id IN (SELECT id FROM recovery WHERE kind = ?)`, EntityConflict)
	if err != nil {
		return 0, fmt.Errorf("store: give back conflicts: %w", err)
	}
	type cf struct {
		id, entity, record, field, winner, loser, whlc, lhlc, lby, at string
		resolved                                                      int64
	}
	var all []cf
	for rows.Next() {
		var c cf
		if err := rows.Scan(&c.id, &c.entity, &c.record, &c.field, &c.winner, &c.loser, &c.whlc, &c.lhlc, &c.lby, &c.at, &c.resolved); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: give back conflicts: %w", err)
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: give back conflicts: %w", err)
	}
	n := 0
	for _, c := range all {
		sp, ok := specs[c.entity]
		if !ok {
			continue
		}
		var recOrg, updated string
		err := tx.QueryRowContext(ctx, "SELECT org_id, updated_at FROM "+sp.Table+" WHERE id = ?", c.record).Scan(&recOrg, &updated)
		if errors.Is(err, sql.ErrNoRows) || recOrg != org {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("store: give back conflict %s: %w", c.id, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE entity = ? AND record_id = ?", EntityConflict, c.id); err != nil {
			return 0, fmt.Errorf("store: give back conflict %s: %w", c.id, err)
		}
		str := func(v string) FieldChange {
			b, _ := json.Marshal(v)
			return FieldChange{Old: json.RawMessage("null"), New: b}
		}
		raw := func(v string) FieldChange { return FieldChange{Old: json.RawMessage("null"), New: json.RawMessage(v)} }
		body, _ := json.Marshal(map[string]FieldChange{
			"record_id": str(c.record), "entity": str(c.entity), "field": str(c.field), "winner": raw(c.winner), "loser": raw(c.loser),
			"winner_hlc": str(c.whlc), "loser_hlc": str(c.lhlc), "loser_by": str(c.lby), "created_at": str(c.at),
			"resolved": raw(strconv.FormatInt(c.resolved, 10)),
		})
		if _, err := tx.ExecContext(ctx, insertReofferSQL, EntityConflict, c.id, org, OpCreate, int64(0), string(body), updated, now); err != nil {
			return 0, fmt.Errorf("store: give back conflict %s: %w", c.id, err)
		}
		n++
	}
	return n, nil
}

// ForgetQuarantined drops the set-aside records ids, which the hub says it
// will not send again (unknown to it, or no longer this device's to see).
func (s *Store) ForgetQuarantined(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	b, _ := json.Marshal(ids)
	if _, err := s.writer.ExecContext(ctx, "DELETE FROM quarantine WHERE record_id IN (SELECT value FROM json_each(?))", string(b)); err != nil {
		return fmt.Errorf("store: forget set-aside records: %w", err)
	}
	return nil
}

// Quarantined is a pulled record this device could not read.
type Quarantined struct {
	Entity, ID string
	Version    int64
	Reason     string
}

// QuarantinedRecords lists the pulled records set aside as unreadable,
// at most limit of them.
func (s *Store) QuarantinedRecords(ctx context.Context, limit int) ([]Quarantined, error) {
	rows, err := s.reader.QueryContext(ctx, "SELECT entity, record_id, version, reason FROM quarantine ORDER BY at LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("store: list set-aside records: %w", err)
	}
	defer rows.Close()
	out := []Quarantined{}
	for rows.Next() {
		var q Quarantined
		if err := rows.Scan(&q.Entity, &q.ID, &q.Version, &q.Reason); err != nil {
			return nil, fmt.Errorf("store: list set-aside records: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}
