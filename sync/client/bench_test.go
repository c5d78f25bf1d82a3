package client_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Run: go test -tags migrated_fynedo -run '^$' -bench . -benchtime 3x ./sync/client

var (
	places   = []string{"Lilongwe", "Blantyre", "Zomba", "Mzuzu", "Kasungu", "Mangochi", "Dedza", "Salima"}
	partners = []string{"District education office", "Community child protection committee", "Police victim support unit",
		"Village head and elders", "Youth club", "Health surveillance assistants"}
	sentences = []string{"Pupils and teachers discussed the risks of early marriage.", "Parents asked how to report abuse safely.",
		"The chief agreed to a by-law against child marriage.", "Girls shared why they leave school early.",
		"We explained how to register births at the district office.", "Boys talked about online bullying and safety.",
		"Teachers will run a follow-up session next term.", "Participants mapped safe and unsafe places in the village."}
)

// realisticActivities returns n activities shaped like real field reports
// (about 600 bytes of JSON each), the same for a given seed.
func realisticActivities(n int, seed uint64) []model.Activity {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]model.Activity, n)
	for i := range out {
		kind := codes.ActivityKinds.Codes[rng.IntN(len(codes.ActivityKinds.Codes))]
		day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(300))
		place := places[rng.IntN(len(places))]
		var summary []string
		for range 2 + rng.IntN(3) {
			summary = append(summary, sentences[rng.IntN(len(sentences))])
		}
		lat, lon := -9-rng.Float64()*8, 33+rng.Float64()*2.5
		lat, lon = float64(int(lat*1e4))/1e4, float64(int(lon*1e4))/1e4
		a := model.Activity{Kind: kind, Title: fmt.Sprintf("%s in %s", strings.ReplaceAll(kind, "_", " "), place),
			StartDate: day.Format(model.DateLayout), Country: "MW", Place: place, Lat: &lat, Lon: &lon,
			Themes:   []string{codes.Themes.Codes[rng.IntN(len(codes.Themes.Codes))], codes.Themes.Codes[rng.IntN(len(codes.Themes.Codes))]},
			Partners: partners[rng.IntN(len(partners))], Summary: strings.Join(summary, " "), Status: "final"}
		if a.Themes[0] == a.Themes[1] {
			a.Themes = a.Themes[:1]
		}
		for b := range 3 {
			a.Reach.Girls[b], a.Reach.Boys[b] = rng.IntN(40), rng.IntN(40)
		}
		a.Reach.Adults = rng.IntN(30)
		if rng.IntN(3) == 0 {
			a.FollowUp, a.FollowUpDate = "Visit again with the district officer.", day.AddDate(0, 1, 0).Format(model.DateLayout)
		}
		out[i] = a
	}
	return out
}

// gzipArraySize is the gzip -9 size of the records as one JSON array of
// objects: the yardstick for the bytes sync puts on the wire.
func gzipArraySize(b testing.TB, st *store.Store, entity string, ids []string) int {
	b.Helper()
	var arr []map[string]json.RawMessage
	for _, id := range ids {
		r, err := st.RecordFields(context.Background(), entity, id)
		if err != nil {
			b.Fatal(err)
		}
		obj := map[string]json.RawMessage{"id": json.RawMessage(fmt.Sprintf("%q", id)), "org_id": json.RawMessage(fmt.Sprintf("%q", r.OrgID))}
		for k, v := range r.Fields {
			obj[k] = v
		}
		arr = append(arr, obj)
	}
	raw, _ := json.Marshal(arr)
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(raw)
	w.Close()
	return buf.Len()
}

// wireCounter counts every byte on the client's TCP connections, headers
// and all.
type wireCounter struct{ up, down atomic.Int64 }

type countedConn struct {
	net.Conn
	c *wireCounter
}

func (cc countedConn) Read(p []byte) (int, error) {
	n, err := cc.Conn.Read(p)
	cc.c.down.Add(int64(n))
	return n, err
}

