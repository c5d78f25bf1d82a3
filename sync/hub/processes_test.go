package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// twoHubs opens two hubs on one new PostgreSQL database, each with its own
// pool of connections, as two hub processes behind a load balancer are.
func twoHubs(t *testing.T) (*Hub, *Hub) {
	t.Helper()
	ctx := context.Background()
	c, err := pgdb.ParseURL(pgtest.NewDB(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	var hubs [2]*Hub
	for i := range hubs {
		h, err := Open(ctx, t.TempDir(), Options{Postgres: &c, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		hubs[i] = h
	}
	return hubs[0], hubs[1]
}

// twoHubsAndOrg is [twoHubs] with one organization, added through the first.
func twoHubsAndOrg(t *testing.T) (one, two *Hub, org string) {
	t.Helper()
	one, two = twoHubs(t)
	org, err := one.AddOrg(context.Background(), "Org", "MW")
	if err != nil {
		t.Fatal(err)
	}
	return one, two, org
}

// What one hub process does, the other honours: they share the epoch, the
// enrollment codes (a code used on one is used on both), revocations, and
// each client address's enrollment allowance.
func TestHubProcessesShareCodesRevocationsAndAllowances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	one, two, org := twoHubsAndOrg(t)
	if one.Epoch() != two.Epoch() {
		t.Fatalf("epochs %s and %s", one.Epoch(), two.Epoch())
	}
	code, err := one.NewEnrollCode(ctx, org, RoleStaff, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := two.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: code, Device: "d1"})
	if err != nil {
		t.Fatalf("a code made by one process, used on the other: %v", err)
	}
	if _, err := one.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: code, Device: "d2"}); protocol.KindOf(err) != protocol.KindUnauthenticated {
		t.Fatalf("a code used on one process, used again on the other: %v", err)
	}
	if _, err := one.Authenticate(ctx, resp.Token); err != nil {
		t.Fatal(err)
	}
	if err := two.RevokeDevice(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := one.Authenticate(ctx, resp.Token); protocol.KindOf(err) != protocol.KindUnauthenticated {
		t.Fatalf("a device revoked on one process, on the other: %v", err)
	}

	// One address spends its allowance on one process; the other refuses it.
	srvs := []*httptest.Server{httptest.NewServer(one.Handler()), httptest.NewServer(two.Handler())}
	for _, s := range srvs {
		defer s.Close()
	}
	enroll := func(srv *httptest.Server, i int) int {
		t.Helper()
		body := fmt.Sprintf(`{"v":%d,"code":"WRONG-CODE-%04d","device":"flood"}`, protocol.Version, i)
		r, err := http.Post(srv.URL+protocol.PathEnroll, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	for i := range enrollBurst {
		if st := enroll(srvs[i%2], i); st != http.StatusUnauthorized {
			t.Fatalf("attempt %d within the allowance: %d", i, st)
		}
	}
	for i, s := range srvs {
		if st := enroll(s, 100+i); st != http.StatusTooManyRequests {
			t.Fatalf("attempt beyond the allowance on process %d: %d", i+1, st)
		}
	}
}

// A pull never moves past a change whose transaction is still open. One
// process holds a push's transaction open after it has written its
// change; the other process's push waits for it, and a pull meanwhile sees
// neither. Once both commit, the changes are numbered in the order they
// committed and a pull from the cursor it had gets both.
func TestPullNeverPassesAnOpenTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	one, two, org := twoHubsAndOrg(t)
	tokA, tokB, tokR := enrollIn(t, one, org, "dev-a"), enrollIn(t, two, org, "dev-b"), enrollIn(t, two, org, "reader")
	dev := func(h *Hub, tok string) Device {
		d, err := h.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	devA, devB, reader := dev(one, tokA), dev(two, tokB), dev(two, tokR)
	pull := func(cursor protocol.Cursor) *protocol.SyncResponse {
		t.Helper()
		resp, err := two.Sync(ctx, reader, &protocol.SyncRequest{V: protocol.Version, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	start := pull(protocol.Cursor{}).Cursor

	written, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	one.beforeCommit = func(context.Context, *sql.Tx) error {
		once.Do(func() { close(written); <-release })
		return nil
	}
	errs := make(chan error, 2)
	push := func(h *Hub, d Device, id string) {
		c := activityChange(1, org, id)
		c.Fields["created_by"] = json.RawMessage(`"` + d.ID + `"`)
		resp, err := h.Sync(ctx, d, &protocol.SyncRequest{V: protocol.Version, Push: []protocol.Change{c}})
		if err == nil && len(resp.Rejected) > 0 {
			err = fmt.Errorf("push of %s rejected: %+v", id, resp.Rejected)
		}
		errs <- err
	}
	go push(one, devA, "held")
	<-written
	bDone := make(chan struct{})
	go func() {
		push(two, devB, "after")
		close(bDone)
	}()
	select {
	case <-bDone:
		t.Fatal("a push on the other process committed while the first was open")
	case <-time.After(300 * time.Millisecond):
	}
	mid := pull(start)
	if len(mid.Records) != 0 || mid.Cursor.Seq != start.Seq {
		t.Fatalf("a pull while a push is open got %d records and moved its cursor from %d to %d", len(mid.Records), start.Seq, mid.Cursor.Seq)
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	after := pull(mid.Cursor)
	var got []string
	var versions []int64
	for _, r := range after.Records {
		got, versions = append(got, r.ID), append(versions, r.Version)
	}
	if strings.Join(got, ",") != "held,after" || versions[1] != versions[0]+1 {
		t.Fatalf("after both commits the pull got %v at versions %v, want held then after, numbered in turn", got, versions)
	}
}

// Hub processes started together on a new database agree on its epoch
// and its enrollment code key: one makes them, the others read them.
func TestHubProcessesStartingTogetherAgree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for round := range 3 {
		c, err := pgdb.ParseURL(pgtest.NewDB(t).URL)
		if err != nil {
			t.Fatal(err)
		}
		hubs := make([]*Hub, 4)
		errs := make(chan error, len(hubs))
		for i := range hubs {
			go func() {
				var err error
				hubs[i], err = Open(ctx, "", Options{Postgres: &c, Logger: slog.New(slog.DiscardHandler)})
				errs <- err
			}()
		}
		for range hubs {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		for i, h := range hubs {
			defer h.Close()
			if h.Epoch() != hubs[0].Epoch() || string(h.codeKey) != string(hubs[0].codeKey) {
				t.Fatalf("round %d: process %d started with epoch %s and a code key of its own (%v), process 1 with %s",
					round, i+1, h.Epoch(), string(h.codeKey) != string(hubs[0].codeKey), hubs[0].Epoch())
			}
		}
	}
}

// One enrollment code, tried at once through two hub processes by many
// devices asking for the same id, enrolls exactly one device.
func TestOneCodeEnrollsOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	one, two, org := twoHubsAndOrg(t)
	for round := range 5 {
		code, err := one.NewEnrollCode(ctx, org, RoleStaff, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		const tries = 8
		results := make(chan error, tries)
		for i := range tries {
			h := []*Hub{one, two}[i%2]
			go func() {
				_, err := h.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: code, Device: fmt.Sprintf("same-%d", round)})
				results <- err
			}()
		}
		enrolled := 0
		for range tries {
			switch err := <-results; {
			case err == nil:
				enrolled++
			case protocol.KindOf(err) != protocol.KindUnauthenticated:
				t.Fatalf("round %d: an enrollment failed with %v, not as a used code", round, err)
			}
		}
		if enrolled != 1 {
			t.Fatalf("round %d: one code enrolled %d devices", round, enrolled)
		}
	}
}

// A push whose transaction PostgreSQL ends with a serialization failure is
// run again from the start, and answers as if it had run once: each
// rejection once, each change applied once.
func TestPushRunAgainAnswersOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, _, org := twoHubsAndOrg(t)
	d, err := h.Authenticate(ctx, enrollIn(t, h, org, "dev-a"))
	if err != nil {
		t.Fatal(err)
	}
	failures := 2
	h.beforeCommit = func(ctx context.Context, tx *sql.Tx) error {
		if failures == 0 {
			return nil
		}
		failures--
		_, err := tx.ExecContext(ctx, `DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure'; END $$`)
		return err
	}
	good := activityChange(1, org, "good")
	good.Fields["created_by"] = json.RawMessage(`"dev-a"`)
	bad := activityChange(2, org, "bad")
	bad.Fields["start_date"] = json.RawMessage(`"2026-13-45"`)
	resp, err := h.Sync(ctx, d, &protocol.SyncRequest{V: protocol.Version, Push: []protocol.Change{good, bad}})
	if err != nil {
		t.Fatal(err)
	}
	if failures != 0 || resp.Acked != 2 || len(resp.Rejected) != 1 || resp.Rejected[0].Seq != 2 {
		t.Fatalf("after two failed attempts (%d left): acked %d, rejected %+v", failures, resp.Acked, resp.Rejected)
	}
	var n int
	if err := h.reader.QueryRow("SELECT count(*) FROM activities").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d activities, %v", n, err)
	}
}
