package hub

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// MaxClockAhead is how far ahead of the hub's clock a pushed change's clock
// may be. It is [hlc.MaxDrift], the distance beyond which a device does not
// follow a clock it pulls: the hub then never stores a clock that devices
// refuse to follow, and a device whose clock runs fast cannot win later
// conflicts for longer than that. A change from further ahead is rejected
// and stays on the device, which shows the reason (correct the clock).
const MaxClockAhead = hlc.MaxDrift

// MaxSeq is the highest change sequence the hub accepts: 2^53, the largest
// integer every JSON reader holds exactly.
const MaxSeq = 1 << 53

// maxID is the longest record, organization, device or clock-node id.
const maxID = 64

// validID reports whether s is a well-formed id: 1 to 64 characters of
// 0-9, A-Z, a-z and '-' (a UUID, the hub's own "hub", a test's "dev-1").
func validID(s string) bool {
	if len(s) == 0 || len(s) > maxID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// boolFields are the fields that hold a flag as the integer 0 or 1: in the
// model's field specs, "deleted" is the only flag among the int fields (the
// others are counts); "resolved" is the flag of a conflict resolution.
var boolFields = map[string]bool{"deleted": true, "resolved": true}

// checkChange checks what a pushed change says about itself, before the
// hub's data is read: well-formed ids and clock, flags that are 0 or 1,
// strings that are valid UTF-8, and a create that names its creator. It
// returns nil for a change that passes, else a rejection of kind invalid
// naming the field.
func checkChange(c protocol.Change) *protocol.Rejection {
	if !validID(c.ID) {
		return reject(protocol.KindInvalid, "record id must be 1 to %d characters of 0-9, A-Z, a-z and '-'", maxID)
	}
	if !validID(c.Org) && !(c.Entity == protocol.EntityConflict && c.Org == "") {
		return reject(protocol.KindInvalid, "organization id must be 1 to %d characters of 0-9, A-Z, a-z and '-'", maxID)
	}
	ts, err := hlc.Parse(c.HLC)
	if err != nil {
		return reject(protocol.KindInvalid, "clock %.40q is not a valid timestamp", c.HLC)
	}
	if !validID(ts.Node) {
		return reject(protocol.KindInvalid, "clock node must be 1 to %d characters of 0-9, A-Z, a-z and '-'", maxID)
	}
	for k, v := range c.Fields {
		if err := checkJSONText(v); err != nil {
			return reject(protocol.KindInvalid, "field %.64q: %v", k, err)
		}
		if boolFields[k] {
			if t := string(bytes.TrimSpace(v)); t != "0" && t != "1" {
				return reject(protocol.KindInvalid, "field %s must be 0 or 1, not %.20s", k, t)
			}
		}
	}
	if c.Op == protocol.OpCreate && c.Entity != protocol.EntityConflict {
		if by := bytes.TrimSpace(c.Fields["created_by"]); len(by) < 3 || by[0] != '"' {
			return reject(protocol.KindInvalid, "a new record must carry created_by, the device that made it")
		}
	}
	return nil
}

// checkJSONText checks that raw, one JSON value, is valid UTF-8 and that
// no \u escape in it stands for half of a surrogate pair: decoders replace
// either with U+FFFD, differently, so the same record would read
// differently on the hub and on devices.
func checkJSONText(raw []byte) error {
	if !utf8.Valid(raw) {
		return errors.New("not valid UTF-8")
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // skips the escaped character, which may be a backslash
			continue
		}
		r, ok := hex4(raw[i+2:])
		switch {
		case !ok:
			return errors.New("bad \\u escape")
		case r >= 0xDC00 && r <= 0xDFFF:
			return errors.New("\\u escape of a lone low surrogate")
		case r >= 0xD800 && r <= 0xDBFF:
			next := raw[i+6:]
			if len(next) < 6 || next[0] != '\\' || next[1] != 'u' {
				return errors.New("\\u escape of a lone high surrogate")
			}
			if lo, ok := hex4(next[2:]); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return errors.New("\\u escape of a lone high surrogate")
			}
			i += 6
		}
		i += 5
	}
	return nil
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// checkClock rejects a change whose clock is more than [MaxClockAhead]
// ahead of the hub's clock.
func (h *Hub) checkClock(c protocol.Change) *protocol.Rejection {
	ts, err := hlc.Parse(c.HLC)
	if err != nil {
		return reject(protocol.KindInvalid, "clock %.40q is not a valid timestamp", c.HLC)
	}
	if ahead := time.Duration(ts.Wall-h.now().UnixMilli()) * time.Millisecond; ahead > MaxClockAhead {
		return reject(protocol.KindInvalid, "clock of the change is %s ahead of the hub's (at most %s); correct this computer's date and time",
			ahead.Round(time.Second), MaxClockAhead)
	}
	return nil
}

// checkSeqs refuses a push whose change sequences are not all positive and
// at most [MaxSeq], before anything of it is applied.
func checkSeqs(push []protocol.Change) error {
	for i, c := range push {
		if c.Seq <= 0 || c.Seq > MaxSeq {
			return protocol.Errorf(protocol.KindInvalid, "change %d: sequence %d must be from 1 to %d", i, c.Seq, int64(MaxSeq))
		}
	}
	return nil
}

// stillEnrolled checks, in q's snapshot, that device dev is not revoked
// and still belongs to its organization. Run inside the write transaction
// (which SQLite serialises with [Hub.RevokeDevice]) it makes a request
// admitted before a revoke write nothing once the revoke has committed.
func stillEnrolled(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, dev Device) error {
	var org, revoked string
	err := q.QueryRowContext(ctx, "SELECT org_id, revoked_at FROM devices WHERE id = ?", dev.ID).Scan(&org, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return protocol.Errorf(protocol.KindUnauthenticated, "device token is not known; enroll this device again")
	}
	if err != nil {
		return fmt.Errorf("hub: check device %s: %w", dev.ID, err)
	}
	if revoked != "" {
		return protocol.Errorf(protocol.KindUnauthenticated, "this device was revoked; ask your organization's admin")
	}
	if org != dev.Org {
		return protocol.Errorf(protocol.KindUnauthenticated, "this device is no longer enrolled in organization %s; enroll it again", dev.Org)
	}
	return nil
}

// checkCreator checks that change c, which makes a new record whatever its
// op, names the record's creator; [Hub.mayCreateAs] checks who it may be.
func checkCreator(c protocol.Change) *protocol.Rejection {
	var by string
	if err := json.Unmarshal(c.Fields["created_by"], &by); err != nil || by == "" {
		return reject(protocol.KindInvalid, "record %s is new to the hub: the change must carry created_by, the device that made it", c.ID)
	}
	return nil
}
