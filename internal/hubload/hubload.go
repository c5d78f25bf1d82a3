// Package hubload is the load of the hub's ingest benchmarks: simulated
// devices, each with its own token, pushing realistic new activities to a
// hub over HTTP in gzip-compressed pages, as many devices at once.
//
// The pages are built before the clock starts ([Build]), so that [Push]
// measures the hub and not the making of the load. [RunProcess] runs the
// load in a process of its own, given a [Job]: a benchmark starts it
// beside the hub's processes, so that the simulated devices do not share
// the hub process's scheduler and collector.
package hubload

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

var (
	places   = []string{"Lilongwe", "Blantyre", "Zomba", "Mzuzu", "Kasungu", "Mangochi", "Dedza", "Salima"}
	partners = []string{"District education office", "Community child protection committee", "Police victim support unit",
		"Village head and elders", "Youth club", "Health surveillance assistants"}
	sentences = []string{"Pupils and teachers discussed the risks of early marriage.", "Parents asked how to report abuse safely.",
		"The chief agreed to a by-law against child marriage.", "Girls shared why they leave school early.",
		"We explained how to register births at the district office.", "Boys talked about online bullying and safety.",
		"Teachers will run a follow-up session next term.", "Participants mapped safe and unsafe places in the village."}
)

// Activities returns n activities shaped like real field reports (about
// 600 bytes of JSON each), the same for a given seed.
func Activities(n int, seed uint64) []model.Activity {
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

// CreateChange is the wire change by which device, in organization org,
// creates activity a as its change number seq, under a new record id.
func CreateChange(a model.Activity, seq int64, org, device string) protocol.Change {
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	f := map[string]json.RawMessage{
		"visibility": raw("org"), "created_by": raw(device), "created_at": raw("2026-03-01T10:00:00Z"),
		"kind": raw(a.Kind), "title": raw(a.Title), "start_date": raw(a.StartDate), "country": raw(a.Country),
		"place": raw(a.Place), "lat": raw(a.Lat), "lon": raw(a.Lon), "themes": raw(a.Themes), "partners": raw(a.Partners),
		"summary": raw(a.Summary), "status": raw(a.Status), "adults": raw(a.Reach.Adults),
	}
	for _, c := range a.Reach.Cells() {
		f[c.Field] = raw(c.Value)
	}
	return protocol.Change{Seq: seq, Entity: model.EntityActivity, ID: model.NewID(), Org: org, Op: protocol.OpCreate,
		HLC: fmt.Sprintf("%013d.%010d.%s", 1767225600000+seq, 0, device), Fields: f}
}

// Device is one simulated device of a [Job]: its id and token, as the
// hub enrolled it.
type Device struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// Job is the load one run puts on a hub: every device pushes PerDevice new
// activities (the same ones for every device, new records each) in
// requests of Page changes, all devices at once, each request to one of
// URLs picked at random.
type Job struct {
	// URLs are the hub processes' base addresses ("http://127.0.0.1:8440").
	URLs []string `json:"urls"`
	// Org is the devices' organization.
	Org string `json:"org"`
	// Epoch is the hub's epoch, which the requests' cursors carry.
	Epoch     string   `json:"epoch"`
	Devices   []Device `json:"devices"`
	PerDevice int      `json:"perDevice"`
	Page      int      `json:"page"`
	// Seed chooses the activities ([Activities]).
	Seed uint64 `json:"seed"`
}

// NewJob adds an organization to hub h and enrolls n devices in it, and
// returns the job in which each pushes perDevice activities in requests of
// page changes; the caller adds the hub's URLs.
func NewJob(ctx context.Context, h *hub.Hub, n, perDevice, page int) (Job, error) {
	org, err := h.AddOrg(ctx, "Load", "MW")
	if err != nil {
		return Job{}, fmt.Errorf("hubload: %w", err)
	}
	job := Job{Org: org, Epoch: h.Epoch(), PerDevice: perDevice, Page: page, Seed: 7}
	for i := range n {
		code, err := h.NewEnrollCode(ctx, org, hub.RoleStaff, time.Hour)
		if err != nil {
			return Job{}, fmt.Errorf("hubload: %w", err)
		}
		resp, err := h.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: code, Device: fmt.Sprintf("load-device-%02d", i)})
		if err != nil {
			return Job{}, fmt.Errorf("hubload: enroll: %w", err)
		}
		job.Devices = append(job.Devices, Device{ID: resp.Device, Token: resp.Token})
	}
	return job, nil
}

// Load is a [Job]'s requests, built and compressed.
type Load struct {
	job   Job
	pages [][][]byte // per device, the gzip request bodies in order
}

