package hub

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Database identity.
//
// A device is an id and a token, but what syncs is a database file, and a
// file can be restored from an older copy or copied to a second laptop. The
// hub remembers every change it handled from a device by sequence number
// and clock (table applied), and each request says what the database knows
// of its own history ([protocol.Identity]): the last change the hub
// acknowledged to it, and the highest sequence it ever gave out. Before the
// hub applies anything it checks that this history is the one it knows:
//
//   - the acknowledged change must be the hub's change of that number (a
//     copy that missed its twin's later acknowledgements still matches; a
//     database that believes the hub acknowledged more than it applied does
//     not);
//   - the database must hold every change the hub applied as this device
//     (its top sequence at or past the hub's last); a database restored
//     from before its later changes does not;
//   - every pushed change numbered like one the hub handled must be that
//     change (same clock): otherwise its numbers were given out twice.
//
// When a check fails the whole request is refused with
// [protocol.Diverged]; the database then asks to become a device of its own
// ([Hub.Fork]) and resends what it holds under its new id, naming the
// device each change was first queued under (Origin), so that what the hub
// already applied is recognised and nothing is applied twice or lost.

// errDiverged ends a sync transaction that found a diverged database.
var errDiverged = errors.New("hub: database diverged from its device")

// MaxForks is how many copies one device may turn into devices of their
// own; past it an organization admin enrolls the laptop again.
const MaxForks = 16

// identity checks one request's database against the hub's record of its
// device, inside the request's write transaction.
type identity struct {
	tx   writeTx
	dev  Device
	last int64
	// logFrom is the first sequence the hub's log of changes covers.
	logFrom int64
	// chain is the device and the devices it was copied from, nearest
	// first; loaded on first use.
	chain []string
	// marks are the device's remembered changes numbered marksFrom to
	// marksTo, by number, read at once (loadMarks); the transaction keeps
	// them current as it remembers more.
	marks              map[int64]string
	marksFrom, marksTo int64
}

// loadMarks reads what the hub remembers of the device's changes numbered
// from to to, so that [identity.appliedHLC] finds them without a statement
// each.
func (id *identity) loadMarks(ctx context.Context, from, to int64) error {
	rows, err := id.tx.QueryContext(ctx, sqlAppliedRange, id.dev.ID, from, to)
	if err != nil {
		return fmt.Errorf("hub: read changes %d to %d of %s: %w", from, to, id.dev.ID, err)
	}
	defer rows.Close()
	id.marks = map[int64]string{}
	for rows.Next() {
		var seq int64
		var h string
		if err := rows.Scan(&seq, &h); err != nil {
			return fmt.Errorf("hub: read changes of %s: %w", id.dev.ID, err)
		}
		id.marks[seq] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("hub: read changes of %s: %w", id.dev.ID, err)
	}
	id.marksFrom, id.marksTo = from, to
	return nil
}

// appliedHLC returns the clock of change seq of device, "" if the hub has
// no record of it.
func (id *identity) appliedHLC(ctx context.Context, device string, seq int64) (string, error) {
	if id.marks != nil && device == id.dev.ID && seq >= id.marksFrom && seq <= id.marksTo {
		return id.marks[seq], nil
	}
	var h string
	err := id.tx.QueryRowContext(ctx, sqlAppliedHLC, device, seq).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("hub: read change %d of %s: %w", seq, device, err)
	}
	return h, nil
}

