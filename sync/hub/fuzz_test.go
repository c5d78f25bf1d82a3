package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// fuzzClient gives up on a hub that hangs, so a hang is a failure.
var fuzzClient = &http.Client{Timeout: 20 * time.Second}

// FuzzSync posts arbitrary bodies to the sync endpoint with a valid device
// token. The hub must answer 200 with a valid reply or a 4xx JSON error
// that changed nothing; never a 5xx, a panic or a hang.
func FuzzSync(f *testing.F) {
	fx := newFixture(f)
	good := protocol.SyncRequest{V: protocol.Version, Org: fx.org, Push: []protocol.Change{activityChange(1, fx.org, "f1")}}
	seed := func(req any) []byte { b, _ := json.Marshal(req); return b }
	f.Add(seed(good), false)
	f.Add(seed(good), true)
	edit := activityChange(2, fx.org, "f1")
	edit.Op, edit.Base = protocol.OpUpdate, 1
	edit.Fields = map[string]json.RawMessage{"title": json.RawMessage(`"Renamed"`), "deleted": json.RawMessage(`1`)}
	f.Add(seed(protocol.SyncRequest{V: 1, Push: []protocol.Change{edit}}), false)
	f.Add(seed(protocol.SyncRequest{V: protocol.Version, Push: []protocol.Change{{Seq: 3, Entity: protocol.EntityConflict, ID: "c1", Op: "u",
		HLC: testClock.String(), Fields: map[string]json.RawMessage{"resolved": json.RawMessage(`1`)}}}}), false)
	f.Add(seed(protocol.SyncRequest{V: protocol.Version, Cursor: protocol.Cursor{Epoch: "old", Seq: 99}, PullBytes: 1}), false)
	f.Add([]byte(`{"v":2,"ch":[{"q":4,"e":"comment","i":"x","o":"","p":"c","h":"0000000000001.0000000000.d","f":{"body":1e999}}]}`), false)
	f.Add([]byte(`{"v":0}`), false)
	f.Add([]byte(`{"v":2,"ch":[{"q":-1}]}`), false)
	f.Add([]byte(`{`), true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, body []byte, compress bool) {
		before := writes(t, fx.hub)
		payload := body
		if compress {
			payload = gz(body)
		}
		req, err := http.NewRequest(http.MethodPost, fx.srv.URL+protocol.PathSync, bytes.NewReader(payload))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+fx.token)
		if compress {
			req.Header.Set("Content-Encoding", "gzip")
		}
		resp, err := fuzzClient.Do(req)
		if err != nil {
			t.Fatalf("request: %v", err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusOK {
			var out protocol.SyncResponse
			if err := json.Unmarshal(data, &out); err != nil || out.V != protocol.Version || out.Cursor.Epoch != fx.hub.Epoch() {
				t.Fatalf("200 with a bad reply %q: %v", data, err)
			}
			return
		}
		if resp.StatusCode >= 500 || resp.StatusCode < 400 {
			t.Fatalf("status %d: %s", resp.StatusCode, data)
		}
		var pe protocol.Error
		if err := json.Unmarshal(data, &pe); err != nil || pe.Kind == "" || pe.Message == "" {
			t.Fatalf("status %d without a JSON error: %q", resp.StatusCode, data)
		}
		if after := writes(t, fx.hub); after != before {
			t.Fatalf("refused request (%d %s) changed the hub", resp.StatusCode, pe.Message)
		}
	})
}

// writes tells whether the hub's database changed between two calls: on
// SQLite the count of rows its single writer connection has changed since
// it opened; on PostgreSQL, where writers are many, a digest of every row
// of every table.
func writes(t *testing.T, h *Hub) string {
	t.Helper()
	q := "SELECT total_changes()"
	if h.pg {
		tables, err := queryStrings(context.Background(), h.reader,
			"SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, tb := range tables {
			parts = append(parts, "(SELECT coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') FROM "+tb+" x)")
		}
		q = "SELECT md5(" + strings.Join(parts, " || ") + ")"
	}
	var v string
	if err := h.writer.QueryRow(q).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// FuzzEnroll posts arbitrary bodies to the enrollment endpoint: the hub
// answers 200 with a token or a 4xx JSON error, never a 5xx.
func FuzzEnroll(f *testing.F) {
	fx := newFixture(f)
	code, err := fx.hub.NewEnrollCode(context.Background(), fx.org, RoleStaff, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"v":2,"code":"` + code + `","device":"fz1","name":"laptop"}`))
	f.Add([]byte(`{"v":2,"code":"` + strings.ToLower(code) + `","device":""}`))
	f.Add([]byte(`{"v":1,"code":"AAAA-BBBB-CCCC","device":"fz2"}`))
	f.Add([]byte(`{"v":0}`))
	f.Add([]byte(`[]`))
	// Takeover attempts: the id of an enrolled device, of a revoked one,
	// the hub's own clock node; and malformed ids.
	for _, id := range []string{fx.deviceID, "device-2", hubNode, "../device-1", "device 1", "dévice", strings.Repeat("d", 65), "\u0000"} {
		code, err := fx.hub.NewEnrollCode(context.Background(), fx.org, RoleStaff, time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(`{"v":2,"code":"` + code + `","device":"` + id + `"}`))
	}
	// The gate would answer 429 to most fuzz inputs: fuzz the handler behind it.
	fx.hub.enrollGate = newEnrollGate(16, math.MaxInt32, 64, time.Nanosecond)
	victims := dump(f, fx.hub, tDevices)
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := fuzzClient.Post(fx.srv.URL+protocol.PathEnroll, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("request: %v", err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			var out protocol.EnrollResponse
			if err := json.Unmarshal(data, &out); err != nil || !strings.HasPrefix(out.Token, "fbk_") || out.Org != fx.org || !validID(out.Device) {
				t.Fatalf("200 with a bad reply %q: %v", data, err)
			}
			// No enrollment changes a device enrolled before.
			if now := dump(t, fx.hub, tDevices); !keptEveryRow(victims, now) {
				t.Fatalf("enrollment as %s changed enrolled devices", out.Device)
			}
			return
		}
		var pe protocol.Error
		if resp.StatusCode >= 500 || json.Unmarshal(data, &pe) != nil || pe.Kind == "" {
			t.Fatalf("status %d: %q", resp.StatusCode, data)
		}
	})
}