func (cc countedConn) Write(p []byte) (int, error) {
	n, err := cc.Conn.Write(p)
	cc.c.up.Add(int64(n))
	return n, err
}

func (wc *wireCounter) client() *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countedConn{Conn: c, c: wc}, nil
	}}}
}

func (wc *wireCounter) total() int64 { return wc.up.Load() + wc.down.Load() }

// benchDevice is an enrolled device whose HTTP traffic is counted.
func benchDevice(b *testing.B, th *testHub, org string, url string, wc *wireCounter) *device {
	b.Helper()
	hc := wc.client()
	d := newDevice(b, client.Options{NewHub: func(u string) client.Hub { return client.NewHTTPHub(u, hc) }})
	if err := d.eng.Enroll(context.Background(), url, th.code(b, org, hub.RoleStaff)); err != nil {
		b.Fatal(err)
	}
	return d
}

func seedActivities(b *testing.B, st *store.Store, n int) []string {
	b.Helper()
	as := realisticActivities(n, 42)
	if err := st.CreateActivities(context.Background(), as); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, n)
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}

// BenchmarkPush1000 pushes 1,000 new activities to an empty hub.
func BenchmarkPush1000(b *testing.B) {
	ctx := context.Background()
	var wire, requests, gz float64
	for range b.N {
		b.StopTimer()
		th := startHub(b)
		org := th.org(b, "Org")
		wc := &wireCounter{}
		d := benchDevice(b, th, org, th.srv.URL, wc)
		ids := seedActivities(b, d.st, 1000)
		gz = float64(gzipArraySize(b, d.st, model.EntityActivity, ids))
		before := wc.total()
		b.StartTimer()
		res, err := d.eng.Sync(ctx, nil)
		b.StopTimer()
		if err != nil || res.Pushed != 1000 {
			b.Fatalf("sync: %+v %v", res, err)
		}
		wire, requests = float64(wc.total()-before), float64(res.Requests)
		th.close()
	}
	b.ReportMetric(wire, "wire-bytes")
	b.ReportMetric(requests, "requests")
	b.ReportMetric(wire/gz, "wire/gzip")
	b.ReportMetric(gz, "gzip-bytes")
}

// BenchmarkPush1000PerRecord is the baseline: one plain-JSON request per
// record, no compression, as a naive client would do it.
func BenchmarkPush1000PerRecord(b *testing.B) {
	ctx := context.Background()
	var wire, gz float64
	for range b.N {
		b.StopTimer()
		th := startHub(b)
		org := th.org(b, "Org")
		wc := &wireCounter{}
		d := benchDevice(b, th, org, th.srv.URL, wc)
		ids := seedActivities(b, d.st, 1000)
		gz = float64(gzipArraySize(b, d.st, model.EntityActivity, ids))
		token, _ := d.st.SyncState(ctx, "token")
		changes, err := d.st.Outbox(ctx, 0, 2000)
		if err != nil {
			b.Fatal(err)
		}
		hc := wc.client()
		before := wc.total()
		b.StartTimer()
		for _, c := range changes {
			fields := map[string]json.RawMessage{}
			for k, v := range c.Changes {
				fields[k] = v.New
			}
			body, _ := json.Marshal(protocol.SyncRequest{V: protocol.Version, Org: org, Push: []protocol.Change{{Seq: c.Seq, Entity: c.Entity,
				ID: c.RecordID, Org: c.OrgID, Op: protocol.OpCreate, HLC: c.HLC, Fields: fields}}, Cursor: protocol.Cursor{Epoch: th.hub.Epoch(), Seq: 1 << 40}})
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, th.srv.URL+protocol.PathSync, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept-Encoding", "identity")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
		b.StopTimer()
		wire = float64(wc.total() - before)
		th.close()
	}
	b.ReportMetric(wire, "wire-bytes")
	b.ReportMetric(1000, "requests")
	b.ReportMetric(wire/gz, "wire/gzip")
}

// BenchmarkPull1000 pulls 1,000 activities into an empty device.
func BenchmarkPull1000(b *testing.B) {
	ctx := context.Background()
	th := startHub(b)
	org := th.org(b, "Org")
	src := benchDevice(b, th, org, th.srv.URL, &wireCounter{})
	ids := seedActivities(b, src.st, 1000)
	if _, err := src.eng.Sync(ctx, nil); err != nil {
		b.Fatal(err)
	}
	gz := float64(gzipArraySize(b, src.st, model.EntityActivity, ids))
	var wire, requests float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		wc := &wireCounter{}
		d := benchDevice(b, th, org, th.srv.URL, wc)
		before := wc.total()
		b.StartTimer()
		res, err := d.eng.Sync(ctx, nil)
		b.StopTimer()
		if err != nil || res.Pulled != 1001 {
			b.Fatalf("sync: %+v %v", res, err)
		}
		wire, requests = float64(wc.total()-before), float64(res.Requests)
	}
	b.ReportMetric(wire, "wire-bytes")
	b.ReportMetric(requests, "requests")
	b.ReportMetric(wire/gz, "wire/gzip")
}

