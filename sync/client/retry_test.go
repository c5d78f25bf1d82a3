package client_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/a20-network/fieldbook/internal/pgtest/pghub"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/hubtest"
)

func TestDuplicatedAndRetriedPushesChangeNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	// Every request arrives twice, half the replies are lost, and some
	// requests arrive again much later.
	net := hubtest.NewNetwork(7, hubtest.Faults{Duplicate: 1, DropReply: 0.5, Delay: 0.3})
	a := newDevice(t, client.Options{Retries: 50, NewHub: func(u string) client.Hub { return net.Hub(client.NewHTTPHub(u, nil)) }})
	if err := a.eng.Enroll(ctx, th.srv.URL, th.code(t, org, hub.RoleStaff)); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		act := activity(fmt.Sprintf("Visit %d", i))
		act.Reach.Adults = i
		if _, err := a.st.CreateActivity(ctx, act); err != nil {
			t.Fatal(err)
		}
	}
	res := a.sync(t)
	if res.Pushed != 40 {
		t.Fatalf("sync = %+v", res)
	}
	net.Flush(ctx, client.NewHTTPHub(th.srv.URL, nil))
	rep, err := report.Compute(ctx, hubDB(t, th), report.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Activities != 40 || rep.Adults != 780 {
		t.Fatalf("hub report: %d activities, %d adults; want 40, 780", rep.Activities, rep.Adults)
	}
	if cs, _ := a.st.Conflicts(ctx, false); len(cs) != 0 {
		t.Fatalf("duplicates made conflicts: %+v", cs)
	}
	if st, _ := a.st.OutboxStats(ctx); st.Pending != 0 || st.Rejected != 0 {
		t.Fatalf("outbox after sync: %+v", st)
	}
}

func hubDB(t testing.TB, th *testHub) report.Querier {
	t.Helper()
	return hub.ReportDB(th.hub)
}

func TestRestoredHubMeansFullResyncKeepingOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	first, _ := a.st.CreateActivity(ctx, activity("Before the backup"))
	a.sync(t)
	backup := filepath.Join(t.TempDir(), "hub-backup.db")
	if err := th.hub.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	// Work the hub will lose, then work not yet sent when the hub fails.
	a.st.CreateActivity(ctx, activity("Lost with the hub"))
	a.sync(t)
	unsent, _ := a.st.CreateActivity(ctx, activity("Typed while the hub was down"))
	// b edits the first activity and syncs with the old hub.
	b := enrolled(t, th, org, hub.RoleStaff)
	b.sync(t)
	th.hub.Close()
	if _, err := hub.RestoreInto(ctx, th.dir, hub.Options{Postgres: pghub.Config(t, th.dir)}, backup); err != nil {
		t.Fatal(err)
	}
	th.open(t)
	a.reopen(t)
	res := a.sync(t)
	if res.Pushed != 2 || res.Pulled < 1 { // the unsent activity and the one the hub lost up; the directory down
		t.Fatalf("sync after restore = %+v", res)
	}
	if st, _ := a.st.OutboxStats(ctx); st.Pending != 0 {
		t.Fatalf("outbox after resync: %+v", st)
	}
	epoch, _ := a.st.SyncState(ctx, "epoch")
	if epoch != th.hub.Epoch() {
		t.Fatalf("device epoch %s, hub %s", epoch, th.hub.Epoch())
	}
	c := enrolled(t, th, org, hub.RoleStaff)
	c.sync(t)
	for _, id := range []string{first.ID, unsent.ID} {
		if _, err := c.st.Activity(ctx, id); err != nil {
			t.Fatalf("activity %s missing after restore: %v", id, err)
		}
	}
	// Nothing was lost on the device itself either.
	all, err := a.st.Activities(ctx, store.ActivityFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("device a holds %d activities, %v", len(all), err)
	}
}

func TestDeviceRestoredFromOldCopyDoesNotLoseNewWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	for i := range 3 {
		a.st.CreateActivity(ctx, activity(fmt.Sprintf("Early %d", i)))
	}
	// An old copy of the device database, taken before it synced.
	a.st.Close()
	old := readFile(t, a.path)
	a.open(t)
	a.sync(t)
	a.st.CreateActivity(ctx, activity("Later"))
	a.sync(t) // the hub has applied sequences 1 to 4
	a.st.Close()
	writeFile(t, a.path, old)
	a.open(t)
	fresh, err := a.st.CreateActivity(ctx, activity("Typed after the restore")) // gets sequence 4 again
	if err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	recs, _ := th.hub.Records(ctx)
	found := false
	for _, r := range recs {
		found = found || r.ID == fresh.ID
	}
	if !found {
		t.Fatal("a change made after restoring an old copy was taken for a duplicate and lost")
	}
	if st, _ := a.st.OutboxStats(ctx); st.Pending != 0 {
		t.Fatalf("outbox = %+v", st)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
