package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// The hub's trust boundary as an attack table (OWASP ASVS V1.4 access
// control, V2 authentication, V5 input validation, V11 business logic, V13
// API): each row is an attacker's request against a real hub over real
// HTTP, with the status and error kind it must get, or the kind of the
// rejection of its change, and the tables it must leave exactly as they
// were.

// attackNow is the hub's clock in the attack tests: fixed, so that clock
// bounds and the enrollment limit do not depend on the wall clock.
var attackNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// actor is an enrolled device.
type actor struct{ id, token string }

// attackFixture is a hub with two organizations, A and B, their devices,
// and records of each: private ones, a network-wide one of B, and comments
// on it by a device of each organization.
type attackFixture struct {
	hub            *Hub
	srv            *httptest.Server
	orgA, orgB     string
	a, a2, aAdmin  actor
	b, bAdmin      actor
	revokedA       actor
	privA, privB   string
	netB           string
	commentAonB    string // by device a on netB: filed under organization B
	commentBonB    string // by device b on netB
	seq            map[string]int64
	codeA, codeB   string // unused enrollment codes
	codeBAdminRole string
}

func newAttackFixture(t testing.TB) *attackFixture {
	t.Helper()
	ctx := context.Background()
	h, err := openTest(t, ctx, t.TempDir(), Options{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return attackNow }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	fx := &attackFixture{hub: h, srv: httptest.NewServer(h.Handler()), seq: map[string]int64{}}
	t.Cleanup(func() { fx.srv.Close(); h.Close() })
	if fx.orgA, err = h.AddOrg(ctx, "Org A", "MW"); err != nil {
		t.Fatal(err)
	}
	if fx.orgB, err = h.AddOrg(ctx, "Org B", "KE"); err != nil {
		t.Fatal(err)
	}
	enroll := func(org, role, id string) actor {
		resp, err := h.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: fx.code(t, org, role), Device: id})
		if err != nil {
			t.Fatalf("enroll %s: %v", id, err)
		}
		return actor{id: id, token: resp.Token}
	}
	fx.a, fx.a2, fx.aAdmin = enroll(fx.orgA, RoleStaff, "dev-a"), enroll(fx.orgA, RoleStaff, "dev-a2"), enroll(fx.orgA, RoleAdmin, "dev-a-admin")
	fx.b, fx.bAdmin = enroll(fx.orgB, RoleStaff, "dev-b"), enroll(fx.orgB, RoleAdmin, "dev-b-admin")
	fx.revokedA = enroll(fx.orgA, RoleStaff, "dev-a-revoked")
	if err := h.RevokeDevice(ctx, fx.revokedA.id); err != nil {
		t.Fatal(err)
	}
	fx.privA, fx.privB, fx.netB = "rec-priv-a", "rec-priv-b", "rec-net-b"
	fx.mustPush(t, fx.a, fx.activity(fx.a, fx.privA, fx.orgA, model.VisibilityOrg))
	fx.mustPush(t, fx.b, fx.activity(fx.b, fx.privB, fx.orgB, model.VisibilityOrg), fx.activity(fx.b, fx.netB, fx.orgB, model.VisibilityNetwork))
	fx.commentAonB, fx.commentBonB = "cmt-a-on-b", "cmt-b-on-b"
	fx.mustPush(t, fx.a, fx.comment(fx.a, fx.commentAonB, fx.orgB, fx.netB, model.VisibilityNetwork))
	fx.mustPush(t, fx.b, fx.comment(fx.b, fx.commentBonB, fx.orgB, fx.netB, model.VisibilityNetwork))
	fx.codeA, fx.codeB = fx.code(t, fx.orgA, RoleStaff), fx.code(t, fx.orgB, RoleStaff)
	return fx
}

