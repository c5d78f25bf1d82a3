package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/a20-network/fieldbook/internal/pgtest/pghub"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// The tests in this file are the scenarios of databases whose identity
// changes: restored from an older copy, copied to a second laptop, a hub
// restored from backup, and a garbled record on the way. Each uses real
// store files and a real hub over HTTP.

// hubTitles returns the title of every activity on the hub by id.
func hubTitles(t *testing.T, th *testHub) map[string]string {
	t.Helper()
	recs, err := th.hub.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range recs {
		if r.Entity != model.EntityActivity {
			continue
		}
		var title string
		_ = json.Unmarshal(r.Fields["title"], &title)
		out[r.ID] = title
	}
	return out
}

// snapshot returns the bytes of d's database file, closed and reopened
// around the copy so that it is complete.
func snapshot(t *testing.T, d *device) []byte {
	t.Helper()
	d.st.Close()
	b := readFile(t, d.path)
	d.open(t)
	return b
}

// restore replaces d's database with an earlier snapshot of it.
func restore(t *testing.T, d *device, snap []byte) {
	t.Helper()
	d.st.Close()
	writeFile(t, d.path, snap)
	d.open(t)
}

// wantTitles fails unless st holds each activity with its title.
func wantTitles(t *testing.T, who string, st *store.Store, want map[string]string) {
	t.Helper()
	for id, title := range want {
		a, err := st.Activity(context.Background(), id)
		if err != nil {
			t.Fatalf("%s lacks activity %s (%q): %v", who, id, title, err)
		}
		if a.Title != title {
			t.Fatalf("%s: activity %s title %q, want %q", who, id, a.Title, title)
		}
	}
}

