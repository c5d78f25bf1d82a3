package ui

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// slowChunks stands in front of a real hub like a slow link: once closed,
// every chunk download after the first free ones waits until it is
// opened again (or its request is given up). It notes each download's
// Range.
type slowChunks struct {
	next http.Handler

	mu      sync.Mutex // guards the rest
	free    int        // downloads still let through while closed
	gate    chan struct{}
	held    int // downloads waiting at the gate now
	ranges  []string
	started int
}

func (s *slowChunks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, protocol.PathFiles) {
		s.next.ServeHTTP(w, r)
		return
	}
	s.mu.Lock()
	s.ranges = append(s.ranges, r.Header.Get("Range"))
	gate := s.gate
	if gate != nil && s.free > 0 {
		s.free--
		gate = nil
	}
	if gate != nil {
		s.held++
	}
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		s.mu.Lock()
		s.held--
		s.mu.Unlock()
		if r.Context().Err() != nil {
			return
		}
	}
	s.next.ServeHTTP(w, r)
}

// close holds every chunk download after the next free ones.
func (s *slowChunks) close(free int) {
	s.mu.Lock()
	s.free, s.gate = free, make(chan struct{})
	s.mu.Unlock()
}

// open lets every download through.
func (s *slowChunks) open() {
	s.mu.Lock()
	if s.gate != nil {
		close(s.gate)
	}
	s.gate = nil
	s.mu.Unlock()
}

func (s *slowChunks) waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

func (s *slowChunks) rangesSince(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ranges[n:]...)
}

func (s *slowChunks) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ranges)
}

// pdfBytes returns size bytes that the type checks take for a PDF.
func pdfBytes(size int, seed uint64) []byte {
	head, tail := []byte("%PDF-1.4\n"), []byte("\n%%EOF\n")
	b := make([]byte, size)
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	copy(b, head)
	copy(b[size-len(tail):], tail)
	return b
}

// sharedFiles is a real hub over HTTP (behind slow) holding a resource
// with two large PDFs that another device of the organization attached
// and sent, and the harness's device enrolled in that organization and
// synced: the resource is here, its files are not.
type sharedFiles struct {
	srv      *httptest.Server
	slow     *slowChunks
	engine   *client.Engine
	resource string
	refs     []protocol.FileRef
	contents [][]byte
}

func shareFiles(t *testing.T, h *harness) *sharedFiles {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	hb, err := hub.Open(ctx, t.TempDir(), hub.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	sf := &sharedFiles{slow: &slowChunks{next: hb.Handler()}}
	sf.srv = httptest.NewServer(sf.slow)
	t.Cleanup(func() { sf.srv.Close(); hb.Close() })
	org, err := hb.AddOrg(ctx, "Malawi Child Rights Network", "MW")
	if err != nil {
		t.Fatal(err)
	}
	enroll := func(e *client.Engine) {
		code, err := hb.NewEnrollCode(ctx, org, hub.RoleStaff, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Enroll(ctx, sf.srv.URL, code); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}

	other, err := store.OpenDir(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	dir := t.TempDir()
	for i, f := range []struct {
		name string
		size int
	}{{"Walking groups toolkit.pdf", 400 << 10}, {"Safe walks guide.pdf", 1536 << 10}} {
		name, content := f.name, pdfBytes(f.size, uint64(i+1))
		ref, err := other.AttachFile(ctx, writeFile(t, dir, name, content), store.AttachOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sf.refs, sf.contents = append(sf.refs, ref), append(sf.contents, content)
	}
	r, err := other.CreateResource(ctx, model.Resource{Kind: "toolkit", Title: "Safe school walks toolkit",
		Body: "How communities organised walking groups.", Language: "en", Files: sf.refs})
	if err != nil {
		t.Fatal(err)
	}
	sf.resource = r.ID
	enroll(client.New(other, client.Options{Logger: quiet}))

	sf.engine = client.New(h.st, client.Options{Logger: quiet, Retries: 2, Backoff: time.Millisecond})
	enroll(sf.engine)
	h.extra.Syncer = sf.engine
	return sf
}

// openShared starts the window in lang with the shared resource open, and
// returns its Files section.
func (sf *sharedFiles) open(t *testing.T, h *harness, lang string) (*UI, *attachmentsPanel) {
	t.Helper()
	u := h.start(lang)
	u.SelectTab(TabResources)
	h.settle()
	u.resources.open(sf.resource)
	h.settle()
	p := u.resources.form.files
	if len(p.rows) != len(sf.refs) {
		t.Fatalf("%d file rows, want %d", len(p.rows), len(sf.refs))
	}
	return u, p
}

// fileRowFor returns the row of the file with hash; rows are made again
// each time the section reads the store.
func fileRowFor(t *testing.T, p *attachmentsPanel, hash string) *fileRow {
	t.Helper()
	for _, r := range p.rows {
		if r.ref.Hash == hash {
			return r
		}
	}
	t.Fatalf("no row for file %s", hash)
	return nil
}

// settleWatching applies background work like settle, calling watch
// after each piece, so a test sees every state the window went through.
func (h *harness) settleWatching(watch func()) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case fn := <-h.run.ch:
			fn()
			watch()
			continue
		case <-time.After(20 * time.Millisecond):
		}
		h.run.mu.Lock()
		p := h.run.pending
		h.run.mu.Unlock()
		if p == 0 && len(h.run.ch) == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("background work did not finish (%d in flight)", p)
		}
	}
}

