package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/a20-network/fieldbook/model"
)

// Change is one local change waiting in the outbox for the hub to
// acknowledge it.
type Change struct {
	// Seq is the per-device sequence number; never reused.
	Seq      int64
	Entity   string
	RecordID string
	OrgID    string
	Op       string // OpCreate, OpUpdate or OpDelete
	// BaseVersion is the hub version the edit was made from (0 for new).
	BaseVersion int64
	// Changes maps each changed field to its old and new value.
	Changes   map[string]FieldChange
	HLC       string
	CreatedAt time.Time
	// Origin is the device the change was first queued under when this
	// database has since become another device (see [Store.ForkDevice]);
	// "" for a change of this device.
	Origin string
	// Reoffer marks a change that gives a restored hub what it lost (see
	// [Store.SwitchEpoch]).
	Reoffer bool
}

// Outbox returns up to limit changes with Seq > afterSeq, oldest first.
func (s *Store) Outbox(ctx context.Context, afterSeq int64, limit int) ([]Change, error) {
	// One read transaction: a create queued in compact form is rebuilt from
	// its record as of the same snapshot as the queue.
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT seq, entity, record_id, org_id, op, base_version, changes, hlc, created_at, origin, reoffer
		FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	defer rows.Close()
	out := []Change{}
	var bodies []string
	for rows.Next() {
		var c Change
		var body, created string
		if err := rows.Scan(&c.Seq, &c.Entity, &c.RecordID, &c.OrgID, &c.Op, &c.BaseVersion, &body, &c.HLC, &created, &c.Origin, &c.Reoffer); err != nil {
			return nil, fmt.Errorf("store: read outbox: %w", err)
		}
		c.CreatedAt, _ = time.Parse(timeLayout, created)
		out = append(out, c)
		bodies = append(bodies, body)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	rows.Close()
	for i := range out {
		c := &out[i]
		if c.Changes, err = decodeChanges(ctx, tx, c.Entity, c.RecordID, bodies[i]); err != nil {
			return nil, fmt.Errorf("store: outbox row %d: %w", c.Seq, err)
		}
	}
	return out, nil
}

// OutboxStats summarises what waits to be synced.
type OutboxStats struct {
	Pending  int
	Rejected int
	// Quarantined counts pulled records set aside as unreadable.
	Quarantined int
	// Oldest is when the oldest pending change was made; zero if none.
	Oldest time.Time
}

// OutboxStats returns counts of pending and rejected changes.
func (s *Store) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var st OutboxStats
	var oldest string
	err := s.reader.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM rejections),
		coalesce((SELECT min(created_at) FROM outbox), ''), (SELECT count(*) FROM quarantine)`).Scan(&st.Pending, &st.Rejected, &oldest, &st.Quarantined)
	if err != nil {
		return st, fmt.Errorf("store: outbox stats: %w", err)
	}
	if oldest != "" {
		st.Oldest, _ = time.Parse(timeLayout, oldest)
	}
	return st, nil
}

// Rejection is the hub's refusal of one change, with its reason.
type Rejection struct {
	Seq    int64
	Kind   string // error kind from the hub, such as "invalid" or "forbidden"
	Reason string
}

// RejectedChange is a change the hub refused, kept on the device.
type RejectedChange struct {
	Change
	Kind       string
	Reason     string
	RejectedAt time.Time
}

// maxReofferAttempts is how many times a change given back to a restored
// hub is sent again after the hub refused it.
const maxReofferAttempts = 4

// AckOutbox removes the changes with Seq <= through that the hub
// acknowledged, moving the rejected ones to the rejections list instead, and
// stores state (such as the push high-water mark) in the same transaction.
func (s *Store) AckOutbox(ctx context.Context, through int64, rejected []Rejection, state map[string]string) error {
	return s.ackTx(ctx, through, rejected, state, nil)
}

// ackTx acknowledges the outbox through through; also, when not nil, runs
// before the acknowledged rows go, in the same transaction.
func (s *Store) ackTx(ctx context.Context, through int64, rejected []Rejection, state map[string]string, also func(*sql.Tx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		now := s.now().UTC().Format(timeLayout)
		for _, r := range rejected {
			if r.Seq > through {
				return fmt.Errorf("store: rejection of %d beyond acknowledged %d", r.Seq, through)
			}
			// A rejected create is kept whole: its record may change later.
			if err := expandCreateSeq(ctx, tx, r.Seq); err != nil {
				return err
			}
			// What a device gives back to a restored hub, and a new comment,
			// may arrive before what it depends on (a record another
			// organization's device gives back later; the hub does not say
			// which records it lacks): it is queued again, a few times,
			// before it counts as refused.
			res, err := tx.ExecContext(ctx, `INSERT INTO outbox (`+outboxCols+`, origin, reoffer, attempts)
				SELECT entity, record_id, org_id, op, base_version, changes, hlc, created_at, origin, reoffer, attempts + 1
				FROM outbox WHERE seq = ? AND (reoffer = 1 OR (entity = ? AND op = ?)) AND attempts < ?`, r.Seq, model.EntityComment, OpCreate, maxReofferAttempts)
			if err != nil {
				return fmt.Errorf("store: queue again given-back change %d: %w", r.Seq, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				continue
			}
			_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO rejections (seq, entity, record_id, org_id, op, base_version, changes, hlc, created_at, kind, reason, rejected_at)
				SELECT seq, entity, record_id, org_id, op, base_version, changes, hlc, created_at, ?, ?, ? FROM outbox WHERE seq = ?`, r.Kind, r.Reason, now, r.Seq)
			if err != nil {
				return fmt.Errorf("store: keep rejected change %d: %w", r.Seq, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE seq <= ?", through); err != nil {
			return fmt.Errorf("store: acknowledge outbox through %d: %w", through, err)
		}
		return setStateTx(ctx, tx, state)
	})
}

