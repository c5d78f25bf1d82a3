package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// mayCreateAs says whether dev may push a new record whose created_by is
// by (a JSON string): its own id; the id of a device it was copied from
// (a change queued before the copy); or, for a reoffer to a restored hub,
// any device of its own organization, or one the restored hub does not
// know (enrolled after its backup): the device gives back a record it
// received. Never a device of another organization.
func (h *Hub) mayCreateAs(ctx context.Context, tx writeTx, dev Device, p prepared, by json.RawMessage) (bool, error) {
	var creator string
	if err := json.Unmarshal(by, &creator); err != nil {
		return false, nil
	}
	if creator == dev.ID || slices.Contains(p.chain, creator) {
		return true, nil
	}
	if !p.c.Reoffer {
		return false, nil
	}
	var org string
	err := tx.QueryRowContext(ctx, "SELECT org_id FROM devices WHERE id = ?", creator).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return creator != hubNode, nil
	}
	if err != nil {
		return false, fmt.Errorf("hub: read device %s: %w", creator, err)
	}
	return org == dev.Org, nil
}

// reofferConflict takes back a conflict a device holds that this hub,
// restored from a backup, lost: it is added if the hub has its record and
// the record is the device's organization's, and marked resolved if the
// device has it resolved.
func (h *Hub) reofferConflict(ctx context.Context, tx writeTx, dev Device, c protocol.Change, seq *sequence) (*protocol.Rejection, error) {
	var cf struct {
		Record    string          `json:"record_id"`
		Entity    string          `json:"entity"`
		Field     string          `json:"field"`
		Winner    json.RawMessage `json:"winner"`
		Loser     json.RawMessage `json:"loser"`
		WinnerHLC string          `json:"winner_hlc"`
		LoserHLC  string          `json:"loser_hlc"`
		LoserBy   string          `json:"loser_by"`
		CreatedAt string          `json:"created_at"`
		Resolved  int             `json:"resolved"`
	}
	raw, _ := json.Marshal(c.Fields)
	if err := json.Unmarshal(raw, &cf); err != nil {
		return reject(protocol.KindInvalid, "conflict %s: %v", c.ID, err), nil
	}
	var resolved int64
	err := tx.QueryRowContext(ctx, "SELECT resolved FROM conflicts WHERE id = ?", c.ID).Scan(&resolved)
	switch {
	case err == nil:
		if cf.Resolved == 1 && resolved == 0 {
			return h.resolve(ctx, tx, dev, c, seq)
		}
		return nil, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("hub: read conflict %s: %w", c.ID, err)
	}
	rec, err := tx.record(ctx, cf.Record)
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.org != dev.Org || rec.entity != cf.Entity {
		return reject(protocol.KindForbidden, "conflict %s is not on a record of organization %s", c.ID, dev.Org), nil
	}
	if _, err := canonical(cf.Winner); err != nil {
		return reject(protocol.KindInvalid, "conflict %s: winner: %v", c.ID, err), nil
	}
	if _, err := canonical(cf.Loser); err != nil {
		return reject(protocol.KindInvalid, "conflict %s: loser: %v", c.ID, err), nil
	}
	if _, ok := model.ZeroFields(cf.Entity)[cf.Field]; !ok {
		return reject(protocol.KindInvalid, "conflict %s: %s has no field %q", c.ID, cf.Entity, cf.Field), nil
	}
	if _, err := time.Parse(time.RFC3339Nano, cf.CreatedAt); err != nil {
		cf.CreatedAt = h.now().UTC().Format(time.RFC3339Nano)
	}
	_, err = tx.ExecContext(ctx, sqlInsertConflict, c.ID, cf.Entity, cf.Record, cf.Field, string(cf.Winner), string(cf.Loser),
		cf.WinnerHLC, cf.LoserHLC, cf.LoserBy, cf.CreatedAt, seq.next())
	if err != nil {
		return nil, fmt.Errorf("hub: take back conflict %s: %w", c.ID, err)
	}
	if cf.Resolved == 1 {
		if _, err := tx.ExecContext(ctx, "UPDATE conflicts SET resolved = 1, resolved_by = ? WHERE id = ?", dev.ID, c.ID); err != nil {
			return nil, fmt.Errorf("hub: take back conflict %s: %w", c.ID, err)
		}
	}
	return nil, nil
}
