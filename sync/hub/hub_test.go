package hub

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/internal/pgtest/pghub"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// fixture is a hub in a temporary folder with one organization and two
// enrolled devices (one revoked) behind a real HTTP server.
type fixture struct {
	hub      *Hub
	srv      *httptest.Server
	org      string
	other    string
	token    string
	revoked  string
	deviceID string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	h, err := openTest(t, ctx, t.TempDir(), Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	f := &fixture{hub: h, srv: httptest.NewServer(h.Handler()), deviceID: "device-1"}
	t.Cleanup(func() { f.srv.Close(); h.Close() })
	if f.org, err = h.AddOrg(ctx, "Org One", "MW"); err != nil {
		t.Fatal(err)
	}
	if f.other, err = h.AddOrg(ctx, "Org Two", "KE"); err != nil {
		t.Fatal(err)
	}
	enroll := func(device string) string { return enrollIn(t, h, f.org, device) }
	f.token = enroll(f.deviceID)
	f.revoked = enroll("device-2")
	if err := h.RevokeDevice(ctx, "device-2"); err != nil {
		t.Fatal(err)
	}
	return f
}

var testClock = hlc.Timestamp{Wall: 1767225600000, Node: "device-1"}

// activityChange is a valid create of an activity with seq.
func activityChange(seq int64, org, id string) protocol.Change {
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	ts := testClock
	ts.Logical = uint32(seq)
	return protocol.Change{Seq: seq, Entity: model.EntityActivity, ID: id, Org: org, Op: protocol.OpCreate, HLC: ts.String(),
		Fields: map[string]json.RawMessage{
			"visibility": raw("org"), "created_by": raw("device-1"), "created_at": raw("2026-01-01T00:00:00Z"),
			"kind": raw("training"), "title": raw("Training " + id), "start_date": raw("2026-01-01"), "country": raw("MW"),
			"status": raw("final"), "themes": raw([]string{"education"}), "girls_6_11": raw(12),
		}}
}

func syncBody(t testing.TB, req protocol.SyncRequest) []byte {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// snapshot returns every row the hub stores that a sync may change, so a
// test can check that a refused request changed nothing.
func snapshot(t testing.TB, h *Hub) string {
	t.Helper()
	var sb strings.Builder
	for _, q := range []string{
		"SELECT key, value FROM meta ORDER BY key",
		"SELECT id, entity, org_id, version, body, state FROM records ORDER BY id",
		"SELECT id, record_id, field, winner, loser, resolved, version FROM conflicts ORDER BY id",
		"SELECT id, org_id, role, token_hash, revoked_at, last_seq FROM devices ORDER BY id",
		"SELECT device_id, seq, kind, reason FROM rejections ORDER BY device_id, seq",
		"SELECT id, title, version FROM activities ORDER BY id",
	} {
		sb.WriteString(rowsText(t, h, q))
	}
	return sb.String()
}

type scenario struct {
	name    string
	method  string
	path    string
	token   string
	body    []byte
	headers map[string]string
	status  int
	kind    protocol.Kind
	chunked bool
}

func TestSyncRefusesBadRequestsAndChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	good := protocol.SyncRequest{V: protocol.Version, Org: f.org, Push: []protocol.Change{activityChange(1, f.org, "a1")}}
	withV := func(v int) []byte { r := good; r.V = v; return syncBody(t, r) }
	wrongOrg := good
	wrongOrg.Org = f.other
	tooMany := good
	tooMany.Push = make([]protocol.Change, MaxPushChanges+1)
	for i := range tooMany.Push {
		tooMany.Push[i] = protocol.Change{Seq: int64(i + 1)}
	}
	unordered := good
	unordered.Push = []protocol.Change{activityChange(2, f.org, "a2"), activityChange(1, f.org, "a1")}
	bomb := gz(append(append([]byte(`{"v":2,"ch":[`), bytes.Repeat([]byte(" "), protocol.MaxDecoded+10)...), []byte("]}")...))
	big := bytes.Repeat([]byte("x"), protocol.MaxBody+1)
	gzHdr := map[string]string{"Content-Encoding": "gzip"}
	scenarios := []scenario{
		{name: "malformed JSON", token: f.token, body: []byte(`{"v":2,"ch":[{"q":1,`), status: 400, kind: protocol.KindInvalid},
		{name: "wrong JSON types", token: f.token, body: []byte(`{"v":"two","ch":{}}`), status: 400, kind: protocol.KindInvalid},
		{name: "trailing garbage", token: f.token, body: append(syncBody(t, good), []byte("}{")...), status: 400, kind: protocol.KindInvalid},
		{name: "not gzip", token: f.token, body: syncBody(t, good), headers: gzHdr, status: 400, kind: protocol.KindInvalid},
		{name: "truncated gzip", token: f.token, body: gz(syncBody(t, good))[:40], headers: gzHdr, status: 400, kind: protocol.KindInvalid},
		{name: "unknown encoding", token: f.token, body: syncBody(t, good), headers: map[string]string{"Content-Encoding": "br"}, status: 400, kind: protocol.KindInvalid},
		{name: "oversized", token: f.token, body: big, status: 413, kind: protocol.KindTooLarge},
		{name: "oversized chunked", token: f.token, body: big, chunked: true, status: 413, kind: protocol.KindTooLarge},
		{name: "gzip bomb", token: f.token, body: bomb, headers: gzHdr, status: 413, kind: protocol.KindTooLarge},
		{name: "no token", body: syncBody(t, good), status: 401, kind: protocol.KindUnauthenticated},
		{name: "unknown token", token: "fbk_not-a-token", body: syncBody(t, good), status: 401, kind: protocol.KindUnauthenticated},
		{name: "revoked device", token: f.revoked, body: syncBody(t, good), status: 401, kind: protocol.KindUnauthenticated},
		{name: "wrong organization", token: f.token, body: syncBody(t, wrongOrg), status: 403, kind: protocol.KindForbidden},
		{name: "old protocol", token: f.token, body: withV(0), status: 426, kind: protocol.KindTooOld},
		{name: "future protocol", token: f.token, body: withV(protocol.Version + 1), status: 400, kind: protocol.KindInvalid},
		{name: "too many changes", token: f.token, body: syncBody(t, tooMany), status: 413, kind: protocol.KindTooLarge},
		{name: "sequences out of order", token: f.token, body: syncBody(t, unordered), status: 400, kind: protocol.KindInvalid},
		{name: "enroll with unknown code", path: protocol.PathEnroll, body: []byte(`{"v":2,"code":"AAAA-BBBB-CCCC","device":"d9"}`), status: 401, kind: protocol.KindUnauthenticated},
		{name: "enroll malformed", path: protocol.PathEnroll, body: []byte(`{"v":2,"code":`), status: 400, kind: protocol.KindInvalid},
		{name: "enroll old protocol", path: protocol.PathEnroll, body: []byte(`{"v":0,"code":"x","device":"d9"}`), status: 426, kind: protocol.KindTooOld},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			before := snapshot(t, f.hub)
			status, kind, msg := f.do(t, sc)
			if status != sc.status || kind != sc.kind {
				t.Fatalf("got %d %s (%s), want %d %s", status, kind, msg, sc.status, sc.kind)
			}
			if msg == "" {
				t.Fatal("error reply has no message")
			}
			if after := snapshot(t, f.hub); after != before {
				t.Fatalf("refused request changed the hub:\nbefore %s\nafter %s", before, after)
			}
		})
	}
	t.Run("wrong method", func(t *testing.T) {
		resp, err := http.Get(f.srv.URL + protocol.PathSync)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("GET %s = %d", protocol.PathSync, resp.StatusCode)
		}
	})
	// The same good request is then accepted, so the refusals were not
	// caused by anything else.
	status, _, msg := f.do(t, scenario{token: f.token, body: gz(syncBody(t, good)), headers: gzHdr})
	if status != 200 {
		t.Fatalf("good request: %d %s", status, msg)
	}
}