// pumpUntil applies background work until cond holds.
func (h *harness) pumpUntil(what string, cond func() bool) {
	h.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		select {
		case fn := <-h.run.ch:
			fn()
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestDownloadShowsProgressAndCanBeCancelled presses Download on files
// that a colleague's device sent to a real hub. The first, slowed by the
// link, is cancelled half-way: the bytes already here stay, the next sync
// leaves it alone, and Download again goes on from them. The second goes
// through: the row says how far it has come up to 100 %, then that the
// file is on this device, and Open opens it.
func TestDownloadShowsProgressAndCanBeCancelled(t *testing.T) {
	h := newHarness(t)
	sf := shareFiles(t, h)
	u, p := sf.open(t, h, "en")
	ctx := context.Background()

	toolkit := sf.refs[0]
	row := fileRowFor(t, p, toolkit.Hash)
	if !strings.HasSuffix(row.detail.Text, "· On the hub, not downloaded") || !row.download.Visible() ||
		!row.open.Disabled() || row.saveAs.Visible() || row.cancel.Visible() {
		t.Fatalf("before: %q, download shown %v, open disabled %v, save as shown %v, cancel shown %v",
			row.detail.Text, row.download.Visible(), row.open.Disabled(), row.saveAs.Visible(), row.cancel.Visible())
	}
	// The link slows to a stop after the first chunk: Cancel.
	sf.slow.close(1)
	before := sf.slow.count()
	test.Tap(row.download)
	h.pumpUntil("the second chunk to wait on the slow link", func() bool {
		return sf.slow.waiting() == 1 && strings.Contains(fileRowFor(t, p, toolkit.Hash).detail.Text, "· Downloading ")
	})
	row = fileRowFor(t, p, toolkit.Hash)
	want := "· Downloading 8 % (" + formatSize(u.l, client.StartChunk) + " of " + formatSize(u.l, toolkit.Size) + ")"
	if !strings.HasSuffix(row.detail.Text, want) || !row.cancel.Visible() || row.download.Visible() {
		t.Fatalf("downloading: %q (want …%q), cancel shown %v, download shown %v", row.detail.Text, want, row.cancel.Visible(), row.download.Visible())
	}
	test.Tap(row.cancel)
	if !row.cancel.Disabled() {
		t.Fatal("Cancel still enabled while the download stops")
	}
	h.settle()
	st, err := h.st.FileState(ctx, toolkit.Hash)
	if err != nil || st.Where != store.FileDownloading || st.Done != client.StartChunk || st.Wanted {
		t.Fatalf("after Cancel: %+v %v; want the first chunk kept, not asked for", st, err)
	}
	if fi, err := os.Stat(filepath.Join(h.dir, store.FilesDir, "partial", toolkit.Hash)); err != nil || fi.Size() != client.StartChunk {
		t.Fatalf("the partial download on disk: %v %v", fi, err)
	}
	row = fileRowFor(t, p, toolkit.Hash)
	if !strings.HasSuffix(row.detail.Text, "· 8 % downloaded") || !row.download.Visible() || row.cancel.Visible() || row.problem.Visible() {
		t.Fatalf("after Cancel: %q, download shown %v, cancel shown %v, problem %q", row.detail.Text, row.download.Visible(), row.cancel.Visible(), row.problem.text)
	}
	if downs, _ := h.st.WantedDownloads(ctx, client.DefaultAutoDownloadMax); len(downs) != 0 {
		t.Fatalf("a cancelled download is left for the next sync: %+v", downs)
	}

	// Download again once the link is back: it goes on from the bytes here.
	sf.slow.open()
	n := sf.slow.count()
	test.Tap(row.download)
	h.settle()
	if got := sf.slow.rangesSince(n); len(got) == 0 || !strings.HasPrefix(got[0], "bytes=32768-") {
		t.Fatalf("second download asked for %v; want it to start at the 32768 bytes held (first attempt: %v)", got, sf.slow.rangesSince(before)[:n-before])
	}
	sameContent(t, h, toolkit, sf.contents[0])
	if row = fileRowFor(t, p, toolkit.Hash); !strings.HasSuffix(row.detail.Text, "· On this device and the hub") || row.open.Disabled() {
		t.Fatalf("after the resumed download: %q", row.detail.Text)
	}

	// The guide, larger than the largest chunk, all the way.
	guide := sf.refs[1]
	test.Tap(fileRowFor(t, p, guide.Hash).download)
	var seen []string
	h.settleWatching(func() {
		d := fileRowFor(t, p, guide.Hash).detail.Text
		if len(seen) == 0 || seen[len(seen)-1] != d {
			seen = append(seen, d)
		}
	})
	size := formatSize(u.l, guide.Size)
	partway, whole := false, false
	for _, s := range seen {
		partway = partway || (strings.Contains(s, "· Downloading ") && !strings.Contains(s, "Downloading 100 %") && strings.HasSuffix(s, " of "+size+")"))
		whole = whole || strings.HasSuffix(s, "· Downloading 100 % ("+size+" of "+size+")")
	}
	if !partway || !whole {
		t.Fatalf("the row did not show the download going to 100 %%: %q", seen)
	}
	row = fileRowFor(t, p, guide.Hash)
	if !strings.HasSuffix(row.detail.Text, "· On this device and the hub") || row.open.Disabled() || !row.saveAs.Visible() ||
		row.download.Visible() || row.cancel.Visible() || row.problem.Visible() {
		t.Fatalf("after: %q, open disabled %v, save as shown %v, download shown %v", row.detail.Text, row.open.Disabled(), row.saveAs.Visible(), row.download.Visible())
	}
	if u.notice.label.Text != "Downloaded “Safe walks guide.pdf”." {
		t.Fatalf("notice %q", u.notice.label.Text)
	}
	path := sameContent(t, h, guide, sf.contents[1])
	opened := make(chan string, 1)
	saved := openWithSystem
	openWithSystem = func(p string) error { opened <- p; return nil }
	t.Cleanup(func() { openWithSystem = saved })
	test.Tap(row.open)
	h.settle()
	if got := <-opened; got != path {
		t.Fatalf("opened %q, want %q", got, path)
	}
}

// sameContent fails unless the file ref is whole on h's device with
// content, and returns its path.
func sameContent(t *testing.T, h *harness, ref protocol.FileRef, content []byte) string {
	t.Helper()
	path, err := h.st.FilePath(context.Background(), ref.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
		t.Fatalf("%s: %d bytes here, not the %d sent", ref.Name, len(got), len(content))
	}
	return path
}

// TestDownloadSaysWhyNot presses Download where it cannot work: with no
// hub, the row says the device is not connected; with the hub out of
// reach, it says so in the person's language and that the next sync will
// bring the file.
func TestDownloadSaysWhyNot(t *testing.T) {
	t.Run("no sync engine", func(t *testing.T) {
		h := newHarness(t)
		sf := shareFiles(t, h)
		h.extra.Syncer = nil
		u, p := sf.open(t, h, "en")
		ref := sf.refs[0]
		test.Tap(fileRowFor(t, p, ref.Hash).download)
		h.settle()
		row := fileRowFor(t, p, ref.Hash)
		if !row.problem.Visible() || row.problem.text != u.l.T("files.fetch_not_enrolled") {
			t.Fatalf("problem %q (shown %v)", row.problem.text, row.problem.Visible())
		}
		if !strings.HasSuffix(row.detail.Text, "· Downloads at the next sync") || !row.download.Visible() {
			t.Fatalf("row %q, download shown %v", row.detail.Text, row.download.Visible())
		}
	})
	for _, lang := range []string{"en", "ar"} {
		t.Run("hub out of reach "+lang, func(t *testing.T) {
			h := newHarness(t)
			sf := shareFiles(t, h)
			host := strings.TrimPrefix(sf.srv.URL, "http://")
			sf.srv.Close()
			u, p := sf.open(t, h, lang)
			l := u.l
			ref := sf.refs[0]
			test.Tap(fileRowFor(t, p, ref.Hash).download)
			h.settle()
			row := fileRowFor(t, p, ref.Hash)
			want := l.T("files.fetch_failed", "Problem", l.T("hubproblem.unreachable", "Host", host))
			if !row.problem.Visible() || row.problem.text != want {
				t.Fatalf("problem %q, want %q", row.problem.text, want)
			}
			if want := fileDetail(l, ref, l.T("files.state.asked")); row.detail.Text != shown(l, want) || !row.download.Visible() {
				t.Fatalf("row %q, want %q", row.detail.Text, shown(l, want))
			}
			if downs, _ := h.st.WantedDownloads(context.Background(), 0); len(downs) != 1 {
				t.Fatalf("the file is not left for the next sync: %+v", downs)
			}
		})
	}
}
