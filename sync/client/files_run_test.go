package client_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// waitWithin polls cond until it holds, failing the test after d with what.
func waitWithin(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
	}
}

// TestRunMovesFilesWithoutARecordEdit runs the background loop with a
// long interval: a file whose upload failed after its record went, and a
// file a person asked for, move at the loop's next checks without any
// record edit; a file the hub cannot take now (its disk is full) does not
// make the loop sync again and again.
func TestRunMovesFilesWithoutARecordEdit(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the background loop")
	}
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	th := startHub(t)
	faults := injectFaults(th)
	org := th.org(t, "Org")
	// The loop checks every 2 s; it syncs unprompted every 20 s.
	const interval = 20 * time.Second
	device := func() (*device, string) {
		d := newDevice(t, client.Options{Interval: interval, Retries: 2})
		if err := d.eng.Enroll(ctx, th.srv.URL, th.code(t, org, hub.RoleStaff)); err != nil {
			t.Fatal(err)
		}
		token, _ := d.st.SyncState(ctx, "token")
		return d, token
	}
	a, tokenA := device()
	busy := &protocol.Error{Kind: protocol.KindTransient, Status: http.StatusServiceUnavailable, Message: "the hub is busy"}
	faults.setFail(onlyPuts(func(*http.Request) *protocol.Error { return busy }))
	ref := attached(t, a, "large guide.pdf", pdfLike(300<<10, 31), model.VisibilityOrg)
	go a.eng.Run(ctx) //nolint:errcheck // ends with ctx
	waitWithin(t, 10*time.Second, "the loop's first sync did not send the record and fail on the file", func() bool {
		st, _ := a.eng.Status(ctx)
		return st.Pending == 0 && st.LastError != "" && st.FilesToSend == 1
	})

	// The hub takes files again: the loop sends the file at once, not at
	// its next unprompted sync.
	faults.setFail(nil)
	waitWithin(t, interval/2, "the file that waited was not sent", func() bool {
		st, _ := a.st.FileState(ctx, ref.Hash)
		return st.Where == store.FileOnHub
	})

	// Another device gets the record; the file is large, so it waits
	// until a person asks for it, then comes without a record edit.
	b, _ := device()
	go b.eng.Run(ctx) //nolint:errcheck // ends with ctx
	waitWithin(t, 10*time.Second, "the other device did not sync", func() bool {
		st, _ := b.st.FileState(ctx, ref.Hash)
		return st.Where == store.FileNotDownloaded
	})
	if err := b.st.WantFile(ctx, ref.Hash, true); err != nil {
		t.Fatal(err)
	}
	waitWithin(t, interval/2, "the file asked for was not downloaded", func() bool {
		st, _ := b.st.FileState(ctx, ref.Hash)
		return st.Where == store.FileOnHub
	})

	// The hub's disk is full: a new file waits, and the loop does not
	// sync again for it until its next unprompted sync.
	faults.setFail(onlyPuts(func(*http.Request) *protocol.Error { return hubFull() }))
	full := attached(t, a, "photo sheet.pdf", pdfLike(40<<10, 32), model.VisibilityOrg)
	waitWithin(t, 10*time.Second, "the new file did not meet the full hub", func() bool {
		st, _ := a.st.FileState(ctx, full.Hash)
		return st.Held == store.HeldHubFull
	})
	before := faults.syncsOf(tokenA)
	time.Sleep(5 * time.Second)
	if n := faults.syncsOf(tokenA) - before; n > 0 {
		t.Fatalf("%d sync requests in 5 s for a file the full hub cannot take", n)
	}
}