// check compares what the database says of its history with the hub's
// record. It returns a non-nil [protocol.Diverged] when they disagree.
func (id *identity) check(ctx context.Context, ident *protocol.Identity) (*protocol.Diverged, error) {
	if err := id.loadChain(ctx); err != nil {
		return nil, err
	}
	if ident == nil {
		return nil, nil
	}
	if ident.Moved {
		// A copied data folder: whichever of the two databases syncs from
		// a new place becomes a device of its own before it pushes.
		return &protocol.Diverged{Reason: "the database was copied or moved to another folder or computer", Last: protocol.Mark{Seq: id.last}}, nil
	}
	lastHLC, err := id.appliedHLC(ctx, id.dev.ID, id.last)
	if err != nil {
		return nil, err
	}
	div := func(format string, args ...any) *protocol.Diverged {
		return &protocol.Diverged{Reason: fmt.Sprintf(format, args...), Last: protocol.Mark{Seq: id.last, HLC: lastHLC}}
	}
	if k := ident.Known; k.Seq > 0 {
		if k.Seq > id.last {
			return div("the database holds change %d as acknowledged, but the hub applied this device's changes only through %d", k.Seq, id.last), nil
		}
		h, err := id.appliedHLC(ctx, id.dev.ID, k.Seq)
		if err != nil {
			return nil, err
		}
		if h != "" && clockOf(h) != k.HLC {
			return div("the database's acknowledged change %d is not the change %d the hub applied", k.Seq, k.Seq), nil
		}
	}
	if ident.Top.Seq < id.last {
		return div("the hub applied this device's changes through %d, but the database numbered its changes only to %d: it is an older copy", id.last, ident.Top.Seq), nil
	}
	if ident.Top.Seq == id.last && id.last > 0 && lastHLC != "" && ident.Top.HLC != clockOf(lastHLC) {
		return div("the database's change %d is not the change %d the hub applied", id.last, id.last), nil
	}
	return nil, nil
}

// seen says whether the hub already handled change c, and returns a
// [protocol.Diverged] when c reuses the number of another change.
func (id *identity) seen(ctx context.Context, c protocol.Change, v int) (bool, *protocol.Diverged, error) {
	h, err := id.appliedHLC(ctx, id.dev.ID, c.Seq)
	if err != nil {
		return false, nil, err
	}
	switch {
	case sameChange(h, c):
		return true, nil, nil
	case h != "" && v >= 3:
		return false, &protocol.Diverged{Reason: fmt.Sprintf("change %d is not the change %d the hub applied: the database gave out that number twice", c.Seq, c.Seq),
			Last: protocol.Mark{Seq: id.last}}, nil
	case h != "":
		return true, nil, nil // protocol 2: sequence numbers alone
	}
	if c.Origin != "" && c.Origin != id.dev.ID {
		// Queued under a device this one was copied from: applied already
		// if that device sent this very change.
		oh, err := id.appliedHLC(ctx, c.Origin, c.Seq)
		if err != nil {
			return false, nil, err
		}
		if sameChange(oh, c) {
			mark := changeMark(c)
			if _, err := id.tx.ExecContext(ctx, sqlInsertApplied, id.dev.ID, c.Seq, mark); err != nil {
				return false, nil, fmt.Errorf("hub: remember change %d of %s: %w", c.Seq, id.dev.ID, err)
			}
			if id.marks != nil {
				id.marks[c.Seq] = mark
			}
			return true, nil, nil
		}
	}
	switch {
	case c.Seq > id.last:
		return false, nil, nil
	case c.Seq < id.logFrom || v < 3:
		// Applied before the hub kept its log of changes, when sequence
		// numbers alone told.
		return true, nil, nil
	}
	// At or below the last change applied, yet never seen: another
	// database numbers its changes as this device's too.
	return false, &protocol.Diverged{Reason: fmt.Sprintf("change %d was never sent, yet the hub applied this device's changes through %d: another database numbers its changes as this device's", c.Seq, id.last),
		Last: protocol.Mark{Seq: id.last}}, nil
}

// changeMark is what the hub remembers of a change it handled: its clock
// and a digest of what it changes. Two copies of one database share a
// clock node and may give two different changes the same clock reading
// in the same millisecond; the digest tells them apart.
func changeMark(c protocol.Change) string {
	keys := make([]string, 0, len(c.Fields))
	for k := range c.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, s := range []string{c.Entity, c.ID, c.Op} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write(c.Fields[k])
		h.Write([]byte{0})
	}
	return c.HLC + " " + hex.EncodeToString(h.Sum(nil)[:12])
}

// clockOf returns the clock of a remembered change mark.
func clockOf(mark string) string {
	clock, _, _ := strings.Cut(mark, " ")
	return clock
}

// sameChange says whether change c is the one remembered as mark. A mark
// from before the hub kept digests holds the clock alone.
func sameChange(mark string, c protocol.Change) bool {
	if mark == "" {
		return false
	}
	if !strings.Contains(mark, " ") {
		return mark == c.HLC
	}
	return mark == changeMark(c)
}

