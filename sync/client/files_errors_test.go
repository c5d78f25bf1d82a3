package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// hubFaults wraps a real hub's handler: it answers the file requests
// that fail chooses with that error, written as the hub writes its own
// (JSON kind and message, the status, Retry-After), passes every other
// request to the hub, and logs the file requests and their statuses.
type hubFaults struct {
	next http.Handler

	mu sync.Mutex // guards fail, log and syncs
	// fail returns the error to answer r with, or nil to let the hub
	// answer; n counts the requests of r's method so far, from 1.
	fail func(r *http.Request, n int) *protocol.Error
	// log holds one line per file request: "PUT 32768 204", "HEAD 200".
	log   []string
	count map[string]int
	// syncs counts sync requests by device token.
	syncs map[string]int
}

// injectFaults puts a [hubFaults] in front of th's hub.
func injectFaults(th *testHub) *hubFaults {
	f := &hubFaults{next: th.hub.Handler(), count: map[string]int{}, syncs: map[string]int{}}
	th.srv.Config.Handler = f
	return f
}

// setFail replaces the rule that picks the requests to fail; nil fails none.
func (f *hubFaults) setFail(fail func(r *http.Request, n int) *protocol.Error) {
	f.mu.Lock()
	f.fail = fail
	f.mu.Unlock()
}

// lines returns the file requests logged so far.
func (f *hubFaults) lines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// syncsOf returns how many sync requests the device with token made.
func (f *hubFaults) syncsOf(token string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.syncs[token]
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (f *hubFaults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == protocol.PathSync {
		f.mu.Lock()
		f.syncs[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]++
		f.mu.Unlock()
	}
	if !strings.HasPrefix(r.URL.Path, protocol.PathFiles) {
		f.next.ServeHTTP(w, r)
		return
	}
	f.mu.Lock()
	f.count[r.Method]++
	var pe *protocol.Error
	if f.fail != nil {
		pe = f.fail(r, f.count[r.Method])
	}
	f.mu.Unlock()
	line := r.Method
	if off := r.URL.Query().Get("offset"); off != "" {
		line += " " + off
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	if pe != nil {
		if pe.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(pe.RetryAfter))
		}
		w.Header().Set("Content-Type", "application/json")
		rec.WriteHeader(pe.Status)
		_ = json.NewEncoder(w).Encode(pe)
	} else {
		f.next.ServeHTTP(rec, r)
	}
	f.mu.Lock()
	f.log = append(f.log, fmt.Sprintf("%s %d", line, rec.status))
	f.mu.Unlock()
}

// hubFull is the hub's answer when its disk is full.
func hubFull() *protocol.Error {
	return &protocol.Error{Kind: protocol.KindTransient, Status: http.StatusInsufficientStorage, RetryAfter: 3600,
		Message: "the hub's disk is full; it kept everything it had. Try again once its administrator has made room"}
}

// badChunk is the hub's answer to a chunk whose bytes do not match the
// hash they came with.
func badChunk(r *http.Request) *protocol.Error {
	return &protocol.Error{Kind: protocol.KindInvalid, Status: http.StatusBadRequest,
		Message: "chunk at offset " + r.URL.Query().Get("offset") + ": its bytes hash to something else; nothing was kept, send it again"}
}

// onlyPuts fails every chunk upload with mk, and nothing else.
func onlyPuts(mk func(r *http.Request) *protocol.Error) func(*http.Request, int) *protocol.Error {
	return func(r *http.Request, _ int) *protocol.Error {
		if r.Method == http.MethodPut {
			return mk(r)
		}
		return nil
	}
}

