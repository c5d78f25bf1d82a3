package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/hubtest"
	"github.com/a20-network/fieldbook/sync/protocol"
)

func TestRunSyncsWhenHubBecomesReachable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	th := startHub(t)
	org := th.org(t, "Org")
	net := hubtest.NewNetwork(1, hubtest.Faults{})
	net.SetDown(true)
	d := newDevice(t, client.Options{Interval: 200 * time.Millisecond,
		NewHub: func(u string) client.Hub { return net.Hub(client.NewHTTPHub(u, nil)) }})
	// Enroll directly: the network is down for the engine.
	if err := client.New(d.st, client.Options{Logger: quiet}).Enroll(ctx, th.srv.URL, th.code(t, org, hub.RoleStaff)); err != nil {
		t.Fatal(err)
	}
	act, err := d.st.CreateActivity(ctx, activity("Typed offline"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.eng.Run(ctx) }()
	waitFor(t, func() bool { st, _ := d.eng.Status(ctx); return !st.Reachable && st.Pending == 1 })
	net.SetDown(false)
	waitFor(t, func() bool {
		st, _ := d.eng.Status(ctx)
		return st.Reachable && st.Pending == 0 && !st.LastSync.IsZero()
	})
	recs, _ := th.hub.Records(ctx)
	found := false
	for _, r := range recs {
		found = found || r.ID == act.ID
	}
	if !found {
		t.Fatal("activity did not reach the hub")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// waitFor polls cond until it holds, failing the test after 20 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	var calls atomic.Int32
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == protocol.PathSync && calls.Add(1) == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"kind":"transient","error":"hub is busy"}`))
			return
		}
		th.srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer busy.Close()
	d := newDevice(t, client.Options{Backoff: time.Millisecond})
	if err := d.eng.Enroll(ctx, busy.URL, th.code(t, org, hub.RoleStaff)); err != nil {
		t.Fatal(err)
	}
	d.st.CreateActivity(ctx, activity("Queued"))
	start := time.Now()
	res := d.sync(t)
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %s, before the hub's Retry-After of 1s", waited)
	}
	if res.Requests != 2 || res.Pushed != 1 {
		t.Fatalf("sync = %+v", res)
	}
}

func TestRevokedDeviceKeepsItsOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	d := enrolled(t, th, org, hub.RoleStaff)
	d.st.CreateActivity(ctx, activity("Written before the revocation"))
	if err := th.hub.RevokeDevice(ctx, d.st.DeviceID()); err != nil {
		t.Fatal(err)
	}
	_, err := d.eng.Sync(ctx, nil)
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Kind != protocol.KindUnauthenticated || pe.Status != http.StatusUnauthorized {
		t.Fatalf("sync of a revoked device: %v", err)
	}
	st, _ := d.eng.Status(ctx)
	if st.Pending != 1 || st.LastError == "" {
		t.Fatalf("status after refusal = %+v", st)
	}
	// Enrolling again with a new code lets the same outbox go through.
	if err := d.eng.Enroll(ctx, th.srv.URL, th.code(t, org, hub.RoleStaff)); err != nil {
		t.Fatal(err)
	}
	if res := d.sync(t); res.Pushed != 1 {
		t.Fatalf("sync after enrolling again = %+v", res)
	}
}

func TestNotEnrolled(t *testing.T) {
	t.Parallel()
	d := newDevice(t, client.Options{})
	if _, err := d.eng.Sync(context.Background(), nil); !errors.Is(err, client.ErrNotEnrolled) {
		t.Fatalf("Sync before Enroll: %v", err)
	}
	if err := d.eng.Enroll(context.Background(), "ftp://hub", "X"); err == nil {
		t.Fatal("enrolled with a non-http hub address")
	}
}