// loadChain reads the devices this one was copied from.
func (id *identity) loadChain(ctx context.Context) error {
	if id.chain != nil {
		return nil
	}
	if err := id.tx.QueryRowContext(ctx, "SELECT log_from FROM devices WHERE id = ?", id.dev.ID).Scan(&id.logFrom); err != nil {
		return fmt.Errorf("hub: read device %s: %w", id.dev.ID, err)
	}
	id.chain = []string{id.dev.ID}
	cur := id.dev.ID
	for range MaxForks * 4 {
		var from string
		err := id.tx.QueryRowContext(ctx, "SELECT copy_of FROM devices WHERE id = ?", cur).Scan(&from)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("hub: read device %s: %w", cur, err)
		}
		if from == "" {
			break
		}
		id.chain = append(id.chain, from)
		cur = from
	}
	return nil
}

// divergedFor is how long after the hub found a database diverged it may
// ask to become a device of its own.
const divergedFor = 24 * time.Hour

// Fork makes the database that syncs as dev, which the hub found diverged
// from it ([protocol.Diverged]), a device of its own: same organization and
// role, a new id and token, recorded as a copy of dev. dev keeps its token,
// so the original laptop syncs on. It fails with kind forbidden when the hub
// found no divergence in the last day or dev already has [MaxForks] copies.
func (h *Hub) Fork(ctx context.Context, dev Device, req protocol.ForkRequest) (protocol.ForkResponse, error) {
	if req.V < protocol.MinVersion {
		return protocol.ForkResponse{}, tooOld(req.V)
	}
	if len(req.Name) > 200 {
		return protocol.ForkResponse{}, protocol.Errorf(protocol.KindInvalid, "device name longer than 200 characters")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return protocol.ForkResponse{}, fmt.Errorf("hub: fork: %w", err)
	}
	token := "fbk_" + base64.RawURLEncoding.EncodeToString(raw)
	resp := protocol.ForkResponse{V: protocol.Version, Device: model.NewID(), Token: token, CopyOf: dev.ID}
	now := h.now().UTC()
	err := h.inTx(ctx, func(tx writeTx) error {
		// One fork of a diverged device, however many processes it asks.
		if err := tx.alone(ctx); err != nil {
			return err
		}
		var diverged, revoked, name string
		if err := tx.QueryRowContext(ctx, "SELECT diverged_at, revoked_at, name FROM devices WHERE id = ?", dev.ID).Scan(&diverged, &revoked, &name); err != nil {
			return fmt.Errorf("hub: fork %s: %w", dev.ID, err)
		}
		if revoked != "" {
			return protocol.Errorf(protocol.KindUnauthenticated, "this device was revoked; ask your organization's admin")
		}
		at, err := time.Parse(timeLayout, diverged)
		if err != nil || now.Sub(at) > divergedFor {
			return protocol.Errorf(protocol.KindForbidden, "the hub found nothing wrong with this device's database; there is nothing to copy")
		}
		var copies int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM devices WHERE copy_of = ?", dev.ID).Scan(&copies); err != nil {
			return fmt.Errorf("hub: fork %s: %w", dev.ID, err)
		}
		if copies >= MaxForks {
			return protocol.Errorf(protocol.KindForbidden, "device %s already has %d copies; ask your organization's admin to enroll this laptop", dev.ID, copies)
		}
		if req.Name != "" {
			name = req.Name
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices (id, org_id, role, name, token_hash, enrolled_at, copy_of) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			resp.Device, dev.Org, dev.Role, name, hash(token), now.Format(timeLayout), dev.ID); err != nil {
			return fmt.Errorf("hub: fork %s: %w", dev.ID, err)
		}
		_, err = tx.ExecContext(ctx, "UPDATE devices SET diverged_at = '' WHERE id = ?", dev.ID)
		return err
	})
	if err != nil {
		return protocol.ForkResponse{}, err
	}
	h.log.Info("device copy enrolled", "device", resp.Device, "copyOf", dev.ID, "org", dev.Org)
	return resp, nil
}
