package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/hub"
)

// buildHub builds the fieldbook-hub program into a folder of t's.
func buildHub(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fieldbook-hub")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// hubProcess is one fieldbook-hub serve process.
type hubProcess struct {
	bin, addr string
	args      []string
	cmd       *exec.Cmd
}

// freeAddr is a free address on 127.0.0.1.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs the process and waits until it answers /healthz.
func (p *hubProcess) start(t *testing.T) {
	t.Helper()
	p.cmd = exec.Command(p.bin, append([]string{"serve", "--addr", p.addr}, p.args...)...)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Since(start) > 30*time.Second {
			t.Fatalf("hub process %s did not start: %v", p.addr, err)
		}
	}
}

// kill ends the process at once, as a crash or a lost machine does.
func (p *hubProcess) kill() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
		p.cmd = nil
	}
}

// TestTwoHubProcessesConverge runs two real fieldbook-hub processes on one
// PostgreSQL database behind a proxy that sends each request to one of
// them at random. Devices of two organizations create and edit activities,
// sharing some, and sync at random while a process is killed (perhaps in
// the middle of a request) and started again. Once every device has
// synced, each holds exactly what the hub holds of what it may see, the
// edit made last of each activity is the hub's, no change number was given
// twice or passes the counter, and the second organization holds nothing
// private of the first.
func TestTwoHubProcessesConverge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	dbURL := pgtest.NewDB(t).URL
	cfg, err := pgdb.ParseURL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	h, err := hub.Open(ctx, "", hub.Options{Postgres: &cfg, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	orgA, err := h.AddOrg(ctx, "Org A", "MW")
	if err != nil {
		t.Fatal(err)
	}
	orgB, err := h.AddOrg(ctx, "Org B", "KE")
	if err != nil {
		t.Fatal(err)
	}

	bin := buildHub(t)
	procs := []*hubProcess{
		{bin: bin, addr: freeAddr(t), args: []string{"--db", dbURL, "--db-application-name", "hub-1"}},
		{bin: bin, addr: freeAddr(t), args: []string{"--db", dbURL, "--db-application-name", "hub-2"}},
	}
	for _, p := range procs {
		p.start(t)
		defer p.kill()
	}
	// The proxy draws from its own source: requests come on many
	// goroutines.
	var mu sync.Mutex
	route := rand.New(rand.NewPCG(seed, 11))
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		p := procs[route.IntN(len(procs))]
		mu.Unlock()
		target, _ := url.Parse("http://" + p.addr)
		httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
	}))
	defer proxy.Close()

	type dev struct {
		*device
		org string
	}
	var devs []dev
	for _, org := range []string{orgA, orgA, orgA, orgB, orgB} {
		code, err := h.NewEnrollCode(ctx, org, hub.RoleStaff, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		devs = append(devs, dev{newDevice(t, proxy.URL, code), org})
	}
	// titles[id] are the titles devices gave activity id, in order.
	titles := map[string][]string{}
	owner := map[string]string{}
	private := map[string]bool{}
	n := 0
	for step := range 120 {
		d := devs[rng.IntN(len(devs))]
		switch k := rng.IntN(10); {
		case k < 3:
			n++
			a := newActivity(fmt.Sprintf("Activity %d", n))
			a.Visibility = model.VisibilityOrg
			if rng.IntN(2) == 0 {
				a.Visibility = model.VisibilityNetwork
			}
			got, err := d.st.CreateActivity(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			titles[got.ID] = append(titles[got.ID], a.Title)
			owner[got.ID], private[got.ID] = d.org, a.Visibility == model.VisibilityOrg
		case k < 6:
			// Edit an activity of the device's organization it holds.
			var ids []string
			for id, org := range owner {
				if org == d.org {
					ids = append(ids, id)
				}
			}
			slices.Sort(ids)
			if len(ids) == 0 {
				continue
			}
			id := ids[rng.IntN(len(ids))]
			a, err := d.st.Activity(ctx, id)
			if err != nil {
				continue // not pulled here yet
			}
			n++
			a.Title = fmt.Sprintf("Edit %d", n)
			if _, err := d.st.UpdateActivity(ctx, a); err != nil {
				t.Fatal(err)
			}
			titles[id] = append(titles[id], a.Title)
		case k < 9:
			// During the chaos a sync may fail; its changes wait.
			_, _ = d.eng.Sync(ctx, nil)
		default:
			if step%3 != 0 {
				continue
			}
			// A process dies, perhaps in the middle of this device's sync,
			// and is started again.
			p := procs[rng.IntN(len(procs))]
			done := make(chan struct{})
			go func() { _, _ = d.eng.Sync(ctx, nil); close(done) }()
			time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
			p.kill()
			<-done
			p.start(t)
		}
	}
	// Settle: every device syncs until nothing moves.
	for round := range 4 {
		for _, d := range devs {
			if _, err := d.eng.Sync(ctx, nil); err != nil {
				t.Fatalf("settling round %d: %v", round, err)
			}
		}
	}

	recs, err := h.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conflicts, err := h.Conflicts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[int64]string{}
	var top int64
	hubTitle := map[string]string{}
	for _, r := range recs {
		if prev, dup := versions[r.Version]; dup {
			t.Errorf("change number %d given to %s and %s", r.Version, prev, r.ID)
		}
		versions[r.Version] = r.ID
		top = max(top, r.Version)
		if r.Entity == model.EntityActivity {
			var title string
			_ = json.Unmarshal(r.Fields["title"], &title)
			hubTitle[r.ID] = title
		}
	}
	kept := map[string]map[string]bool{}
	for _, c := range conflicts {
		if prev, dup := versions[c.Version]; dup {
			t.Errorf("change number %d given to %s and conflict %s", c.Version, prev, c.ID)
		}
		versions[c.Version] = c.ID
		top = max(top, c.Version)
		if kept[c.RecordID] == nil {
			kept[c.RecordID] = map[string]bool{}
		}
		for _, v := range [][]byte{c.Winner, c.Loser} {
			var s string
			_ = json.Unmarshal(v, &s)
			kept[c.RecordID][s] = true
		}
	}
	var last int64
	if err := hub.ReportDB(h).QueryRow("SELECT last FROM change_seq").Scan(&last); err != nil {
		t.Fatal(err)
	}
	if top > last {
		t.Errorf("a change is numbered %d, past the counter's %d", top, last)
	}
	for id, ts := range titles {
		final, ok := hubTitle[id]
		if !ok {
			t.Errorf("activity %s never reached the hub", id)
			continue
		}
		// The devices share one clock, so the edit made last carries the
		// latest time and wins; an edit it overwrote without having seen
		// it is kept in a conflict.
		if last := ts[len(ts)-1]; final != last {
			t.Errorf("activity %s: the hub's title is %q, not %q, the edit made last (edits %q; kept in conflicts %v)", id, final, last, ts, kept[id])
		}
	}
	for i, d := range devs {
		acts, err := d.st.Activities(ctx, store.ActivityFilter{})
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]string{}
		for _, a := range acts {
			have[a.ID] = a.Title
		}
		for id, title := range hubTitle {
			visible := owner[id] == d.org || !private[id]
			switch {
			case visible && have[id] != title:
				t.Errorf("device %d holds %s titled %q, the hub %q", i, id, have[id], title)
			case !visible && have[id] != "":
				t.Errorf("device %d of another organization holds private activity %s", i, id)
			}
		}
	}
	t.Logf("%d activities, %d conflicts, %d change numbers, last %d", len(hubTitle), len(conflicts), len(versions), last)
}
