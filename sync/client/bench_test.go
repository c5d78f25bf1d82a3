package client_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/hubload"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Run: go test -tags migrated_fynedo -run '^$' -bench . -benchtime 3x ./sync/client

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
	as := hubload.Activities(n, 42)
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
// pages of 200, over HTTP, from the hub's own process; it reports the hub's
// changes applied per second. BenchmarkHubIngestProcesses (package
// hubload) measures the same with the load in a process of its own.
func BenchmarkHubIngest50(b *testing.B) {
	ctx := context.Background()
	var perSec float64
	for range b.N {
		b.StopTimer()
		th := startHub(b)
		job, err := hubload.NewJob(ctx, th.hub, 50, 1000, 200)
		if err != nil {
			b.Fatal(err)
		}
		job.URLs = []string{th.srv.URL}
		load, err := hubload.Build(job)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := load.Push(ctx)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		perSec = res.PerSecond()
		th.close()
	}
	b.ReportMetric(perSec, "changes/s")
}