// count returns how many lines start with prefix.
func count(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// TestHubFullUploadWaitsForTheNextSync: the hub's disk is full (507) on
// the first chunk: the sync ends without error after one request, every
// file waits and says the hub is full, the records went; once the hub
// has room, the next sync sends them all and they no longer say so.
func TestHubFullUploadWaitsForTheNextSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	faults := injectFaults(th)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	guide := attached(t, a, "guide.pdf", pdfLike(90<<10, 21), model.VisibilityOrg)
	minutes := attached(t, a, "minutes.pdf", pdfLike(20<<10, 22), model.VisibilityOrg)
	faults.setFail(onlyPuts(func(*http.Request) *protocol.Error { return hubFull() }))

	res, err := a.eng.Sync(ctx, nil)
	if err != nil {
		t.Fatalf("a full hub fails the sync: %v", err)
	}
	if res.Pushed != 2 || res.FilesSent != 0 {
		t.Fatalf("pushed %d records, sent %d files; want the 2 records and no file", res.Pushed, res.FilesSent)
	}
	if n := count(faults.lines(), "PUT"); n != 1 {
		t.Fatalf("%d chunks offered to a full hub, want 1: %v", n, faults.lines())
	}
	for _, ref := range []protocol.FileRef{guide, minutes} {
		st, err := a.st.FileState(ctx, ref.Hash)
		if err != nil || st.Where != store.FileWaiting || st.Held != store.HeldHubFull {
			t.Fatalf("%s with the hub full: %+v %v", ref.Name, st, err)
		}
	}
	if st, _ := a.eng.Status(ctx); st.FilesToSend != 2 || st.LastError != "" {
		t.Fatalf("status: %d to send, last error %q", st.FilesToSend, st.LastError)
	}

	faults.setFail(nil)
	res = mustSync(t, a)
	if res.FilesSent != 2 {
		t.Fatalf("the hub has room: sent %d files, want 2", res.FilesSent)
	}
	for _, ref := range []protocol.FileRef{guide, minutes} {
		if st, _ := a.st.FileState(ctx, ref.Hash); st.Where != store.FileOnHub || st.Held != "" {
			t.Fatalf("%s once the hub has room: %+v", ref.Name, st)
		}
	}
}

// TestBadChunkGoesAgainFromTheHubsOffset: the hub refuses one chunk as
// damaged (400): the device asks where the hub stands (HEAD) and sends
// from there; the file arrives whole, and only that chunk went twice.
func TestBadChunkGoesAgainFromTheHubsOffset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	faults := injectFaults(th)
	wire := &wireCount{next: faults.next}
	faults.next = wire
	org := th.org(t, "Org")
	a, b := enrolled(t, th, org, hub.RoleStaff), enrolled(t, th, org, hub.RoleStaff)
	content := pdfLike(200<<10, 23)
	ref := attached(t, a, "toolkit.pdf", content, model.VisibilityOrg)
	faults.setFail(func(r *http.Request, n int) *protocol.Error {
		if r.Method == http.MethodPut && n == 2 {
			return badChunk(r)
		}
		return nil
	})
	if res := mustSync(t, a); res.FilesSent != 1 {
		t.Fatalf("sent %d files", res.FilesSent)
	}
	lines := faults.lines()
	bad := -1
	for i, l := range lines {
		if strings.HasSuffix(l, " 400") {
			bad = i
		}
	}
	if bad < 0 || bad+2 >= len(lines) {
		t.Fatalf("no refused chunk followed by two requests: %v", lines)
	}
	refused := strings.Fields(lines[bad])[1]
	if lines[bad+1] != "HEAD 200" || lines[bad+2] != "PUT "+refused+" 204" {
		t.Fatalf("after the refused chunk at %s: %q, %q; want the hub asked, then the chunk again from where it stands (%v)", refused, lines[bad+1], lines[bad+2], lines)
	}
	if st, _ := a.st.FileState(ctx, ref.Hash); st.Where != store.FileOnHub || st.Held != "" {
		t.Fatalf("after sync: %+v", st)
	}
	if got := wire.put.Load(); got > int64(len(content))+2*client.StartChunk {
		t.Fatalf("the hub read %d bytes for a %d-byte file with one chunk refused", got, len(content))
	}
	mustSync(t, b)
	if err := b.eng.Fetch(ctx, ref.Hash, nil); err != nil {
		t.Fatal(err)
	}
	sameFile(t, b, ref, content)
}