// syncedPair returns a hub and a device that has synced 1,000 activities.
func syncedDevice(b *testing.B) (*testHub, *device, *wireCounter, []string) {
	th := startHub(b)
	org := th.org(b, "Org")
	wc := &wireCounter{}
	d := benchDevice(b, th, org, th.srv.URL, wc)
	ids := seedActivities(b, d.st, 1000)
	if _, err := d.eng.Sync(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	return th, d, wc, ids
}

// BenchmarkNoopSync syncs a device that is up to date.
func BenchmarkNoopSync(b *testing.B) {
	_, d, wc, _ := syncedDevice(b)
	var wire, requests float64
	b.ResetTimer()
	for range b.N {
		before := wc.total()
		res, err := d.eng.Sync(context.Background(), nil)
		if err != nil || res.Pushed+res.Pulled != 0 {
			b.Fatalf("no-op sync: %+v %v", res, err)
		}
		wire, requests = float64(wc.total()-before), float64(res.Requests)
	}
	b.ReportMetric(wire, "wire-bytes")
	b.ReportMetric(requests, "requests")
}

// BenchmarkTenEdits syncs 10 edits after a full sync.
func BenchmarkTenEdits(b *testing.B) {
	ctx := context.Background()
	_, d, wc, ids := syncedDevice(b)
	var wire, requests float64
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		for j := range 10 {
			a := mustActivity(b, d.st, ids[(i*10+j)%len(ids)])
			a.Summary += fmt.Sprintf(" Follow-up %d.", i)
			if _, err := d.st.UpdateActivity(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
		before := wc.total()
		b.StartTimer()
		res, err := d.eng.Sync(ctx, nil)
		if err != nil || res.Pushed != 10 {
			b.Fatalf("sync: %+v %v", res, err)
		}
		wire, requests = float64(wc.total()-before), float64(res.Requests)
	}
	b.ReportMetric(wire, "wire-bytes")
	b.ReportMetric(requests, "requests")
}

// BenchmarkPushSlowLink pushes 1,000 activities over a 64 kbit/s link
// with 600 ms round trips, through a real TCP proxy, and compares the time
// with the physical minimum: wire bytes ÷ link rate + round trips × RTT.
func BenchmarkPushSlowLink(b *testing.B) {
	ctx := context.Background()
	const rate, rtt = 8000.0, 0.6 // bytes per second, seconds
	var secs, minimum float64
	for range b.N {
		b.StopTimer()
		th := startHub(b)
		fp := startProxy(b, th.srv.URL)
		org := th.org(b, "Org")
		wc := &wireCounter{}
		d := benchDevice(b, th, org, fp.URL, wc)
		seedActivities(b, d.st, 1000)
		fp.slowLink()
		before := wc.total()
		b.StartTimer()
		start := time.Now()
		res, err := d.eng.Sync(ctx, nil)
		secs = time.Since(start).Seconds()
		b.StopTimer()
		if err != nil || res.Pushed != 1000 {
			b.Fatalf("sync: %+v %v", res, err)
		}
		wire := float64(wc.total() - before)
		minimum = wire/rate + float64(res.Requests)*rtt
		b.ReportMetric(wire, "wire-bytes")
		b.ReportMetric(float64(res.Requests), "requests")
		th.close()
	}
	b.ReportMetric(secs, "s/push")
	b.ReportMetric(minimum, "min-s")
	b.ReportMetric(secs/minimum, "time/min")
}

// BenchmarkHubIngest50 has 50 devices push 1,000 changes each at once, in
// pages of 200, over HTTP; it reports the hub's changes applied per second.
func BenchmarkHubIngest50(b *testing.B) {
	ctx := context.Background()
	const devices, perDevice, page = 50, 1000, 200
	acts := realisticActivities(perDevice, 7)
	var perSec float64
	for range b.N {
		b.StopTimer()
		th := startHub(b)
		org := th.org(b, "Org")
		type pusher struct {
			token string
			pages [][]byte
		}
		pushers := make([]pusher, devices)
		for i := range pushers {
			dev := fmt.Sprintf("bench-device-%02d", i)
			resp, err := th.hub.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: th.code(b, org, hub.RoleStaff), Device: dev})
			if err != nil {
				b.Fatal(err)
			}
			pushers[i].token = resp.Token
			var changes []protocol.Change
			for j, a := range acts {
				changes = append(changes, activityChangeFor(a, int64(j+1), org, dev))
			}
			for p := 0; p < len(changes); p += page {
				body, _ := json.Marshal(protocol.SyncRequest{V: protocol.Version, Org: org, Push: changes[p : p+page],
					Cursor: protocol.Cursor{Epoch: th.hub.Epoch(), Seq: 1 << 40}})
				var buf bytes.Buffer
				w := gzip.NewWriter(&buf)
				w.Write(body)
				w.Close()
				pushers[i].pages = append(pushers[i].pages, buf.Bytes())
			}
		}
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: devices}}
		var wg sync.WaitGroup
		errs := make(chan error, devices)
		b.StartTimer()
		start := time.Now()
		for _, p := range pushers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, body := range p.pages {
					req, _ := http.NewRequestWithContext(ctx, http.MethodPost, th.srv.URL+protocol.PathSync, bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+p.token)
					req.Header.Set("Content-Encoding", "gzip")
					resp, err := hc.Do(req)
					if err != nil {
						errs <- err
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						errs <- fmt.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		perSec = devices * perDevice / elapsed.Seconds()
		th.close()
	}
	b.ReportMetric(perSec, "changes/s")
}

// activityChangeFor is a as the wire change that creates it.
func activityChangeFor(a model.Activity, seq int64, org, device string) protocol.Change {
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	id := model.NewID()
	f := map[string]json.RawMessage{
		"visibility": raw("org"), "created_by": raw(device), "created_at": raw("2026-03-01T10:00:00Z"),
		"kind": raw(a.Kind), "title": raw(a.Title), "start_date": raw(a.StartDate), "country": raw(a.Country),
		"place": raw(a.Place), "lat": raw(a.Lat), "lon": raw(a.Lon), "themes": raw(a.Themes), "partners": raw(a.Partners),
		"summary": raw(a.Summary), "status": raw(a.Status), "adults": raw(a.Reach.Adults),
	}
	for _, c := range a.Reach.Cells() {
		f[c.Field] = raw(c.Value)
	}
	return protocol.Change{Seq: seq, Entity: model.EntityActivity, ID: id, Org: org, Op: protocol.OpCreate,
		HLC: fmt.Sprintf("%013d.%010d.%s", 1767225600000+seq, 0, device), Fields: f}
}