// do sends sc and returns the status and, for errors, the JSON kind and message.
func (f *fixture) do(t testing.TB, sc scenario) (int, protocol.Kind, string) {
	t.Helper()
	path := sc.path
	if path == "" {
		path = protocol.PathSync
	}
	var body io.Reader = bytes.NewReader(sc.body)
	if sc.chunked {
		body = io.MultiReader(body) // hides the length: sent chunked
	}
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if sc.token != "" {
		req.Header.Set("Authorization", "Bearer "+sc.token)
	}
	for k, v := range sc.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 {
		return 200, "", ""
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error reply content type %q: %s", ct, data)
	}
	var pe protocol.Error
	if err := json.Unmarshal(data, &pe); err != nil {
		t.Fatalf("error reply is not JSON: %s", data)
	}
	return resp.StatusCode, pe.Kind, pe.Message
}

func (f *fixture) sync(t testing.TB, req protocol.SyncRequest) *protocol.SyncResponse {
	t.Helper()
	dev, err := f.hub.Authenticate(context.Background(), f.token)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.hub.Sync(context.Background(), dev, &req)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return resp
}

func TestOneInvalidRecordIsRejectedOthersApplied(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bad := activityChange(2, f.org, "a2")
	bad.Fields["start_date"] = json.RawMessage(`"2026-13-45"`)
	badType := activityChange(3, f.org, "a3")
	badType.Fields["girls_6_11"] = json.RawMessage(`"twelve"`)
	foreign := activityChange(4, f.other, "a4")
	spoofed := activityChange(6, f.org, "a6")
	spoofed.Fields["created_by"] = json.RawMessage(`"device-2"`)
	req := protocol.SyncRequest{V: protocol.Version, Push: []protocol.Change{activityChange(1, f.org, "a1"), bad, badType, foreign, activityChange(5, f.org, "a5"), spoofed}}
	resp := f.sync(t, req)
	if resp.Acked != 6 || len(resp.Rejected) != 4 {
		t.Fatalf("reply = %+v", resp)
	}
	want := map[int64]protocol.Kind{2: protocol.KindInvalid, 3: protocol.KindInvalid, 4: protocol.KindForbidden, 6: protocol.KindForbidden}
	for _, r := range resp.Rejected {
		if want[r.Seq] != r.Kind || r.Reason == "" {
			t.Fatalf("rejection %+v", r)
		}
	}
	if !strings.Contains(resp.Rejected[0].Reason, "start_date") {
		t.Fatalf("reason does not name the field: %q", resp.Rejected[0].Reason)
	}
	var n int
	f.hub.reader.QueryRow("SELECT count(*) FROM activities").Scan(&n)
	if n != 2 {
		t.Fatalf("%d activities stored, want 2", n)
	}
	rep, err := report.Compute(context.Background(), ReportDB(f.hub), report.Filter{})
	if err != nil {
		t.Fatalf("report on the hub: %v", err)
	}
	if rep.Activities != 2 || rep.Children != 24 || len(rep.ByTheme) != 1 || rep.ByTheme[0].Key != "education" || rep.SexAgeCell("girls", "6_11") != 24 {
		t.Fatalf("hub report = %+v", rep)
	}
	// The retried request changes nothing and gets the same answer.
	before := snapshot(t, f.hub)
	again := f.sync(t, req)
	if after := snapshot(t, f.hub); after != before {
		t.Fatalf("retried request changed the hub")
	}
	if again.Acked != 6 || len(again.Rejected) != 4 {
		t.Fatalf("retried reply = %+v", again)
	}
}

func TestEpochChangesOnRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	h, err := openTest(t, ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	epoch := h.Epoch()
	backup := dir + "/backup.db"
	if err := h.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := h.Backup(ctx, backup); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	h.Close()
	restored, err := RestoreInto(ctx, dir, Options{Postgres: pghub.Config(t, dir)}, backup)
	if err != nil {
		t.Fatal(err)
	}
	h, err = openTest(t, ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.Epoch() == epoch || h.Epoch() != restored {
		t.Fatalf("epoch after restore = %s (was %s, restore said %s)", h.Epoch(), epoch, restored)
	}
}

func TestEnrollmentCodeIsOneTimeAndExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h, err := openTest(t, ctx, t.TempDir(), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	org, _ := h.AddOrg(ctx, "Org", "MW")
	code, err := h.NewEnrollCode(ctx, org, RoleAdmin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: strings.ToLower(code), Device: "d1"})
	if err != nil || resp.Org != org || resp.Role != RoleAdmin || resp.OrgName != "Org" {
		t.Fatalf("Enroll = %+v, %v", resp, err)
	}
	var stored string
	h.reader.QueryRow("SELECT token_hash FROM devices WHERE id = 'd1'").Scan(&stored)
	if stored == resp.Token || stored != hash(resp.Token) {
		t.Fatal("token not stored as its SHA-256")
	}
	if _, err := h.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: code, Device: "d2"}); protocol.KindOf(err) != protocol.KindUnauthenticated {
		t.Fatalf("second use of a code: %v", err)
	}
	late, _ := h.NewEnrollCode(ctx, org, RoleStaff, time.Hour)
	now = now.Add(2 * time.Hour)
	if _, err := h.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: late, Device: "d3"}); protocol.KindOf(err) != protocol.KindUnauthenticated {
		t.Fatalf("expired code: %v", err)
	}
	if _, err := h.Authenticate(ctx, resp.Token); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if err := h.RevokeDevice(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Authenticate(ctx, resp.Token); protocol.KindOf(err) != protocol.KindUnauthenticated {
		t.Fatalf("revoked token: %v", err)
	}
	if err := h.RevokeDevice(ctx, "nope"); err == nil {
		t.Fatal("revoking an unknown device succeeded")
	}
}

func TestEchoOfOwnChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v2 := f.sync(t, protocol.SyncRequest{V: 2, Push: []protocol.Change{activityChange(1, f.org, "mine")}, Cursor: protocol.Cursor{Epoch: f.hub.Epoch(), Seq: 2}})
	for _, r := range v2.Records {
		if r.ID == "mine" {
			t.Fatal("version 2 reply echoed the device's own clean change")
		}
	}
	// A device that lost what it pushed asks for its own changes too.
	echo := f.sync(t, protocol.SyncRequest{V: protocol.Version, Echo: true, Push: []protocol.Change{activityChange(2, f.org, "mine2")}, Cursor: v2.Cursor})
	if len(echo.Records) != 1 || echo.Records[0].ID != "mine2" || echo.Records[0].Fields["title"] == nil {
		t.Fatalf("reply asked to echo = %+v", echo.Records)
	}
	dev, err := f.hub.Authenticate(context.Background(), f.token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.hub.Sync(context.Background(), dev, &protocol.SyncRequest{V: 1}); protocol.KindOf(err) != protocol.KindTooOld {
		t.Fatalf("version 1 request: %v, want too_old", err)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp, err := http.Get(f.srv.URL + protocol.PathHealthz)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 || body["status"] != "ok" || body["epoch"] != f.hub.Epoch() {
		t.Fatalf("healthz = %d %v %v", resp.StatusCode, body, err)
	}
}