// Rejections returns the changes the hub refused, newest first.
func (s *Store) Rejections(ctx context.Context) ([]RejectedChange, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT seq, entity, record_id, org_id, op, base_version, changes, hlc, created_at, kind, reason, rejected_at
		FROM rejections ORDER BY seq DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: read rejections: %w", err)
	}
	defer rows.Close()
	out := []RejectedChange{}
	for rows.Next() {
		var r RejectedChange
		var body, created, at string
		if err := rows.Scan(&r.Seq, &r.Entity, &r.RecordID, &r.OrgID, &r.Op, &r.BaseVersion, &body, &r.HLC, &created, &r.Kind, &r.Reason, &at); err != nil {
			return nil, fmt.Errorf("store: read rejections: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &r.Changes); err != nil {
			return nil, fmt.Errorf("store: rejection %d: %w", r.Seq, err)
		}
		r.CreatedAt, _ = time.Parse(timeLayout, created)
		r.RejectedAt, _ = time.Parse(timeLayout, at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DismissRejection forgets a rejected change once the user has dealt with it.
func (s *Store) DismissRejection(ctx context.Context, seq int64) error {
	if _, err := s.writer.ExecContext(ctx, "DELETE FROM rejections WHERE seq = ?", seq); err != nil {
		return fmt.Errorf("store: dismiss rejection %d: %w", seq, err)
	}
	return nil
}

// SyncState returns the sync engine's value for key, or "" when unset.
func (s *Store) SyncState(ctx context.Context, key string) (string, error) {
	var v string
	err := s.writer.QueryRowContext(ctx, "SELECT value FROM sync_state WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read sync state %s: %w", key, err)
	}
	return v, nil
}

// SetSyncState stores sync engine values in one transaction.
func (s *Store) SetSyncState(ctx context.Context, state map[string]string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return setStateTx(ctx, tx, state) })
}

func setStateTx(ctx context.Context, tx *sql.Tx, state map[string]string) error {
	for k, v := range state {
		if _, err := tx.ExecContext(ctx, "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", k, v); err != nil {
			return fmt.Errorf("store: save sync state %s: %w", k, err)
		}
	}
	return nil
}

// AdoptOrg hands every record made before enrollment (owned by
// [UnassignedOrg]) and its queued changes to organization org, and records
// org as the device's organization, in one transaction.
func (s *Store) AdoptOrg(ctx context.Context, org string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"activities", "resources", "comments", "outbox"} {
			if _, err := tx.ExecContext(ctx, "UPDATE "+t+" SET org_id = ? WHERE org_id = ?", org, UnassignedOrg); err != nil {
				return fmt.Errorf("store: adopt organization in %s: %w", t, err)
			}
		}
		return setStateTx(ctx, tx, map[string]string{"org_id": org})
	})
}