func create(t *testing.T, st *store.Store, title string) string {
	t.Helper()
	a, err := st.CreateActivity(context.Background(), activity(title))
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func retitle(t *testing.T, st *store.Store, id, title string) {
	t.Helper()
	a := mustActivity(t, st, id)
	a.Title = title
	if _, err := st.UpdateActivity(context.Background(), a); err != nil {
		t.Fatal(err)
	}
}

// A database restored from an older copy, with changes pending in the copy
// that the hub had since applied, then makes two new changes: both reach
// the hub, and the device gets back the work done after the copy.
func TestRestoredDeviceKeepsEveryNewChange(t *testing.T) {
	t.Parallel()
	th := startHub(t)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	early := []string{create(t, a.st, "Early 1"), create(t, a.st, "Early 2"), create(t, a.st, "Early 3")}
	old := snapshot(t, a) // changes 1 to 3 pending
	a.sync(t)
	later := create(t, a.st, "Later") // change 4
	a.sync(t)                         // the hub has applied 1 to 4

	restore(t, a, old)
	fourth := create(t, a.st, "Typed after the restore 1") // numbered 4 again
	fifth := create(t, a.st, "Typed after the restore 2")
	a.sync(t)
	a.sync(t)

	want := map[string]string{early[0]: "Early 1", early[1]: "Early 2", early[2]: "Early 3", later: "Later",
		fourth: "Typed after the restore 1", fifth: "Typed after the restore 2"}
	got := hubTitles(t, th)
	for id, title := range want {
		if got[id] != title {
			t.Fatalf("hub: activity %q is %q; every change made after the restore must arrive (hub has %v)", title, got[id], got)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("hub holds %d activities, want %d: %v", len(got), len(want), got)
	}
	wantTitles(t, "restored device", a.st, want)
	if st, _ := a.st.OutboxStats(context.Background()); st.Pending != 0 || st.Rejected != 0 {
		t.Fatalf("outbox after sync: %+v", st)
	}
}

// A data folder copied to a second laptop, both in use: every change of
// both reaches the hub and both laptops, and the copy is a device of its
// own.
func TestCopiedFolderBecomesASecondDevice(t *testing.T) {
	t.Parallel()
	th := startHub(t)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	shared := create(t, a.st, "Before the copy")
	a.sync(t)
	pendingAtCopy := create(t, a.st, "Pending when copied")

	a.st.Close()
	b := &device{path: filepath.Join(t.TempDir(), store.DBFile)}
	writeFile(t, b.path, readFile(t, a.path))
	a.open(t)
	b.open(t)
	t.Cleanup(func() { b.st.Close() })

	a1, a2 := create(t, a.st, "Laptop A 1"), create(t, a.st, "Laptop A 2")
	b1, b2 := create(t, b.st, "Laptop B 1"), create(t, b.st, "Laptop B 2")
	retitle(t, b.st, shared, "Edited on laptop B")
	for range 2 {
		a.sync(t)
		b.sync(t)
	}
	want := map[string]string{shared: "Edited on laptop B", pendingAtCopy: "Pending when copied",
		a1: "Laptop A 1", a2: "Laptop A 2", b1: "Laptop B 1", b2: "Laptop B 2"}
	got := hubTitles(t, th)
	for id, title := range want {
		if got[id] != title {
			t.Fatalf("hub: activity %q is %q (hub has %v)", title, got[id], got)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("hub holds %d activities, want %d (one copy each): %v", len(got), len(want), got)
	}
	wantTitles(t, "laptop A", a.st, want)
	wantTitles(t, "laptop B", b.st, want)
	if a.st.DeviceID() == b.st.DeviceID() {
		t.Fatal("the copy still syncs as the original device")
	}
}

// A hub restored from a backup gets back, from the devices, a record
// created and an edit made after the backup, including an edit only a
// device that received it still holds.
func TestRestoredHubGetsBackWhatDevicesHold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	b := enrolled(t, th, org, hub.RoleStaff)
	old := create(t, a.st, "Before the backup")
	edited := create(t, a.st, "Edited by b after the backup")
	a.sync(t)
	b.sync(t)
	backup := filepath.Join(t.TempDir(), "hub-backup.db")
	if err := th.hub.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	created := create(t, a.st, "Created after the backup")
	a.sync(t)
	retitle(t, b.st, edited, "b's edit, made after the backup")
	b.sync(t)
	a.sync(t) // a receives b's edit; b's laptop is then lost

	th.hub.Close()
	if _, err := hub.RestoreInto(ctx, th.dir, hub.Options{Postgres: pghub.Config(t, th.dir)}, backup); err != nil {
		t.Fatal(err)
	}
	th.open(t)
	a.sync(t)
	a.sync(t)

	want := map[string]string{old: "Before the backup", edited: "b's edit, made after the backup", created: "Created after the backup"}
	got := hubTitles(t, th)
	for id, title := range want {
		if got[id] != title {
			t.Fatalf("restored hub: activity %q is %q (hub has %v)", title, got[id], got)
		}
	}
	wantTitles(t, "device a", a.st, want)
	c := enrolled(t, th, org, hub.RoleStaff)
	c.sync(t)
	wantTitles(t, "a new device", c.st, want)
	// The restored hub cannot tell whether a's copy of b's edit saw the
	// value the backup holds, so it keeps that one beside it: a conflict
	// whose provisional winner is what the devices held.
	cs, _ := th.hub.Conflicts(ctx)
	for _, c := range cs {
		if c.RecordID != edited || c.Field != "title" || string(c.Winner) != `"b's edit, made after the backup"` {
			t.Fatalf("recovery made an unexpected conflict: %+v", c)
		}
	}
}

// A change resent by a restored copy, which the hub had applied before a
// newer edit of the same field, does not bring the older value back.
func TestReplayedChangeDoesNotRevertNewerEdit(t *testing.T) {
	t.Parallel()
	th := startHub(t)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	id := create(t, a.st, "First")
	a.sync(t)
	retitle(t, a.st, id, "Second")
	old := snapshot(t, a) // "Second" pending in the copy
	a.sync(t)
	retitle(t, a.st, id, "Third")
	a.sync(t)

	restore(t, a, old)
	a.sync(t)
	a.sync(t)
	if got := hubTitles(t, th)[id]; got != "Third" {
		t.Fatalf("hub title %q after the restored copy resent an applied change; want %q", got, "Third")
	}
	if cs, _ := th.hub.Conflicts(context.Background()); len(cs) != 0 {
		t.Fatalf("the resent change, which the hub had applied, made conflicts: %+v", cs)
	}
	wantTitles(t, "restored device", a.st, map[string]string{id: "Third"})
}

// A restored database with nothing pending gets back the work its device
// did after the copy was taken, which the hub would otherwise not send to
// the device that made it.
func TestRestoredDeviceGetsItsLaterWorkBack(t *testing.T) {
	t.Parallel()
	th := startHub(t)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	x := create(t, a.st, "X")
	a.sync(t)
	old := snapshot(t, a)
	y := create(t, a.st, "Y, made after the copy")
	retitle(t, a.st, x, "X, edited after the copy")
	a.sync(t)

	restore(t, a, old)
	a.sync(t)
	wantTitles(t, "restored device", a.st, map[string]string{x: "X, edited after the copy", y: "Y, made after the copy"})
}

// garbling is a hub on a link that garbles one record of the next replies.
type garbling struct {
	client.Hub
	mu      sync.Mutex
	replies int // replies still to garble
}

func (g *garbling) Sync(ctx context.Context, token string, req *protocol.SyncRequest) (*protocol.SyncResponse, client.Traffic, error) {
	resp, tr, err := g.Hub.Sync(ctx, token, req)
	g.mu.Lock()
	defer g.mu.Unlock()
	if err == nil && g.replies > 0 && len(resp.Records) > 1 {
		g.replies--
		resp.Records[1].HLC = "garbled"
		resp.Records[0].Fields["adults"] = json.RawMessage(`"many"`)
	}
	return resp, tr, err
}

// One unreadable record in a pull is set aside; the rest apply, the
// cursor moves on, and the record arrives whole on a later sync.
func TestBadPulledRecordDoesNotBlock(t *testing.T) {
	t.Parallel()
	th := startHub(t)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	want := map[string]string{}
	for i := range 5 {
		title := fmt.Sprintf("Activity %d", i)
		want[create(t, a.st, title)] = title
	}
	a.sync(t)

	g := &garbling{replies: 1}
	b := newDevice(t, client.Options{NewHub: func(u string) client.Hub {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.Hub == nil {
			g.Hub = client.NewHTTPHub(u, nil)
		}
		return g
	}})
	if err := b.eng.Enroll(context.Background(), th.srv.URL, th.code(t, org, hub.RoleStaff)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.eng.Sync(context.Background(), nil); err != nil {
		t.Fatalf("one garbled record failed the whole sync: %v", err)
	}
	b.sync(t)
	wantTitles(t, "device b", b.st, want)
}
