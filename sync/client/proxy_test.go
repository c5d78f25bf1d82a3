package client_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

func init() {
	// The proxy's toxics log through zerolog's global logger.
	zerolog.SetGlobalLevel(zerolog.Disabled)
}

// faultProxy is a real TCP proxy in front of a hub, with toxics.
type faultProxy struct {
	t     testing.TB
	proxy *toxiproxy.Proxy
	URL   string
}

func startProxy(t testing.TB, upstreamURL string) *faultProxy {
	t.Helper()
	u, err := url.Parse(upstreamURL)
	if err != nil {
		t.Fatal(err)
	}
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "hub", "127.0.0.1:0", u.Host)
	if err := p.Start(); err != nil {
		t.Fatalf("proxy: %v", err)
	}
	t.Cleanup(p.Stop)
	return &faultProxy{t: t, proxy: p, URL: "http://" + p.Listen}
}

func (fp *faultProxy) add(name, typ, stream string, attrs string) {
	fp.t.Helper()
	js := fmt.Sprintf(`{"name":%q,"type":%q,"stream":%q,"toxicity":1,"attributes":%s}`, name, typ, stream, attrs)
	if _, err := fp.proxy.Toxics.AddToxicJson(strings.NewReader(js)); err != nil {
		fp.t.Fatalf("add toxic %s: %v", name, err)
	}
}

func (fp *faultProxy) remove(name string) {
	if err := fp.proxy.Toxics.RemoveToxic(context.Background(), name); err != nil {
		fp.t.Errorf("remove toxic %s: %v", name, err)
	}
}

// slowLink makes the proxy a 64 kbit/s link with 300 ms latency each way.
func (fp *faultProxy) slowLink() {
	for _, s := range []string{"upstream", "downstream"} {
		fp.add("latency_"+s, "latency", s, `{"latency":300}`)
		fp.add("bandwidth_"+s, "bandwidth", s, `{"rate":8}`)
	}
}

// countingHub records what each round trip tried to push.
type countingHub struct {
	client.Hub
	mu       sync.Mutex // guards the fields below
	sent     int
	failed   int // changes in requests that failed
	cuts     int
	seen     map[int64]bool
	requests int
}

func (c *countingHub) Sync(ctx context.Context, token string, req *protocol.SyncRequest) (*protocol.SyncResponse, client.Traffic, error) {
	n := len(req.Push)
	resp, tr, err := c.Hub.Sync(ctx, token, req)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	c.sent += n
	for _, ch := range req.Push {
		c.seen[ch.Seq] = true
	}
	if err != nil {
		c.failed += n
		c.cuts++
	}
	return resp, tr, err
}

func TestSyncThroughFaultyLink(t *testing.T) {
	if testing.Short() {
		t.Skip("slow link")
	}
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	fp := startProxy(t, th.srv.URL)
	org := th.org(t, "Org")
	var counter *countingHub
	d := newDevice(t, client.Options{
		RequestTimeout: 4 * time.Second, Retries: 30, Backoff: 100 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
		NewHub: func(u string) client.Hub {
			counter = &countingHub{Hub: client.NewHTTPHub(u, nil), seen: map[int64]bool{}}
			return counter
		},
	})
	if err := d.eng.Enroll(ctx, fp.URL, th.code(t, org, hub.RoleStaff)); err != nil {
		t.Fatal(err)
	}
	const n = 150
	for i := range n {
		a := activity(fmt.Sprintf("Community dialogue %d", i))
		a.Summary = strings.Repeat(fmt.Sprintf("Parents and teachers of school %d discussed early marriage. ", i), 3)
		if _, err := d.st.CreateActivity(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	fp.slowLink()
	// Cut the link twice while the sync runs: a reset in the middle of a
	// reply, then a stall that outlasts the request timeout.
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(1500 * time.Millisecond)
		fp.add("reset", "reset_peer", "downstream", `{"timeout":200}`)
		time.Sleep(700 * time.Millisecond)
		fp.remove("reset")
		time.Sleep(1500 * time.Millisecond)
		fp.add("stall", "timeout", "downstream", `{"timeout":0}`)
		time.Sleep(4500 * time.Millisecond)
		fp.remove("stall")
	}()
	res, err := d.eng.Sync(ctx, nil)
	<-done
	if err != nil {
		t.Fatalf("sync over a faulty link: %v (after %+v)", err, res)
	}
	if res.Pushed != n {
		// The cuts may have ended the sync between pages; a second sync
		// finishes the job without repeating acknowledged work.
		more, err := d.eng.Sync(ctx, nil)
		if err != nil || res.Pushed+more.Pushed != n {
			t.Fatalf("pushed %d+%d of %d: %v", res.Pushed, more.Pushed, n, err)
		}
	}
	counter.mu.Lock()
	defer counter.mu.Unlock()
	if len(counter.seen) != n {
		t.Fatalf("%d distinct changes sent, want %d", len(counter.seen), n)
	}
	if counter.cuts == 0 {
		t.Fatal("no round trip failed: the toxics did not bite")
	}
	resent := counter.sent - n
	if resent > counter.failed {
		t.Fatalf("re-sent %d changes but only %d were in cut requests (%d cuts)", resent, counter.failed, counter.cuts)
	}
	recs, err := th.hub.Records(ctx)
	if err != nil || len(recs) != n+1 {
		t.Fatalf("hub holds %d records, want %d: %v", len(recs), n+1, err)
	}
	t.Logf("%d requests, %d cuts, %d changes re-sent, %d bytes up, %d down", counter.requests, counter.cuts, resent, res.BytesUp, res.BytesDown)
}