func (fx *attackFixture) code(t testing.TB, org, role string) string {
	t.Helper()
	c, err := fx.hub.NewEnrollCode(context.Background(), org, role, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clock returns a clock reading of device dev an hour before the hub's.
func (fx *attackFixture) clock(dev actor) string {
	fx.seq[dev.id+"/clock"]++
	return hlc.Timestamp{Wall: attackNow.Add(-time.Hour).UnixMilli(), Logical: uint32(fx.seq[dev.id+"/clock"]), Node: dev.id}.String()
}

// change is a change by dev with its next sequence number.
func (fx *attackFixture) change(dev actor, entity, id, org, op string, fields map[string]any) protocol.Change {
	fx.seq[dev.id]++
	c := protocol.Change{Seq: fx.seq[dev.id], Entity: entity, ID: id, Org: org, Op: op, HLC: fx.clock(dev), Fields: map[string]json.RawMessage{}}
	for k, v := range fields {
		if raw, ok := v.(json.RawMessage); ok {
			c.Fields[k] = raw
			continue
		}
		b, _ := json.Marshal(v)
		c.Fields[k] = b
	}
	return c
}

func (fx *attackFixture) activity(dev actor, id, org, vis string) protocol.Change {
	return fx.change(dev, model.EntityActivity, id, org, protocol.OpCreate, map[string]any{
		"visibility": vis, "created_by": dev.id, "created_at": "2026-05-01T00:00:00Z", "kind": "training",
		"title": "Training " + id, "start_date": "2026-05-01", "country": "MW", "status": "final", "girls_6_11": 7,
	})
}

func (fx *attackFixture) comment(dev actor, id, org, parent, vis string) protocol.Change {
	return fx.change(dev, model.EntityComment, id, org, protocol.OpCreate, map[string]any{
		"visibility": vis, "created_by": dev.id, "created_at": "2026-05-02T00:00:00Z",
		"parent_entity": model.EntityActivity, "parent_id": parent, "author": "Someone", "body": "A comment",
	})
}

func (fx *attackFixture) edit(dev actor, entity, id, org string, fields map[string]any) protocol.Change {
	return fx.change(dev, entity, id, org, protocol.OpUpdate, fields)
}

// mustPush syncs changes from dev in-process and fails on any refusal.
func (fx *attackFixture) mustPush(t testing.TB, dev actor, changes ...protocol.Change) *protocol.SyncResponse {
	t.Helper()
	d, err := fx.hub.Authenticate(context.Background(), dev.token)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := fx.hub.Sync(context.Background(), d, &protocol.SyncRequest{V: protocol.Version, Push: changes})
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if len(resp.Rejected) > 0 {
		t.Fatalf("push rejected: %+v", resp.Rejected)
	}
	return resp
}

// reply is what the hub answered an HTTP request.
type reply struct {
	status int
	header http.Header
	body   []byte
	// kind and msg are set for JSON error replies.
	kind protocol.Kind
	msg  string
}

// syncReply decodes a 200 reply to a sync request.
func (r reply) syncReply(t testing.TB) protocol.SyncResponse {
	t.Helper()
	var out protocol.SyncResponse
	if r.status != http.StatusOK || json.Unmarshal(r.body, &out) != nil {
		t.Fatalf("not a sync reply: %d %s", r.status, r.body)
	}
	return out
}

// post sends body to path on the hub with token (none if empty).
func (fx *attackFixture) post(t testing.TB, path, token string, body io.Reader, size int64, header map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, fx.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := fx.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, body: data}
	if r.status != http.StatusOK {
		var pe protocol.Error
		if err := json.Unmarshal(data, &pe); err != nil || pe.Kind == "" || pe.Message == "" {
			t.Fatalf("status %d without a JSON error: %q", r.status, data)
		}
		r.kind, r.msg = pe.Kind, pe.Message
	}
	return r
}

func (fx *attackFixture) postJSON(t testing.TB, path, token string, v any) reply {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return fx.post(t, path, token, bytes.NewReader(b), int64(len(b)), nil)
}

func (fx *attackFixture) pushHTTP(t testing.TB, dev actor, changes ...protocol.Change) reply {
	t.Helper()
	return fx.postJSON(t, protocol.PathSync, dev.token, protocol.SyncRequest{V: protocol.Version, Push: changes})
}

func (fx *attackFixture) enrollHTTP(t testing.TB, code, device string) reply {
	t.Helper()
	return fx.postJSON(t, protocol.PathEnroll, "", protocol.EnrollRequest{V: protocol.Version, Code: code, Device: device, Name: "attacker"})
}

// Tables an attack may have to leave unchanged.
const (
	tRecords   = "records"
	tConflicts = "conflicts"
	tActs      = "activities"
	tDevices   = "devices"
	tCodes     = "enroll_codes"
	tRejects   = "rejections"
	tMeta      = "meta"
)

// dataTables are the tables a refused change must not touch.
var dataTables = []string{tRecords, tConflicts, tActs, tMeta}

// allTables are the tables a request refused as a whole must not touch.
var allTables = []string{tRecords, tConflicts, tActs, tMeta, tDevices, tCodes, tRejects}

// dump returns every row of table, every column, in storage order.
func dump(t testing.TB, h *Hub, table string) string {
	t.Helper()
	if h.pg {
		// Every table's first two columns order its rows: a primary key, or
		// rejections' (device_id, seq).
		return rowsText(t, h, "SELECT * FROM "+table+" ORDER BY 1, 2")
	}
	return rowsText(t, h, "SELECT * FROM "+table+" ORDER BY rowid")
}

// rowsText returns the rows of query on h's database, one line each.
func rowsText(t testing.TB, h *Hub, query string) string {
	t.Helper()
	return queryText(t, h.reader, query)
}

// queryText returns the rows of query on db, one line each.
func queryText(t testing.TB, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var sb strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&sb, vals...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// attack is one row of the attack table.
type attack struct {
	name string
	// run sends the attacker's request(s) and returns the reply to check.
	run func(t *testing.T, fx *attackFixture) reply
	// status and kind are the expected HTTP status and, unless 200, the
	// JSON error kind.
	status int
	kind   protocol.Kind
	// rejected, with status 200, is the kind every pushed change must be
	// rejected with; reason is a word each rejection's reason must name.
	rejected protocol.Kind
	reason   string
	// same lists the tables that must be exactly as before.
	same []string
	// check makes further checks after the reply.
	check func(t *testing.T, fx *attackFixture, r reply)
}

func TestAttacks(t *testing.T) {
	t.Parallel()
	for _, at := range attacks() {
		t.Run(at.name, func(t *testing.T) {
			t.Parallel()
			fx := newAttackFixture(t)
			before := map[string]string{}
			for _, tb := range at.same {
				before[tb] = dump(t, fx.hub, tb)
			}
			r := at.run(t, fx)
			if r.status != at.status || (at.status != http.StatusOK && r.kind != at.kind) {
				t.Fatalf("got %d %s (%s), want %d %s", r.status, r.kind, r.msg, at.status, at.kind)
			}
			if at.rejected != "" {
				resp := r.syncReply(t)
				if len(resp.Rejected) == 0 {
					t.Fatalf("nothing rejected: %.200s", r.body)
				}
				for _, rej := range resp.Rejected {
					if rej.Kind != at.rejected || !strings.Contains(rej.Reason, at.reason) {
						t.Fatalf("rejection %+v, want kind %s naming %q", rej, at.rejected, at.reason)
					}
				}
			}
			for _, tb := range at.same {
				if after := dump(t, fx.hub, tb); after != before[tb] {
					t.Fatalf("table %s changed:\nbefore\n%s\nafter\n%s", tb, before[tb], after)
				}
			}
			if at.check != nil {
				at.check(t, fx, r)
			}
		})
	}
}

// reject is a row whose single pushed change must be rejected with kind,
// naming word, leaving every record as it was.
func rejectRow(name string, kind protocol.Kind, word string, dev func(*attackFixture) actor, ch func(*attackFixture) protocol.Change) attack {
	return attack{name: name, status: http.StatusOK, rejected: kind, reason: word, same: dataTables,
		run: func(t *testing.T, fx *attackFixture) reply { return fx.pushHTTP(t, dev(fx), ch(fx)) }}
}

func devA(fx *attackFixture) actor      { return fx.a }
func devB(fx *attackFixture) actor      { return fx.b }
func devBAdmin(fx *attackFixture) actor { return fx.bAdmin }

// newActivity is a valid create of a new activity of A by device a, with
// one field replaced by raw.
func newActivity(field string, raw json.RawMessage) func(*attackFixture) protocol.Change {
	return func(fx *attackFixture) protocol.Change {
		c := fx.activity(fx.a, "rec-new", fx.orgA, model.VisibilityOrg)
		if raw == nil {
			delete(c.Fields, field)
		} else {
			c.Fields[field] = raw
		}
		return c
	}
}

// syncsFine checks that dev still syncs and gets its organization's records.
func syncsFine(t *testing.T, fx *attackFixture, dev actor) {
	t.Helper()
	r := fx.postJSON(t, protocol.PathSync, dev.token, protocol.SyncRequest{V: protocol.Version})
	if r.status != http.StatusOK || len(r.syncReply(t).Records) == 0 {
		t.Fatalf("device %s no longer syncs: %d %s", dev.id, r.status, r.msg)
	}
}

// attacks is the attack table, one group per kind of attack.
func attacks() []attack {
	var all []attack
	for _, group := range [][]attack{heldAttacks(), fieldAttacks(), revocationAttacks(), commentAttacks(), identityAttacks(), codeAttacks(), floodAttacks()} {
		all = append(all, group...)
	}
	return all
}

// identityAttacks are the attacks on: the hub owns device identity (item 1).
func identityAttacks() []attack {
	return []attack{
		takeover("1 takeover: enroll with B's code and A's device id", func(fx *attackFixture) (string, actor, string) { return fx.codeB, fx.a, fx.orgB },
			func(t *testing.T, fx *attackFixture, got actor) {
				syncsFine(t, fx, fx.a)
				syncsFine(t, fx, got)
			}),
		takeover("1 un-revoke: enroll with a revoked device's id", func(fx *attackFixture) (string, actor, string) { return fx.codeA, fx.revokedA, fx.orgA },
			func(t *testing.T, fx *attackFixture, got actor) {
				if r := fx.pushHTTP(t, fx.revokedA); r.status != http.StatusUnauthorized {
					t.Fatalf("revoked token: %d", r.status)
				}
			}),
		takeover("1 enroll as the hub's own clock node", func(fx *attackFixture) (string, actor, string) { return fx.codeA, actor{id: hubNode}, fx.orgA }, nil),
		{name: "1 fresh id is kept and returned", status: http.StatusOK,
			run: func(t *testing.T, fx *attackFixture) reply { return fx.enrollHTTP(t, fx.codeA, "dev-new-1") },
			check: func(t *testing.T, fx *attackFixture, r reply) {
				var resp protocol.EnrollResponse
				json.Unmarshal(r.body, &resp)
				if resp.Device != "dev-new-1" {
					t.Fatalf("enrolled as %q, want the requested fresh id", resp.Device)
				}
			}},
		malformedEnroll("1 device id with a slash", "../dev-a"),
		malformedEnroll("1 device id with a space", "dev a"),
		malformedEnroll("1 device id with non-ASCII letters", "dév"),
		malformedEnroll("1 device id of 65 characters", strings.Repeat("d", 65)),
		malformedEnroll("1 empty device id", ""),
	}
}

// revocationAttacks are the attacks on: revocation stops admitted requests (item 2).
func revocationAttacks() []attack {
	return []attack{
		{name: "2 push admitted before a revoke", status: http.StatusUnauthorized, kind: protocol.KindUnauthenticated, same: allTables[:3],
			run: func(t *testing.T, fx *attackFixture) reply {
				return fx.admittedThenRevoked(t, fx.activity(fx.a, "rec-late", fx.orgA, model.VisibilityOrg))
			}},
		{name: "2 pull admitted before a revoke", status: http.StatusUnauthorized, kind: protocol.KindUnauthenticated, same: allTables[:3],
			run: func(t *testing.T, fx *attackFixture) reply { return fx.admittedThenRevoked(t) }},
		{name: "2 revoke as a large push arrives", status: http.StatusUnauthorized, kind: protocol.KindUnauthenticated,
			run: func(t *testing.T, fx *attackFixture) reply { return fx.revokeDuringPush(t, 0) }},
		{name: "2 revoke while a large push is applied", status: http.StatusUnauthorized, kind: protocol.KindUnauthenticated,
			run: func(t *testing.T, fx *attackFixture) reply { return fx.revokeDuringPush(t, 150*time.Millisecond) }},
	}
}

// commentAttacks are the attacks on: comments follow their record (item 3).
func commentAttacks() []attack {
	return []attack{
		rejectRow("3 comment on another organization's private record", protocol.KindForbidden, "may not comment", devA,
			func(fx *attackFixture) protocol.Change {
				return fx.comment(fx.a, "cmt-new", fx.orgB, fx.privB, model.VisibilityOrg)
			}),
		rejectRow("3 comment filed under own organization on another's private record", protocol.KindForbidden, "may not comment", devA,
			func(fx *attackFixture) protocol.Change {
				return fx.comment(fx.a, "cmt-new", fx.orgA, fx.privB, model.VisibilityOrg)
			}),
		rejectRow("3 comment filed under own organization on another's network record", protocol.KindForbidden, "organization", devA,
			func(fx *attackFixture) protocol.Change {
				return fx.comment(fx.a, "cmt-new", fx.orgA, fx.netB, model.VisibilityNetwork)
			}),
		rejectRow("3 comment on a record that does not exist", protocol.KindForbidden, "may not comment", devA,
			func(fx *attackFixture) protocol.Change {
				return fx.comment(fx.a, "cmt-new", fx.orgA, "rec-nowhere", model.VisibilityNetwork)
			}),
		rejectRow("3 comment naming the wrong parent entity", protocol.KindForbidden, "may not comment", devA,
			func(fx *attackFixture) protocol.Change {
				c := fx.comment(fx.a, "cmt-new", fx.orgA, fx.privA, model.VisibilityOrg)
				c.Fields["parent_entity"] = json.RawMessage(`"resource"`)
				return c
			}),
		rejectRow("3 comment wider than its private parent", protocol.KindForbidden, "visibility", devA,
			func(fx *attackFixture) protocol.Change {
				return fx.comment(fx.a, "cmt-new", fx.orgA, fx.privA, model.VisibilityNetwork)
			}),
		rejectRow("3 owner's device rewrites another organization's comment", protocol.KindForbidden, "written by", devB,
			func(fx *attackFixture) protocol.Change {
				return fx.edit(fx.b, model.EntityComment, fx.commentAonB, fx.orgB, map[string]any{"body": "rewritten"})
			}),
		rejectRow("3 device rewrites a colleague's comment", protocol.KindForbidden, "written by", devBAdmin,
			func(fx *attackFixture) protocol.Change {
				return fx.edit(fx.bAdmin, model.EntityComment, fx.commentBonB, fx.orgB, map[string]any{"body": "rewritten"})
			}),
		rejectRow("3 author moves a comment to another record", protocol.KindForbidden, "parent_id", devA,
			func(fx *attackFixture) protocol.Change {
				return fx.edit(fx.a, model.EntityComment, fx.commentAonB, fx.orgB, map[string]any{"parent_id": fx.privB})
			}),
		rejectRow("3 admin of the parent's organization rewrites a comment", protocol.KindForbidden, "written by", devBAdmin,
			func(fx *attackFixture) protocol.Change {
				return fx.edit(fx.bAdmin, model.EntityComment, fx.commentAonB, fx.orgB, map[string]any{"body": "rewritten", "deleted": 1})
			}),
		{name: "3 admin of the parent's organization hides a comment on its record", status: http.StatusOK,
			run: func(t *testing.T, fx *attackFixture) reply {
				return fx.pushHTTP(t, fx.bAdmin, fx.edit(fx.bAdmin, model.EntityComment, fx.commentAonB, fx.orgB, map[string]any{"deleted": 1}))
			},
			check: func(t *testing.T, fx *attackFixture, r reply) {
				if rej := r.syncReply(t).Rejected; len(rej) != 0 {
					t.Fatalf("moderation refused: %+v", rej)
				}
			}},
		{name: "3 author edits its own comment on another organization's record", status: http.StatusOK,
			run: func(t *testing.T, fx *attackFixture) reply {
				return fx.pushHTTP(t, fx.a, fx.edit(fx.a, model.EntityComment, fx.commentAonB, fx.orgB, map[string]any{"body": "typo fixed"}))
			},
			check: func(t *testing.T, fx *attackFixture, r reply) {
				if rej := r.syncReply(t).Rejected; len(rej) != 0 {
					t.Fatalf("author's edit refused: %+v", rej)
				}
			}},
	}
}

// fieldAttacks are the attacks on: pushed fields are checked (item 4).
func fieldAttacks() []attack {
	return []attack{
		rejectRow("4 deleted is 2", protocol.KindInvalid, "deleted", devA, newActivity("deleted", json.RawMessage(`2`))),
		rejectRow("4 deleted is 1.0", protocol.KindInvalid, "deleted", devA, newActivity("deleted", json.RawMessage(`1.0`))),
		rejectRow("4 deleted 2 on an existing record", protocol.KindInvalid, "deleted", devA, func(fx *attackFixture) protocol.Change {
			return fx.edit(fx.a, model.EntityActivity, fx.privA, fx.orgA, map[string]any{"deleted": 2})
		}),
		rejectRow("4 create without created_by", protocol.KindInvalid, "created_by", devA, newActivity("created_by", nil)),
		rejectRow("4 update creating a record without created_by", protocol.KindInvalid, "created_by", devA, func(fx *attackFixture) protocol.Change {
			c := newActivity("created_by", nil)(fx)
			c.Op = protocol.OpUpdate
			return c
		}),
		rejectRow("4 forged created_by", protocol.KindForbidden, "created_by", devA, newActivity("created_by", json.RawMessage(`"dev-b"`))),
		rejectRow("4 invalid UTF-8 in a string", protocol.KindInvalid, "title", devA, newActivity("title", json.RawMessage("\"Tra\xffining\""))),
		rejectRow("4 lone surrogate escape in a string", protocol.KindInvalid, "title", devA, newActivity("title", json.RawMessage(`"Tra\ud800ining"`))),
		rejectRow("4 clock an hour ahead of the hub", protocol.KindInvalid, "clock", devA, func(fx *attackFixture) protocol.Change {
			c := newActivity("title", json.RawMessage(`"Late"`))(fx)
			c.HLC = hlc.Timestamp{Wall: attackNow.Add(time.Hour).UnixMilli(), Node: fx.a.id}.String()
			return c
		}),
		rejectRow("4 clock with a 100 KB node", protocol.KindInvalid, "clock", devA, func(fx *attackFixture) protocol.Change {
			c := newActivity("title", json.RawMessage(`"Big"`))(fx)
			c.HLC = hlc.Timestamp{Wall: attackNow.Add(-time.Hour).UnixMilli(), Node: strings.Repeat("n", 100<<10)}.String()
			return c
		}),
		rejectRow("4 malformed record id", protocol.KindInvalid, "record id", devA, func(fx *attackFixture) protocol.Change {
			c := newActivity("title", json.RawMessage(`"Id"`))(fx)
			c.ID = "rec/../x"
			return c
		}),
		rejectRow("4 malformed organization id", protocol.KindInvalid, "organization id", devA, func(fx *attackFixture) protocol.Change {
			c := newActivity("title", json.RawMessage(`"Org"`))(fx)
			c.Org = fx.orgA + " "
			return c
		}),
		{name: "4 negative sequence", status: http.StatusBadRequest, kind: protocol.KindInvalid, same: allTables,
			run: func(t *testing.T, fx *attackFixture) reply {
				ok := fx.activity(fx.a, "rec-ok", fx.orgA, model.VisibilityOrg)
				bad := fx.activity(fx.a, "rec-neg", fx.orgA, model.VisibilityOrg)
				bad.Seq = -1
				return fx.pushHTTP(t, fx.a, bad, ok)
			}},
		{name: "4 sequence beyond 2^53", status: http.StatusBadRequest, kind: protocol.KindInvalid, same: allTables,
			run: func(t *testing.T, fx *attackFixture) reply {
				ok := fx.activity(fx.a, "rec-ok", fx.orgA, model.VisibilityOrg)
				bad := fx.activity(fx.a, "rec-big", fx.orgA, model.VisibilityOrg)
				bad.Seq = 1<<53 + 1
				return fx.pushHTTP(t, fx.a, ok, bad)
			}},
	}
}

// codeAttacks are the attacks on: enrollment codes are stored keyed (item 5).
func codeAttacks() []attack {
	return []attack{
		{name: "5 the code's plain SHA-256 is not what the hub stores", status: http.StatusUnauthorized, kind: protocol.KindUnauthenticated, same: allTables,
			run: func(t *testing.T, fx *attackFixture) reply {
				sum := sha256.Sum256([]byte(normalizeCode(fx.codeA)))
				var n int
				fx.hub.reader.QueryRow("SELECT count(*) FROM enroll_codes WHERE hash = ?", hex.EncodeToString(sum[:])).Scan(&n)
				if n != 0 {
					t.Fatal("enrollment code stored as its unkeyed SHA-256")
				}
				var stored string
				fx.hub.reader.QueryRow("SELECT hash FROM enroll_codes WHERE used_at = '' LIMIT 1").Scan(&stored)
				return fx.enrollHTTP(t, stored, "dev-new-2")
			}},
	}
}

// floodAttacks are the attacks on: enrollment attempts are bounded (item 6).
func floodAttacks() []attack {
	return []attack{
		{name: "6 enrollment flood from one address", status: http.StatusTooManyRequests, kind: protocol.KindTransient,
			run: func(t *testing.T, fx *attackFixture) reply {
				for i := range enrollBurst {
					if r := fx.enrollHTTP(t, fmt.Sprintf("WRONG-CODE-%04d", i), "dev-flood"); r.status != http.StatusUnauthorized {
						t.Fatalf("attempt %d: %d %s", i, r.status, r.msg)
					}
				}
				before := dump(t, fx.hub, tCodes)
				r := fx.enrollHTTP(t, fx.codeA, "dev-flood")
				if after := dump(t, fx.hub, tCodes); after != before {
					t.Fatal("refused attempt used up a code")
				}
				return r
			},
			check: func(t *testing.T, fx *attackFixture, r reply) {
				if r.header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
			}},
		{name: "6 enrollments beyond those running at once", status: http.StatusTooManyRequests, kind: protocol.KindTransient, same: allTables,
			run: func(t *testing.T, fx *attackFixture) reply {
				var held []func()
				for {
					release, _, err := fx.hub.enrollGate.admit(context.Background(), fmt.Sprintf("192.0.2.%d", len(held)+1), attackNow)
					if err != nil {
						t.Fatal(err)
					}
					if release == nil {
						break
					}
					held = append(held, release)
				}
				defer func() {
					for _, release := range held {
						release()
					}
				}()
				if len(held) != enrollConcurrent {
					t.Fatalf("%d enrollments admitted at once, want %d", len(held), enrollConcurrent)
				}
				return fx.enrollHTTP(t, fx.codeA, "dev-busy")
			}},
		{name: "6 parallel enrollments", status: http.StatusOK,
			run: func(t *testing.T, fx *attackFixture) reply { return fx.parallelEnrollments(t) }},
	}
}

// heldAttacks are the attacks on: what held before: organization boundaries, body limits.
func heldAttacks() []attack {
	return []attack{
		{name: "private records never reach another organization", status: http.StatusOK,
			run: func(t *testing.T, fx *attackFixture) reply {
				// Asking for its own records too, from the beginning.
				return fx.postJSON(t, protocol.PathSync, fx.b.token, protocol.SyncRequest{V: protocol.Version, Echo: true, Cursor: protocol.Cursor{Seq: -5}})
			},
			check: func(t *testing.T, fx *attackFixture, r reply) {
				resp := r.syncReply(t)
				seen := map[string]bool{}
				for _, rec := range resp.Records {
					seen[rec.ID] = true
					if rec.Org != fx.orgB && rec.Entity != model.EntityOrganization && string(rec.Fields["visibility"]) != `"network"` {
						t.Fatalf("B received A's private %s %s", rec.Entity, rec.ID)
					}
				}
				if seen[fx.privA] || !seen[fx.netB] || !seen[fx.privB] {
					t.Fatalf("B received %v", seen)
				}
			}},
		rejectRow("write a record of another organization", protocol.KindForbidden, "organization", devA, func(fx *attackFixture) protocol.Change {
			return fx.activity(fx.a, "rec-in-b", fx.orgB, model.VisibilityOrg)
		}),
		rejectRow("edit another organization's record claiming it is one's own", protocol.KindForbidden, "belongs to", devA, func(fx *attackFixture) protocol.Change {
			return fx.edit(fx.a, model.EntityActivity, fx.privB, fx.orgA, map[string]any{"title": "Mine now"})
		}),
		rejectRow("edit another organization's directory entry", protocol.KindForbidden, "admin", devA, func(fx *attackFixture) protocol.Change {
			return fx.edit(fx.a, model.EntityOrganization, fx.orgB, fx.orgB, map[string]any{"name": "Renamed"})
		}),
		{name: "100 MB body", status: http.StatusRequestEntityTooLarge, kind: protocol.KindTooLarge, same: allTables,
			run: func(t *testing.T, fx *attackFixture) reply {
				const size = 100 << 20
				return fx.post(t, protocol.PathSync, fx.a.token, io.LimitReader(zeros{}, size), size, nil)
			}},
		{name: "100 MB body, length not given", status: http.StatusRequestEntityTooLarge, kind: protocol.KindTooLarge, same: allTables,
			run: func(t *testing.T, fx *attackFixture) reply {
				return fx.post(t, protocol.PathSync, fx.a.token, io.LimitReader(zeros{}, 100<<20), -1, nil)
			}},
		{name: "gzip bomb", status: http.StatusRequestEntityTooLarge, kind: protocol.KindTooLarge, same: allTables,
			run: func(t *testing.T, fx *attackFixture) reply {
				bomb := gz(append(append([]byte(`{"v":2,"ch":[`), bytes.Repeat([]byte(" "), 64<<20)...), "]}"...))
				if len(bomb) > protocol.MaxBody {
					t.Fatalf("bomb of %d bytes", len(bomb))
				}
				return fx.post(t, protocol.PathSync, fx.a.token, bytes.NewReader(bomb), int64(len(bomb)), map[string]string{"Content-Encoding": "gzip"})
			}},
		{name: "enrollment gzip bomb", status: http.StatusRequestEntityTooLarge, kind: protocol.KindTooLarge, same: allTables,
			run: func(t *testing.T, fx *attackFixture) reply {
				bomb := gz(append(append([]byte(`{"v":2,"code":"`), bytes.Repeat([]byte("A"), 16<<20)...), `"}`...))
				return fx.post(t, protocol.PathEnroll, "", bytes.NewReader(bomb), int64(len(bomb)), map[string]string{"Content-Encoding": "gzip"})
			}},
		{name: "revoked device", status: http.StatusUnauthorized, kind: protocol.KindUnauthenticated, same: allTables,
			run: func(t *testing.T, fx *attackFixture) reply {
				return fx.pushHTTP(t, fx.revokedA, fx.activity(fx.revokedA, "rec-rev", fx.orgA, model.VisibilityOrg))
			}},
	}
}

// keptEveryRow says whether every row of dump before is in dump after,
// unchanged, whatever the order of the rows.
func keptEveryRow(before, after string) bool {
	have := map[string]int{}
	for _, l := range strings.Split(after, "\n") {
		have[l]++
	}
	for _, l := range strings.Split(before, "\n") {
		if have[l]--; have[l] < 0 {
			return false
		}
	}
	return true
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// takeover is a row enrolling with a code and the id of victim, which is
// enrolled already (or reserved): the hub must enroll a fresh id in the
// code's organization and leave the victim's row byte for byte as it was.
func takeover(name string, with func(*attackFixture) (code string, victim actor, org string), check func(*testing.T, *attackFixture, actor)) attack {
	var victim actor
	return attack{name: name, status: http.StatusOK, same: []string{tRecords, tConflicts, tActs},
		run: func(t *testing.T, fx *attackFixture) reply {
			code, v, _ := with(fx)
			victim = v
			before := dump(t, fx.hub, tDevices)
			r := fx.enrollHTTP(t, code, victim.id)
			if after := dump(t, fx.hub, tDevices); !keptEveryRow(before, after) {
				t.Fatalf("enrolled devices changed:\n%s\n%s", before, after)
			}
			return r
		},
		check: func(t *testing.T, fx *attackFixture, r reply) {
			var resp protocol.EnrollResponse
			json.Unmarshal(r.body, &resp)
			if _, _, org := with(fx); resp.Device == victim.id || !validID(resp.Device) || resp.Org != org {
				t.Fatalf("enrolled as %q in %s; want a fresh id in %s", resp.Device, resp.Org, org)
			}
			if check != nil {
				check(t, fx, actor{id: resp.Device, token: resp.Token})
			}
		}}
}

func malformedEnroll(name, device string) attack {
	return attack{name: name, status: http.StatusBadRequest, kind: protocol.KindInvalid, same: allTables,
		run: func(t *testing.T, fx *attackFixture) reply { return fx.enrollHTTP(t, fx.codeA, device) }}
}

// admittedThenRevoked authenticates device a, revokes it, then runs its
// sync as a request admitted just before the revoke would, and returns the
// refusal as the HTTP reply it would have become.
func (fx *attackFixture) admittedThenRevoked(t *testing.T, push ...protocol.Change) reply {
	t.Helper()
	ctx := context.Background()
	dev, err := fx.hub.Authenticate(ctx, fx.a.token)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.hub.RevokeDevice(ctx, dev.ID); err != nil {
		t.Fatal(err)
	}
	resp, err := fx.hub.Sync(ctx, dev, &protocol.SyncRequest{V: protocol.Version, Push: push})
	if err == nil {
		t.Fatalf("sync admitted before the revoke went through: %d records returned, acked %d", len(resp.Records), resp.Acked)
	}
	return reply{status: protocol.KindOf(err).HTTPStatus(), kind: protocol.KindOf(err), msg: err.Error()}
}

// revokeDuringPush sends 5,000 changes from device a over HTTP while the
// device is revoked. The push must land entirely before the revoke or not
// at all; after the revoke returns, nothing is accepted and nothing
// returned.
func (fx *attackFixture) revokeDuringPush(t *testing.T, delay time.Duration) reply {
	t.Helper()
	ctx := context.Background()
	var push []protocol.Change
	for i := range 5000 {
		push = append(push, fx.activity(fx.a, fmt.Sprintf("rec-bulk-%04d", i), fx.orgA, model.VisibilityOrg))
	}
	body := gz(syncBody(t, protocol.SyncRequest{V: protocol.Version, Push: push}))
	done := make(chan reply, 1)
	go func() {
		// t.Fatal must not run outside the test goroutine: send the reply.
		req, _ := http.NewRequest(http.MethodPost, fx.srv.URL+protocol.PathSync, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+fx.a.token)
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := fx.srv.Client().Do(req)
		if err != nil {
			done <- reply{}
			return
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		done <- reply{status: resp.StatusCode, body: data}
	}()
	// Let the push be admitted and get on with its work, then revoke.
	time.Sleep(delay)
	if err := fx.hub.RevokeDevice(ctx, fx.a.id); err != nil {
		t.Fatal(err)
	}
	var n int
	fx.hub.reader.QueryRow("SELECT count(*) FROM records WHERE id LIKE 'rec-bulk-%'").Scan(&n)
	pushed := <-done
	var after int
	fx.hub.reader.QueryRow("SELECT count(*) FROM records WHERE id LIKE 'rec-bulk-%'").Scan(&after)
	if after != n {
		t.Fatalf("%d changes written after the revoke returned (%d before)", after-n, n)
	}
	if n != 0 && n != len(push) {
		t.Fatalf("%d of %d changes written: the push was cut by the revoke", n, len(push))
	}
	if pushed.status == http.StatusOK && n != len(push) {
		t.Fatalf("push acknowledged but %d of %d changes written", n, len(push))
	}
	// From now on: refused, nothing written, nothing returned.
	before := dump(t, fx.hub, tRecords)
	r := fx.post(t, protocol.PathSync, fx.a.token, bytes.NewReader(body), int64(len(body)), map[string]string{"Content-Encoding": "gzip"})
	if r.status == http.StatusOK || dump(t, fx.hub, tRecords) != before {
		t.Fatalf("push after the revoke: %d, records changed: %v", r.status, dump(t, fx.hub, tRecords) != before)
	}
	return r
}

// parallelEnrollments runs enrollments at once from many clients, each
// with its own code and all asking for the same fresh device id: each gets
// a device of its own, and exactly one gets the id it asked for.
func (fx *attackFixture) parallelEnrollments(t *testing.T) reply {
	t.Helper()
	const n = 24
	fx.hub.enrollGate = newEnrollGate(1024, n, n, time.Minute)
	codes := make([]string, n)
	for i := range codes {
		codes[i] = fx.code(t, fx.orgA, RoleStaff)
	}
	type result struct {
		status int
		resp   protocol.EnrollResponse
		retry  string
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			b, _ := json.Marshal(protocol.EnrollRequest{V: protocol.Version, Code: codes[i], Device: "dev-same"})
			resp, err := fx.srv.Client().Post(fx.srv.URL+protocol.PathEnroll, "application/json", bytes.NewReader(b))
			if err != nil {
				return
			}
			defer resp.Body.Close()
			results[i].status, results[i].retry = resp.StatusCode, resp.Header.Get("Retry-After")
			json.NewDecoder(resp.Body).Decode(&results[i].resp)
		})
	}
	wg.Wait()
	ids := map[string]bool{}
	asked := 0
	for i, r := range results {
		switch r.status {
		case http.StatusOK:
			if ids[r.resp.Device] || !validID(r.resp.Device) {
				t.Fatalf("enrollment %d: device id %q given twice or malformed", i, r.resp.Device)
			}
			ids[r.resp.Device] = true
			if r.resp.Device == "dev-same" {
				asked++
			}
		case http.StatusTooManyRequests:
			if r.retry == "" {
				t.Fatalf("enrollment %d: 429 without Retry-After", i)
			}
		default:
			t.Fatalf("enrollment %d: status %d", i, r.status)
		}
	}
	if asked != 1 || len(ids) == 0 {
		t.Fatalf("%d enrollments got the id they asked for, %d succeeded", asked, len(ids))
	}
	return reply{status: http.StatusOK}
}