// TestRepeatedBadChunksEndClearly: every chunk is refused as damaged: the
// upload stops after a few tries instead of going round for ever, the
// file says why it waits, the records and the other files went; the next
// sync tries it again.
func TestRepeatedBadChunksEndClearly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	faults := injectFaults(th)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	damaged := attached(t, a, "damaged.pdf", pdfLike(100<<10, 24), model.VisibilityOrg)
	fine := attached(t, a, "fine.pdf", pdfLike(10<<10, 25), model.VisibilityOrg)
	faults.setFail(func(r *http.Request, _ int) *protocol.Error {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, damaged.Hash) {
			return badChunk(r)
		}
		return nil
	})
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := a.eng.Sync(sctx, nil)
	if sctx.Err() != nil {
		t.Fatalf("the upload of a file whose every chunk is refused did not end: %d requests (%v)", len(faults.lines()), err)
	}
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if res.Pushed != 2 || res.FilesSent != 1 {
		t.Fatalf("pushed %d, sent %d files; want both records and the fine file", res.Pushed, res.FilesSent)
	}
	if n := count(faults.lines(), "PUT 0 400"); n > 4 {
		t.Fatalf("the refused chunk went %d times", n)
	}
	st, err := a.st.FileState(ctx, damaged.Hash)
	if err != nil || st.Where != store.FileWaiting || st.Held != store.HeldDamaged {
		t.Fatalf("damaged file: %+v %v", st, err)
	}
	if st, _ := a.st.FileState(ctx, fine.Hash); st.Where != store.FileOnHub {
		t.Fatalf("fine file: %+v", st)
	}
	faults.setFail(nil)
	if res := mustSync(t, a); res.FilesSent != 1 {
		t.Fatalf("next sync sent %d files", res.FilesSent)
	}
	if st, _ := a.st.FileState(ctx, damaged.Hash); st.Where != store.FileOnHub || st.Held != "" {
		t.Fatalf("damaged file, next sync: %+v", st)
	}
}

// TestFetchAnswersAtOnceWhenTheHubCannotServe: a person's Fetch meets a
// hub that cannot serve (busy, or not there at all) before any byte came:
// it returns after that one request, saying what is wrong, with the file
// left for the next sync; a hub that fails once bytes have come is asked
// again, as in a sync.
func TestFetchAnswersAtOnceWhenTheHubCannotServe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	faults := injectFaults(th)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	content := pdfLike(400<<10, 26)
	ref := attached(t, a, "toolkit.pdf", content, model.VisibilityOrg)
	mustSync(t, a)
	b := newDevice(t, client.Options{Retries: 6, Backoff: 2 * time.Second})
	if err := b.eng.Enroll(ctx, th.srv.URL, th.code(t, org, hub.RoleStaff)); err != nil {
		t.Fatal(err)
	}
	mustSync(t, b)

	busy := &protocol.Error{Kind: protocol.KindTransient, Status: http.StatusServiceUnavailable, Message: "the hub is busy"}
	faults.setFail(func(r *http.Request, _ int) *protocol.Error {
		if r.Method == http.MethodGet {
			return busy
		}
		return nil
	})
	n := len(faults.lines())
	err := b.eng.Fetch(ctx, ref.Hash, nil)
	if client.ProblemOf(err) != client.ProblemBusy {
		t.Fatalf("fetch from a busy hub: %v (problem %d)", err, client.ProblemOf(err))
	}
	if got := faults.lines()[n:]; len(got) != 1 {
		t.Fatalf("requests %v; want the one that failed", got)
	}
	if downs, _ := b.st.WantedDownloads(ctx, 0); len(downs) != 1 || downs[0].Hash != ref.Hash {
		t.Fatalf("not left for the next sync: %+v", downs)
	}

	// Bytes came, then the hub failed once: asked again, it finishes.
	faults.setFail(func(r *http.Request, n int) *protocol.Error {
		if r.Method == http.MethodGet && n == 3 {
			return busy
		}
		return nil
	})
	b.eng = client.New(b.st, client.Options{Logger: quiet, Retries: 6, Backoff: time.Millisecond})
	if err := b.eng.Fetch(ctx, ref.Hash, nil); err != nil {
		t.Fatalf("fetch with one failure after the first chunk: %v", err)
	}
	sameFile(t, b, ref, content)

	// No hub at all.
	c := newDevice(t, client.Options{Retries: 6, Backoff: 2 * time.Second})
	if err := c.eng.Enroll(ctx, th.srv.URL, th.code(t, org, hub.RoleStaff)); err != nil {
		t.Fatal(err)
	}
	mustSync(t, c)
	th.srv.Close()
	if err := c.eng.Fetch(ctx, ref.Hash, nil); client.ProblemOf(err) != client.ProblemUnreachable {
		t.Fatalf("fetch with no hub: %v (problem %d)", err, client.ProblemOf(err))
	}
}