// Build makes every request body of job: JSON sync requests, gzip
// compressed. The pull part of each asks for nothing (its cursor is past
// any change number), so a request's reply is its acknowledgement.
func Build(job Job) (*Load, error) {
	if job.Page <= 0 || job.PerDevice <= 0 || len(job.URLs) == 0 {
		return nil, fmt.Errorf("hubload: a job needs URLs, changes per device and a page size")
	}
	acts := Activities(job.PerDevice, job.Seed)
	l := &Load{job: job, pages: make([][][]byte, len(job.Devices))}
	for i, d := range job.Devices {
		changes := make([]protocol.Change, len(acts))
		for j, a := range acts {
			changes[j] = CreateChange(a, int64(j+1), job.Org, d.ID)
		}
		for p := 0; p < len(changes); p += job.Page {
			body, err := json.Marshal(protocol.SyncRequest{V: protocol.Version, Org: job.Org, Push: changes[p:min(p+job.Page, len(changes))],
				Cursor: protocol.Cursor{Epoch: job.Epoch, Seq: 1 << 40}})
			if err != nil {
				return nil, fmt.Errorf("hubload: %w", err)
			}
			var buf bytes.Buffer
			w := gzip.NewWriter(&buf)
			if _, err := w.Write(body); err != nil {
				return nil, fmt.Errorf("hubload: %w", err)
			}
			if err := w.Close(); err != nil {
				return nil, fmt.Errorf("hubload: %w", err)
			}
			l.pages[i] = append(l.pages[i], buf.Bytes())
		}
	}
	return l, nil
}

// Result is what a run of a [Load] measured.
type Result struct {
	// Elapsed runs from the first request sent to the last reply read.
	Elapsed time.Duration `json:"elapsed"`
	// Requests is how many requests the hub answered with 200.
	Requests int `json:"requests"`
	// Changes is how many changes the replies acknowledged.
	Changes int `json:"changes"`
	// Rejected is how many changes the replies listed as rejected.
	Rejected int `json:"rejected"`
	// PerURL counts the requests sent to each of the job's URLs.
	PerURL []int `json:"perURL"`
}

// PerSecond is the changes acknowledged per second of the run.
func (r Result) PerSecond() float64 { return float64(r.Changes) / r.Elapsed.Seconds() }

// Push runs the load: every device sends its pages one after the other,
// all devices at once. It returns at the first failed request (an error
// from the network, a status other than 200, a reply that acknowledges
// less than its page), with that error.
func (l *Load) Push(ctx context.Context) (Result, error) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(l.job.Devices)}}
	defer hc.CloseIdleConnections()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var changes, rejected, requests atomic.Int64
	perURL := make([]atomic.Int64, len(l.job.URLs))
	var once sync.Once
	var firstErr error
	fail := func(err error) { once.Do(func() { firstErr = err; cancel() }) }
	var wg sync.WaitGroup
	start := time.Now()
	for i, d := range l.job.Devices {
		rng := rand.New(rand.NewPCG(l.job.Seed, uint64(i)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p, body := range l.pages[i] {
				u := rng.IntN(len(l.job.URLs))
				perURL[u].Add(1)
				resp, err := l.send(ctx, hc, l.job.URLs[u], d.Token, body)
				if err != nil {
					fail(fmt.Errorf("hubload: device %s, page %d: %w", d.ID, p, err))
					return
				}
				if want := int64(min((p+1)*l.job.Page, l.job.PerDevice)); resp.Acked != want {
					fail(fmt.Errorf("hubload: device %s, page %d: the hub acknowledged change %d, not %d", d.ID, p, resp.Acked, want))
					return
				}
				requests.Add(1)
				changes.Add(int64(min(l.job.Page, l.job.PerDevice-p*l.job.Page)))
				rejected.Add(int64(len(resp.Rejected)))
			}
		}()
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start), Requests: int(requests.Load()), Changes: int(changes.Load()), Rejected: int(rejected.Load())}
	for i := range perURL {
		res.PerURL = append(res.PerURL, int(perURL[i].Load()))
	}
	return res, firstErr
}

// send posts one gzip request body and reads the reply.
func (l *Load) send(ctx context.Context, hc *http.Client, base, token string, body []byte) (*protocol.SyncResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+protocol.PathSync, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxDecoded))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %.300s", resp.StatusCode, data)
	}
	var out protocol.SyncResponse
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	return &out, nil
}

// Ready is the line [RunProcess] writes once its load is built; it then
// waits for a line on its input before it starts.
const Ready = "ready"

// RunProcess is the load as a process of its own: it reads a [Job] from
// the JSON file jobFile, builds its load, writes [Ready] and a newline to
// out, waits for a line on in, pushes the load, and writes the [Result]
// as one line of JSON to out. A failed run writes its result too, and
// returns the error.
func RunProcess(ctx context.Context, jobFile string, in io.Reader, out io.Writer) error {
	raw, err := os.ReadFile(jobFile)
	if err != nil {
		return fmt.Errorf("hubload: %w", err)
	}
	var job Job
	if err := json.Unmarshal(raw, &job); err != nil {
		return fmt.Errorf("hubload: job %s: %w", jobFile, err)
	}
	l, err := Build(job)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(out, Ready); err != nil {
		return fmt.Errorf("hubload: %w", err)
	}
	if _, err := bufio.NewReader(in).ReadString('\n'); err != nil {
		return fmt.Errorf("hubload: wait for the start: %w", err)
	}
	res, pushErr := l.Push(ctx)
	line, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("hubload: %w", err)
	}
	if _, err := fmt.Fprintf(out, "%s\n", line); err != nil {
		return fmt.Errorf("hubload: %w", err)
	}
	return pushErr
}
