package hub

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/a20-network/fieldbook/internal/changeseq"
	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

const (
	sqlLastSeq         = "SELECT last_seq, last_hlc FROM devices WHERE id = ?"
	sqlSetLastSeq      = "UPDATE devices SET last_seq = ?, last_hlc = ?, last_seen = ? WHERE id = ?"
	sqlInsertApplied   = "INSERT INTO applied (device_id, seq, hlc) VALUES (?, ?, ?) ON CONFLICT (device_id, seq) DO UPDATE SET hlc = excluded.hlc"
	sqlAppliedHLC      = "SELECT hlc FROM applied WHERE device_id = ? AND seq = ?"
	sqlAppliedRange    = "SELECT seq, hlc FROM applied WHERE device_id = ? AND seq >= ? AND seq <= ?"
	sqlRejection       = "SELECT kind, reason FROM rejections WHERE device_id = ? AND seq = ?"
	sqlInsertRejection = "INSERT INTO rejections (device_id, seq, kind, reason) VALUES (?, ?, ?, ?) ON CONFLICT (device_id, seq) DO UPDATE SET kind = excluded.kind, reason = excluded.reason"
	sqlInsertConflict  = `INSERT INTO conflicts (id, entity, record_id, field, winner, loser, winner_hlc, loser_hlc, loser_by, created_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// appliedBatch is how many remembered changes one statement writes.
const appliedBatch = 64

var appliedWrites = newRowStatements(appliedBatch, func(n int) string {
	return insertRows("applied", []string{"device_id", "seq", "hlc"}, n) + " ON CONFLICT (device_id, seq) DO UPDATE SET hlc = excluded.hlc"
})

// MaxPushChanges is the most changes one request may carry.
const MaxPushChanges = 10000

// Sync runs one round trip for device dev: it applies the pushed changes
// (skipping those already applied, so a retried request changes nothing),
// then returns the records and conflicts the device has not seen since its
// cursor, bounded in bytes. A request the hub refuses as a whole returns an
// [*protocol.Error] and changes nothing; a change the hub refuses is listed
// in the reply's rejections and the others are applied.
func (h *Hub) Sync(ctx context.Context, dev Device, req *protocol.SyncRequest) (*protocol.SyncResponse, error) {
	if req.V < protocol.MinVersion {
		return nil, tooOld(req.V)
	}
	if req.V > protocol.Version {
		return nil, protocol.Errorf(protocol.KindInvalid, "protocol version %d is newer than this hub speaks (%d); update the hub", req.V, protocol.Version)
	}
	if req.Org != "" && req.Org != dev.Org {
		return nil, protocol.Errorf(protocol.KindForbidden, "this device is enrolled in organization %s, not %s; enroll it again", dev.Org, req.Org)
	}
	if len(req.Push) > MaxPushChanges {
		return nil, protocol.Errorf(protocol.KindTooLarge, "%d changes in one request; at most %d", len(req.Push), MaxPushChanges)
	}
	if err := checkSeqs(req.Push); err != nil {
		return nil, err
	}
	for i := 1; i < len(req.Push); i++ {
		if req.Push[i].Seq <= req.Push[i-1].Seq {
			return nil, protocol.Errorf(protocol.KindInvalid, "change %d: sequence %d does not follow %d", i, req.Push[i].Seq, req.Push[i-1].Seq)
		}
	}
	resp := &protocol.SyncResponse{V: protocol.Version, Rejected: []protocol.Rejection{}}
	if req.V >= 3 && req.Cursor.Epoch != "" && req.Cursor.Epoch != h.epoch {
		// The hub was restored from a backup (or the device was): the
		// versions this device's pending changes were made from belong to
		// another epoch. Nothing is applied until the device has rebased
		// them onto what this hub's data descends from.
		resp.Cursor = protocol.Cursor{Epoch: h.epoch}
		resp.Epoch = &protocol.EpochChange{Epoch: h.epoch, Lineage: h.lineage}
		return resp, nil
	}
	preps := make([]prepared, len(req.Push))
	for i, c := range req.Push {
		preps[i] = prepare(c)
	}
	var diverged *protocol.Diverged
	// again lists the records of changes the hub had already applied: the
	// device may have kept its own values over what it pulled while they
	// waited, so it gets their current state back.
	var again []string
	var lastBefore int64
	// shown counts the pushed changes the hub had already applied, at or
	// below lastBefore: the database showed it holds them.
	var shown int
	err := h.inTx(ctx, func(tx writeTx) error {
		// Run again from the start if the database asks (pgdb.InTx).
		again, shown, resp.Rejected = again[:0], 0, resp.Rejected[:0]
		if h.pg {
			// One request of a device at a time, across processes: see inTx.
			if _, err := tx.ExecContext(ctx, "SELECT 1 FROM devices WHERE id = ? FOR UPDATE", dev.ID); err != nil {
				return fmt.Errorf("hub: lock device %s: %w", dev.ID, err)
			}
		}
		if err := stillEnrolled(ctx, tx, dev); err != nil {
			return err
		}
		var last int64
		var lastHLC string
		if err := tx.QueryRowContext(ctx, sqlLastSeq, dev.ID).Scan(&last, &lastHLC); err != nil {
			return fmt.Errorf("hub: read device %s: %w", dev.ID, err)
		}
		lastBefore = last
		id := identity{tx: tx, dev: dev, last: last}
		if err := id.loadChain(ctx); err != nil {
			return err
		}
		if len(req.Push) > 0 {
			// What the hub remembers of the pushed changes' numbers, in one
			// statement rather than one a change.
			if err := id.loadMarks(ctx, req.Push[0].Seq, req.Push[len(req.Push)-1].Seq); err != nil {
				return err
			}
		}
		if req.V >= 3 {
			var err error
			if diverged, err = id.check(ctx, req.Ident); err != nil || diverged != nil {
				return cmp.Or(err, errDiverged)
			}
		}
		seq := &sequence{}
		if h.pg && len(req.Push) == 0 {
			// Nothing to number: read the counter without waiting for the
			// writers that hold it.
			var err error
			if seq.last, err = changeseq.Last(ctx, tx); err != nil {
				return err
			}
		} else if err := seq.load(ctx, tx); err != nil {
			return err
		}
		// The records the changes name, in one statement, now that no other
		// transaction may change them (see inTx).
		ids := make([]string, 0, len(req.Push))
		for _, c := range req.Push {
			if c.Entity != protocol.EntityConflict && c.ID != "" {
				ids = append(ids, c.ID)
			}
		}
		if err := tx.recs.preload(ctx, tx, ids); err != nil {
			return err
		}
		var applied [][]any
		start := seq.last
		acked, ackedHLC := int64(0), ""
		if req.Ident != nil {
			acked, ackedHLC = req.Ident.Known.Seq, req.Ident.Known.HLC
		}
		for i, c := range req.Push {
			if c.Seq <= 0 {
				return protocol.Errorf(protocol.KindInvalid, "change sequence %d must be positive", c.Seq)
			}
			if c.Origin != "" && !slices.Contains(id.chain, c.Origin) {
				// Not a device this one was copied from (as far as this hub
				// knows: a restored hub may not know the copy): the change
				// counts as the sender's own.
				c.Origin = ""
			}
			seen, d, err := id.seen(ctx, c, req.V)
			if err != nil {
				return err
			}
			if d != nil {
				diverged = d
				return errDiverged
			}
			if seen {
				rej, err := storedRejection(ctx, tx, dev.ID, c.Seq)
				if err != nil {
					return err
				}
				if rej != nil {
					resp.Rejected = append(resp.Rejected, *rej)
				}
				if c.Entity != protocol.EntityConflict && len(again) < maxRefetch {
					again = append(again, c.ID)
				}
				if c.Seq <= lastBefore {
					shown++
				}
				acked, ackedHLC = c.Seq, c.HLC
				last = max(last, c.Seq)
				continue
			}
			p := preps[i]
			p.chain = id.chain
			rej, err := h.apply(ctx, tx, dev, p, seq, &again)
			if err != nil {
				return err
			}
			if rej != nil {
				rej.Seq = c.Seq
				if _, err := tx.ExecContext(ctx, sqlInsertRejection, dev.ID, c.Seq, string(rej.Kind), rej.Reason); err != nil {
					return fmt.Errorf("hub: keep rejection: %w", err)
				}
				resp.Rejected = append(resp.Rejected, *rej)
				h.log.Info("change rejected", "device", dev.ID, "seq", c.Seq, "entity", c.Entity, "id", c.ID, "kind", rej.Kind, "reason", rej.Reason)
			}
			mark := changeMark(c)
			id.marks[c.Seq] = mark
			applied = append(applied, []any{dev.ID, c.Seq, mark})
			last, lastHLC = c.Seq, c.HLC
			acked, ackedHLC = c.Seq, c.HLC
		}
		if err := execRows(ctx, tx, appliedWrites, applied); err != nil {
			return fmt.Errorf("hub: remember the changes of %s: %w", dev.ID, err)
		}
		if req.V < 3 {
			acked, ackedHLC = last, lastHLC
		}
		resp.Acked = acked
		if len(req.Push) > 0 {
			resp.AckedHLC = ackedHLC
		}
		if _, err := tx.ExecContext(ctx, sqlSetLastSeq, last, lastHLC, h.now().UTC().Format(timeLayout), dev.ID); err != nil {
			return fmt.Errorf("hub: update device %s: %w", dev.ID, err)
		}
		resp.Version = seq.last
		if seq.last != start {
			return seq.save(ctx, tx)
		}
		return nil
	})
	if err == nil && req.V >= 3 && req.Ident != nil && !req.Echo && lastBefore > req.Ident.Known.Seq {
		// Leave the device's own records out of the reply only if it showed
		// it holds every change the hub applied as this device since its
		// last acknowledgement: each was in this request's page. Another
		// database under the same id would not hold them.
		var applied int
		if err := h.reader.QueryRowContext(ctx, "SELECT count(*) FROM applied WHERE device_id = ? AND seq > ? AND seq <= ?",
			dev.ID, req.Ident.Known.Seq, lastBefore).Scan(&applied); err != nil {
			return nil, fmt.Errorf("hub: count changes of %s: %w", dev.ID, err)
		}
		if applied > shown {
			req.Echo = true
		}
	}
	if errors.Is(err, errDiverged) {
		// Remembered outside the refused request, so that this database
		// may then ask to become a device of its own.
		if _, err := h.writer.ExecContext(ctx, "UPDATE devices SET diverged_at = ? WHERE id = ?", h.now().UTC().Format(timeLayout), dev.ID); err != nil {
			return nil, fmt.Errorf("hub: mark device %s diverged: %w", dev.ID, err)
		}
		h.log.Warn("database diverged from its device", "device", dev.ID, "reason", diverged.Reason)
		resp.Diverged, resp.Cursor = diverged, req.Cursor
		return resp, nil
	}
	if err != nil {
		return nil, err
	}
	if err := h.pull(ctx, dev, req, resp); err != nil {
		return nil, err
	}
	if err := h.refetch(ctx, dev, again, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

func storedRejection(ctx context.Context, tx writeTx, device string, seq int64) (*protocol.Rejection, error) {
	r := protocol.Rejection{Seq: seq}
	var kind string
	err := tx.QueryRowContext(ctx, sqlRejection, device, seq).Scan(&kind, &r.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("hub: read rejection: %w", err)
	}
	r.Kind = protocol.Kind(kind)
	return &r, nil
}

func reject(kind protocol.Kind, format string, args ...any) *protocol.Rejection {
	return &protocol.Rejection{Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

// canonical checks that raw is one JSON value and drops insignificant
// space, so that the same value sent by two devices has the same bytes
// (both encode with encoding/json).
func canonical(raw json.RawMessage) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	if buf.Len() == 0 {
		return nil, errors.New("empty value")
	}
	return buf.Bytes(), nil
}

// prepared is a pushed change checked as far as it can be without the
// hub's current data, outside the write transaction so that concurrent
// requests do this work in parallel.
type prepared struct {
	c protocol.Change
	// rej is set for a change refused on its own.
	rej *protocol.Rejection
	// fields are the known fields with canonical values.
	fields map[string]json.RawMessage
	// asNew is the validation result of the record the change creates if
	// the record does not exist yet.
	asNew error
	// newCols are the activities columns of the activity the change creates
	// if it does not exist yet, nil for other entities.
	newCols []any
	// chain is the sending device and the devices it was copied from.
	chain []string
}

func prepare(c protocol.Change) prepared {
	if rej := checkChange(c); rej != nil {
		return prepared{c: c, rej: rej}
	}
	p := prepared{c: c}
	if _, err := hlc.Parse(c.HLC); err != nil {
		p.rej = reject(protocol.KindInvalid, "clock %q is not a valid timestamp", c.HLC)
		return p
	}
	if c.Entity == protocol.EntityConflict {
		return p
	}
	names := model.FieldNames(c.Entity)
	switch {
	case names == nil:
		p.rej = reject(protocol.KindInvalid, "unknown entity %q", c.Entity)
		return p
	case c.Op != protocol.OpCreate && c.Op != protocol.OpUpdate && c.Op != protocol.OpDelete:
		p.rej = reject(protocol.KindInvalid, "unknown op %q", c.Op)
		return p
	case c.ID == "" || len(c.ID) > 64:
		p.rej = reject(protocol.KindInvalid, "record id must be 1 to 64 characters")
		return p
	}
	p.fields = map[string]json.RawMessage{}
	for k, v := range c.Fields {
		if !slices.Contains(names, k) {
			continue // a field from a newer Fieldbook: ignored
		}
		cv, err := canonical(v)
		if err != nil {
			p.rej = reject(protocol.KindInvalid, "field %s: %v", k, err)
			return p
		}
		p.fields[k] = cv
	}
	body := model.ZeroFields(c.Entity)
	for k, v := range p.fields {
		body[k] = v
	}
	p.asNew = model.ValidateFields(c.Entity, body)
	if p.asNew == nil && c.Entity == model.EntityActivity {
		// Work for the activities table done here, in parallel, rather than
		// in the write transaction.
		p.newCols, _ = model.ColumnValues(c.Entity, body)
	}
	return p
}

// apply merges one change into the hub's data. It returns a rejection for a
// change the hub refuses, or an error that fails the whole request.
//
// The ids of records whose state the device should get back whole are
// added to again: a change that found them already as it says, or a create
// of a record that existed (its zero fields were left out), so the device
// may hold values it kept over a pull while the change waited.
func (h *Hub) apply(ctx context.Context, tx writeTx, dev Device, p prepared, seq *sequence, again *[]string) (*protocol.Rejection, error) {
	c, fields := p.c, p.fields
	if p.rej != nil {
		return p.rej, nil
	}
	if c.Entity == protocol.EntityConflict {
		if c.Reoffer && c.Op == protocol.OpCreate {
			return h.reofferConflict(ctx, tx, dev, c, seq)
		}
		return h.resolve(ctx, tx, dev, c, seq)
	}
	cur, err := tx.record(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if cur != nil && c.Op == protocol.OpCreate {
		// The creation of a record the hub has (a copy resending what its
		// original sent, or a reoffer): who made it, when and where it
		// belongs are the record's already.
		kept := make(map[string]json.RawMessage, len(fields))
		for f, v := range fields {
			if !slices.Contains(model.CreatedOnce, f) {
				kept[f] = v
			}
		}
		fields = kept
	}
	if cur != nil && (sameAsHeld(cur, fields) || c.Op == protocol.OpCreate) && len(*again) < maxRefetch {
		*again = append(*again, c.ID)
	}
	if cur != nil && sameAsHeld(cur, fields) {
		// Changes nothing (a copy resending what is already there): no
		// write, and nothing to authorize.
		return nil, nil
	}
	if rej, err := h.authorize(ctx, tx, dev, p.chain, c, cur); rej != nil || err != nil {
		return rej, err
	}
	if len(fields) == 0 {
		return nil, nil
	}
	exists := cur != nil
	if by, ok := fields["created_by"]; ok && !exists {
		if ok, err := h.mayCreateAs(ctx, tx, dev, p, by); err != nil || !ok {
			return reject(protocol.KindForbidden, "a new record's created_by must be the device that sends it (%s), not %.64s", dev.ID, by), err
		}
	}
	r := cur
	if !exists {
		// Every field of a new record takes the pushed value, so its
		// columns are those prepare computed.
		r = &record{id: c.ID, entity: c.Entity, org: c.Org, body: model.ZeroFields(c.Entity), state: map[string]fieldState{}, cols: p.newCols}
	}
	version := seq.next()
	var conflicts []protocol.Conflict
	clean := true
	newer := func(st fieldState) bool { return c.HLC > st.H || (c.HLC == st.H && dev.ID > st.D) }
	// changedByOther says whether another device changed field f since the
	// version this edit was made from.
	// A reoffer's device may not have seen even its own earlier writes (its
	// database may be older than the restored hub), so for a reoffer every
	// write since its base counts.
	changedByOther := func(f string) bool {
		st, ok := r.state[f]
		return exists && ok && st.V > c.Base && (st.D != dev.ID || c.Reoffer)
	}
	mine := fieldState{V: version, H: c.HLC, D: dev.ID}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	conflict := func(f string, winner, loser json.RawMessage, winnerHLC, loserHLC, loserBy string) {
		conflicts = append(conflicts, protocol.Conflict{
			ID: model.NewID(), Entity: c.Entity, RecordID: c.ID, Field: f, Winner: winner, Loser: loser,
			WinnerHLC: winnerHLC, LoserHLC: loserHLC, LoserBy: loserBy, CreatedAt: h.now().UTC().Format(time.RFC3339Nano),
		})
		clean = false
	}
	edits := false
	for _, f := range keys {
		if f != "deleted" {
			edits = true
		}
	}
	for _, f := range keys {
		v := fields[f]
		st := r.state[f]
		switch {
		case c.Entity == model.EntityComment:
			// Comments are append-only: the latest change wins, never a conflict.
			if !exists || newer(st) {
				r.body[f], r.state[f] = v, mine
			}
		case f == "deleted" && string(v) == "1" && exists:
			// An edit beats a delete: if someone else edited the record
			// since the deleting device saw it, it stays alive.
			var editedBy fieldState
			for k, s := range r.state {
				if k != "deleted" && s.V > c.Base && s.D != dev.ID && s.V > editedBy.V {
					editedBy = s
				}
			}
			if editedBy.V > 0 {
				conflict("deleted", json.RawMessage("0"), v, editedBy.H, c.HLC, dev.ID)
				continue
			}
			r.body[f], r.state[f] = v, mine
		case !changedByOther(f):
			r.body[f], r.state[f] = v, mine
		case bytes.Equal(r.body[f], v):
			// Both devices made the same change: nothing to choose.
			r.state[f] = mine
		case newer(st):
			conflict(f, v, r.body[f], c.HLC, st.H, st.D)
			r.body[f], r.state[f] = v, mine
		default:
			conflict(f, r.body[f], v, st.H, c.HLC, dev.ID)
		}
	}
	if edits && exists && r.deleted() && changedByOther("deleted") {
		st := r.state["deleted"]
		conflict("deleted", json.RawMessage("0"), json.RawMessage("1"), c.HLC, st.H, st.D)
		r.body["deleted"], r.state["deleted"] = json.RawMessage("0"), mine
	}
	verr := p.asNew
	if exists {
		verr = model.ValidateFields(c.Entity, r.body)
	}
	if err := verr; err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			return reject(protocol.KindInvalid, "%s", ve.Error()), nil
		}
		return reject(protocol.KindInvalid, "%v", err), nil
	}
	if exists && r.lastBy == dev.ID && r.clean && clean {
		// a run of clean changes by one device: keep where it started
	} else if exists {
		r.prev = r.version
	}
	r.version, r.lastBy, r.clean = version, dev.ID, clean
	if c.HLC > r.hlc {
		r.hlc = c.HLC
	}
	if err := r.save(ctx, tx, exists); err != nil {
		return nil, err
	}
	for _, cf := range conflicts {
		cf.Version = seq.next()
		_, err := tx.ExecContext(ctx, sqlInsertConflict, cf.ID, cf.Entity, cf.RecordID, cf.Field, string(cf.Winner), string(cf.Loser),
			cf.WinnerHLC, cf.LoserHLC, cf.LoserBy, cf.CreatedAt, cf.Version)
		if err != nil {
			return nil, fmt.Errorf("hub: save conflict on %s %s: %w", c.Entity, c.ID, err)
		}
	}
	return nil, nil
}

// sameAsHeld says whether every field of a change already has its value
// in record cur.
func sameAsHeld(cur *record, fields map[string]json.RawMessage) bool {
	for f, v := range fields {
		if !bytes.Equal(cur.body[f], v) {
			return false
		}
	}
	return true
}

// authorize checks that dev may make change c to record cur (nil if new).
func (h *Hub) authorize(ctx context.Context, tx writeTx, dev Device, chain []string, c protocol.Change, cur *record) (*protocol.Rejection, error) {
	if rej := h.checkClock(c); rej != nil {
		return rej, nil
	}
	if cur != nil {
		if cur.entity != c.Entity {
			return reject(protocol.KindInvalid, "record %s is a %s, not a %s", c.ID, cur.entity, c.Entity), nil
		}
		if cur.org != c.Org {
			return reject(protocol.KindForbidden, "record %s belongs to organization %s, not %s", c.ID, cur.org, c.Org), nil
		}
	} else if rej := checkCreator(c); rej != nil {
		return rej, nil
	}
	switch {
	case c.Entity == model.EntityOrganization:
		if c.ID != dev.Org || c.Org != dev.Org || dev.Role != RoleAdmin {
			return reject(protocol.KindForbidden, "only an admin device of organization %s may edit its directory entry", c.ID), nil
		}
	case c.Entity == model.EntityComment:
		// Comments follow the record they belong to (see comments.go).
		return authorizeComment(ctx, tx, dev, chain, c, cur)
	case c.Org == dev.Org:
	default:
		return reject(protocol.KindForbidden, "device of organization %s may not write records of organization %s", dev.Org, c.Org), nil
	}
	return nil, nil
}

// resolve marks a conflict resolved on behalf of dev.
func (h *Hub) resolve(ctx context.Context, tx writeTx, dev Device, c protocol.Change, seq *sequence) (*protocol.Rejection, error) {
	var org string
	var resolved int64
	err := tx.QueryRowContext(ctx, "SELECT r.org_id, c.resolved FROM conflicts c JOIN records r ON r.id = c.record_id WHERE c.id = ?", c.ID).Scan(&org, &resolved)
	if errors.Is(err, sql.ErrNoRows) {
		return reject(protocol.KindNotFound, "conflict %s is not known to the hub", c.ID), nil
	}
	if err != nil {
		return nil, fmt.Errorf("hub: read conflict %s: %w", c.ID, err)
	}
	if org != dev.Org {
		return reject(protocol.KindForbidden, "conflict %s is on a record of organization %s", c.ID, org), nil
	}
	if resolved != 0 {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE conflicts SET resolved = 1, resolved_by = ?, version = ? WHERE id = ?", dev.ID, seq.next(), c.ID); err != nil {
		return nil, fmt.Errorf("hub: resolve conflict %s: %w", c.ID, err)
	}
	return nil, nil
}

// pullScan is the most rows one pull looks at.
const pullScan = 2000

// pull fills resp with what dev has not seen since req's cursor.
func (h *Hub) pull(ctx context.Context, dev Device, req *protocol.SyncRequest, resp *protocol.SyncResponse) error {
	if err := stillEnrolled(ctx, h.reader, dev); err != nil {
		return err
	}
	from := req.Cursor.Seq
	if req.Cursor.Epoch != h.epoch {
		from = 0 // another hub epoch (or none yet): everything again
	}
	budget := req.PullBytes
	if budget <= 0 || budget > protocol.MaxPullBytes {
		budget = protocol.MaxPullBytes
	}
	resp.Cursor = protocol.Cursor{Epoch: h.epoch, Seq: from}
	rows, err := h.reader.QueryContext(ctx, `
		SELECT 0, version, id, entity, org_id, visibility, was_network, hlc, prev_version, last_by, last_clean, body, '', '', '', '', '', '', '', 0
			FROM records WHERE version > ?1 AND (org_id = ?2 OR visibility = 'network' OR was_network = 1)
		UNION ALL
		SELECT 1, c.version, c.id, c.entity, r.org_id, r.visibility, 0, '', 0, '', 0, c.winner, c.loser, c.record_id, c.field,
				c.winner_hlc, c.loser_hlc, c.loser_by, c.created_at, c.resolved
			FROM conflicts c JOIN records r ON r.id = c.record_id
			WHERE c.version > ?1 AND r.org_id = ?2
		ORDER BY 2 LIMIT ?3`, from, dev.Org, pullScan)
	if err != nil {
		return fmt.Errorf("hub: pull: %w", err)
	}
	defer rows.Close()
	used, scanned := 0, 0
	for rows.Next() {
		var kind, version, prev int64
		var id, entity, org, vis, h1, lastBy, body, loser, recordID, field, whlc, lhlc, lby, at string
		var wasNet, clean, resolved int64
		if err := rows.Scan(&kind, &version, &id, &entity, &org, &vis, &wasNet, &h1, &prev, &lastBy, &clean, &body,
			&loser, &recordID, &field, &whlc, &lhlc, &lby, &at, &resolved); err != nil {
			return fmt.Errorf("hub: pull: %w", err)
		}
		scanned++
		size := len(body) + len(loser) + 120
		if used > 0 && used+size > budget {
			resp.More = true
			return rows.Close()
		}
		resp.Cursor.Seq = version
		if kind == 1 {
			used += size
			resp.Conflicts = append(resp.Conflicts, protocol.Conflict{
				ID: id, Entity: entity, RecordID: recordID, Field: field, Winner: json.RawMessage(body), Loser: json.RawMessage(loser),
				WinnerHLC: whlc, LoserHLC: lhlc, LoserBy: lby, CreatedAt: at, Resolved: resolved != 0, Version: version,
			})
			continue
		}
		if req.V >= 2 && !req.Echo && lastBy == dev.ID && clean != 0 && prev <= from {
			continue // the device already holds exactly this
		}
		rec := protocol.Record{Entity: entity, ID: id, Org: org, Version: version, HLC: h1}
		if org != dev.Org && vis != model.VisibilityNetwork {
			// Withdrawn from the network: other organizations keep only a tombstone.
			rec.Fields = map[string]json.RawMessage{"deleted": json.RawMessage("1"), "visibility": json.RawMessage(`"org"`)}
			used += 150
		} else {
			if err := json.Unmarshal([]byte(body), &rec.Fields); err != nil {
				return fmt.Errorf("hub: pull record %s: %w", id, err)
			}
			used += size
		}
		resp.Records = append(resp.Records, rec)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("hub: pull: %w", err)
	}
	resp.More = scanned == pullScan
	return h.refetch(ctx, dev, req.Refetch, resp)
}

// maxRefetch is the most records one request may ask for again.
const maxRefetch = 100

// refetch adds to resp the current state of the records a device set aside
// as unreadable, those it may see, so that a record garbled on the way
// reaches it whole.
func (h *Hub) refetch(ctx context.Context, dev Device, ids []string, resp *protocol.SyncResponse) error {
	if len(ids) > maxRefetch {
		ids = ids[:maxRefetch]
	}
	sent := make(map[string]bool, len(resp.Records))
	for _, r := range resp.Records {
		sent[r.ID] = true
	}
	for _, id := range ids {
		if sent[id] {
			continue
		}
		sent[id] = true
		r, err := loadRecord(ctx, h.reader, id)
		if err != nil {
			return err
		}
		visible := r != nil && (r.org == dev.Org || r.text("visibility") == model.VisibilityNetwork)
		switch {
		case r == nil || (!visible && !r.wasNet):
			resp.Gone = append(resp.Gone, id)
		case r.version > resp.Cursor.Seq:
			// in a later page anyway
		case !visible:
			// Withdrawn from the network: other organizations keep only a tombstone.
			resp.Records = append(resp.Records, protocol.Record{Entity: r.entity, ID: r.id, Org: r.org, Version: r.version, HLC: r.hlc,
				Fields: map[string]json.RawMessage{"deleted": json.RawMessage("1"), "visibility": json.RawMessage(`"org"`)}})
		default:
			resp.Records = append(resp.Records, protocol.Record{Entity: r.entity, ID: r.id, Org: r.org, Version: r.version, HLC: r.hlc, Fields: r.body})
		}
	}
	return nil
}

// strconvQuote returns s as a JSON string, the way the model encodes it.
func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
