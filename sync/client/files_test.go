package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/a20-network/fieldbook/internal/pgtest/pghub"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// pdfLike returns size bytes that the type checks take for a PDF: the
// header, random bytes (so that no two chunks look alike), the trailer.
func pdfLike(size int, seed uint64) []byte {
	head, tail := []byte("%PDF-1.4\n"), []byte("\n%%EOF\n")
	b := make([]byte, size)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	copy(b, head)
	copy(b[size-len(tail):], tail)
	return b
}

// attached attaches content as a file to a new activity of d with
// visibility vis and returns the file's reference.
func attached(t testing.TB, d *device, name string, content []byte, vis string) protocol.FileRef {
	t.Helper()
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(src, content, 0o600); err != nil {
		t.Fatal(err)
	}
	ref, err := d.st.AttachFile(ctx, src, store.AttachOptions{})
	if err != nil {
		t.Fatalf("AttachFile: %v", err)
	}
	a := activity("Training with " + name)
	a.Visibility, a.Files = vis, []protocol.FileRef{ref}
	if _, err := d.st.CreateActivity(ctx, a); err != nil {
		t.Fatalf("CreateActivity: %v", err)
	}
	return ref
}

// sameFile fails unless d holds the file ref whole, byte for byte content.
func sameFile(t testing.TB, d *device, ref protocol.FileRef, content []byte) {
	t.Helper()
	p, err := d.st.FilePath(context.Background(), ref.Hash)
	if err != nil {
		t.Fatalf("file %s not here: %v", ref.Name, err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("file %s: %d bytes here, want %d identical (%v)", ref.Name, len(got), len(content), err)
	}
}

func mustSync(t testing.TB, d *device) client.Result {
	t.Helper()
	res, err := d.eng.Sync(context.Background(), nil)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return res
}

// wireCount wraps a hub's handler and counts the chunk bytes the hub
// read from uploads and wrote to downloads, those of cut requests too.
type wireCount struct {
	next     http.Handler
	put, get atomic.Int64
	// corrupt, when above 0, is how many download replies to damage (one
	// byte flipped) before passing the rest untouched.
	corrupt atomic.Int32
}

func (c *wireCount) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, protocol.PathFiles) {
		c.next.ServeHTTP(w, r)
		return
	}
	switch r.Method {
	case http.MethodPut:
		r.Body = &countingBody{ReadCloser: r.Body, n: &c.put}
	case http.MethodGet:
		cw := &countingWriter{ResponseWriter: w, n: &c.get}
		if c.corrupt.Add(-1) >= 0 {
			cw.flip = true
		}
		w = cw
	}
	c.next.ServeHTTP(w, r)
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

type countingWriter struct {
	http.ResponseWriter
	n    *atomic.Int64
	flip bool
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.flip && len(p) > 0 {
		p = bytes.Clone(p)
		p[len(p)/2] ^= 0x55
		w.flip = false
	}
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

// countWire puts a [wireCount] in front of th's hub.
func countWire(th *testHub) *wireCount {
	c := &wireCount{next: th.hub.Handler()}
	th.srv.Config.Handler = c
	return c
}

func TestFilesEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	wire := countWire(th)
	orgA, orgB := th.org(t, "Org A"), th.org(t, "Org B")
	a := enrolled(t, th, orgA, hub.RoleStaff)
	a2 := enrolled(t, th, orgA, hub.RoleStaff)
	b := enrolled(t, th, orgB, hub.RoleStaff)

	small := pdfLike(40<<10, 1)
	large := pdfLike(700<<10, 2)
	shared := pdfLike(20<<10, 3)
	private := pdfLike(30<<10, 4)
	refSmall := attached(t, a, "small.pdf", small, model.VisibilityOrg)
	refLarge := attached(t, a, "large.pdf", large, model.VisibilityOrg)
	refShared := attached(t, a, "shared.pdf", shared, model.VisibilityNetwork)
	refPrivate := attached(t, a, "private.pdf", private, model.VisibilityOrg)

	var seen []client.FileProgress
	res, err := a.eng.Sync(ctx, func(p client.Progress) {
		if p.File != nil {
			seen = append(seen, *p.File)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.FilesSent != 4 {
		t.Fatalf("sent %d files, want 4 (%+v)", res.FilesSent, res)
	}
	if got, want := wire.put.Load(), int64(len(small)+len(large)+len(shared)+len(private)); got != want {
		t.Fatalf("the hub read %d bytes of uploads, want %d: nothing twice", got, want)
	}
	if len(seen) == 0 || !seen[len(seen)-1].Up || seen[len(seen)-1].Percent() != 100 {
		t.Fatalf("progress %+v", seen)
	}
	for _, ref := range []protocol.FileRef{refSmall, refLarge, refShared} {
		if st, _ := a.st.FileState(ctx, ref.Hash); st.Where != store.FileOnHub {
			t.Fatalf("%s after sync: %+v", ref.Name, st)
		}
	}
	if st, _ := a.eng.Status(ctx); st.FilesToSend != 0 || st.Transfer != nil {
		t.Fatalf("status after sync: %+v", st)
	}
	// A device of the same organization gets the small files by itself,
	// the large one when asked.
	res = mustSync(t, a2)
	if res.FilesFetched != 3 {
		t.Fatalf("fetched %d files, want the 3 small ones", res.FilesFetched)
	}
	sameFile(t, a2, refSmall, small)
	sameFile(t, a2, refShared, shared)
	sameFile(t, a2, refPrivate, private)
	if st, _ := a2.st.FileState(ctx, refLarge.Hash); st.Where != store.FileNotDownloaded {
		t.Fatalf("large file fetched unasked: %+v", st)
	}
	var last [2]int64
	if err := a2.eng.Fetch(ctx, refLarge.Hash, func(done, total int64) { last = [2]int64{done, total} }); err != nil {
		t.Fatal(err)
	}
	sameFile(t, a2, refLarge, large)
	if last != [2]int64{int64(len(large)), int64(len(large))} {
		t.Fatalf("last progress %v", last)
	}
	// Another organization gets the shared file and never the private.
	res = mustSync(t, b)
	if res.FilesFetched != 1 {
		t.Fatalf("other organization fetched %d files, want 1", res.FilesFetched)
	}
	sameFile(t, b, refShared, shared)
	if downs, _ := b.st.WantedDownloads(ctx, 1<<30); len(downs) != 0 {
		t.Fatalf("other organization wants %+v", downs)
	}
	if err := b.eng.Fetch(ctx, refPrivate.Hash, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("fetch of a file no record here refers to: %v", err)
	}
	token, _ := b.st.SyncState(ctx, "token")
	fh := client.NewHTTPHub(th.srv.URL, nil).(client.FileHub)
	if _, err := fh.GetChunk(ctx, token, refPrivate.Hash, 0, 1000); protocol.KindOf(err) != protocol.KindForbidden {
		t.Fatalf("other organization's direct download: %v", err)
	}
	if _, err := fh.FileStatus(ctx, token, refPrivate.Hash); protocol.KindOf(err) != protocol.KindForbidden {
		t.Fatalf("other organization's direct look: %v", err)
	}
}

func TestCorruptChunkIsAskedAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	wire := countWire(th)
	org := th.org(t, "Org")
	a, b := enrolled(t, th, org, hub.RoleStaff), enrolled(t, th, org, hub.RoleStaff)
	content := pdfLike(100<<10, 5)
	ref := attached(t, a, "guide.pdf", content, model.VisibilityOrg)
	mustSync(t, a)
	wire.corrupt.Store(1)
	res := mustSync(t, b)
	sameFile(t, b, ref, content)
	if res.FilesFetched != 1 || wire.corrupt.Load() >= 0 {
		t.Fatalf("fetched %d, corrupt left %d", res.FilesFetched, wire.corrupt.Load())
	}
	if got := wire.get.Load(); got <= int64(len(content)) || got > int64(len(content))+client.StartChunk {
		t.Fatalf("hub sent %d bytes for a %d-byte file with one corrupt chunk", got, len(content))
	}
	// Always corrupt: the file waits for a later sync, the sync goes on.
	c := enrolled(t, th, org, hub.RoleStaff)
	wire.corrupt.Store(1000)
	res = mustSync(t, c)
	if st, _ := c.st.FileState(ctx, ref.Hash); res.FilesFetched != 0 || st.Where == store.FileOnHub {
		t.Fatalf("fetched %d, state %+v", res.FilesFetched, st)
	}
	wire.corrupt.Store(0)
	mustSync(t, c)
	sameFile(t, c, ref, content)
}

func TestRefusedUploadIsShown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := &testHub{dir: t.TempDir(), opts: hub.Options{MaxFileSize: 50 << 10}}
	th.open(t)
	t.Cleanup(th.close)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	ok := attached(t, a, "small.pdf", pdfLike(10<<10, 6), model.VisibilityOrg)
	big := attached(t, a, "big.pdf", pdfLike(60<<10, 7), model.VisibilityOrg)
	res := mustSync(t, a)
	if res.FilesSent != 1 {
		t.Fatalf("sent %d", res.FilesSent)
	}
	if st, _ := a.st.FileState(ctx, ok.Hash); st.Where != store.FileOnHub {
		t.Fatalf("small: %+v", st)
	}
	st, _ := a.st.FileState(ctx, big.Hash)
	if st.Where != store.FileRefused || !strings.Contains(st.Refused, "larger than this hub takes") {
		t.Fatalf("big: %+v", st)
	}
	status, err := a.eng.Status(ctx)
	if err != nil || len(status.FilesRefused) != 1 || status.FilesToSend != 0 {
		t.Fatalf("status %+v: %v", status, err)
	}
	// Not sent again.
	if res := mustSync(t, a); res.FileBytesUp != 0 {
		t.Fatalf("sent %d bytes again", res.FileBytesUp)
	}
}

// The largest record the files field allows, 20 files each with a 16 KB
// thumbnail (about 440 KB of JSON), goes up, comes down to another
// device, and two edits of its files on two devices come back as a
// conflict holding both lists: it fits the hub's request and pull limits.
func TestLargestRecordOfFilesSyncs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org A")
	a, b := enrolled(t, th, org, hub.RoleStaff), enrolled(t, th, org, hub.RoleStaff)
	refs := func(seed uint64) []protocol.FileRef {
		rng := rand.New(rand.NewPCG(seed, 2))
		out := make([]protocol.FileRef, model.MaxFiles)
		for i := range out {
			content := pdfLike(1000+i, seed*100+uint64(i))
			thumb := make([]byte, model.MaxThumb)
			for j := range thumb {
				thumb[j] = byte(rng.Uint32())
			}
			copy(thumb, "\xff\xd8\xff\xe0")
			out[i] = protocol.FileRef{Hash: sha256Hex(content), Name: fmt.Sprintf("photo-%02d.jpg", i), Size: int64(len(content)), Type: "image/jpeg", Thumb: thumb}
		}
		return out
	}
	act := activity("Community meeting, 20 photos")
	act.Files = refs(1)
	created, err := a.st.CreateActivity(ctx, act)
	if err != nil {
		t.Fatalf("CreateActivity: %v", err)
	}
	mustSync(t, a)
	mustSync(t, b)
	got, err := b.st.Activity(ctx, created.ID)
	if err != nil || len(got.Files) != model.MaxFiles || !bytes.Equal(got.Files[19].Thumb, act.Files[19].Thumb) {
		t.Fatalf("on the second device: %d files, %v", len(got.Files), err)
	}
	// Both devices change the list while apart.
	for i, d := range []*device{a, b} {
		cur, err := d.st.Activity(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur.Files = refs(uint64(10 + i))
		if _, err := d.st.UpdateActivity(ctx, cur); err != nil {
			t.Fatalf("UpdateActivity: %v", err)
		}
	}
	mustSync(t, a)
	mustSync(t, b)
	mustSync(t, a)
	for _, d := range []*device{a, b} {
		cs, err := d.st.Conflicts(ctx, true)
		if err != nil || len(cs) != 1 || cs[0].Field != "files" {
			t.Fatalf("conflicts: %+v %v, want one on files", cs, err)
		}
	}
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// A hub restored from a backup taken before a file was sent lacks the
// file; the device that sent it sends it again, and another device then
// gets it, byte for byte.
func TestRestoredHubGetsFilesBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	a := enrolled(t, th, org, hub.RoleStaff)
	before, after := pdfLike(50<<10, 21), pdfLike(60<<10, 22)
	refBefore := attached(t, a, "before.pdf", before, model.VisibilityOrg)
	mustSync(t, a)
	backup := filepath.Join(t.TempDir(), "hub-backup.db")
	if err := th.hub.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	refAfter := attached(t, a, "after.pdf", after, model.VisibilityOrg)
	mustSync(t, a)

	th.hub.Close()
	if _, err := hub.RestoreInto(ctx, th.dir, hub.Options{Postgres: pghub.Config(t, th.dir)}, backup); err != nil {
		t.Fatal(err)
	}
	th.open(t)
	mustSync(t, a)
	mustSync(t, a)
	b := enrolled(t, th, org, hub.RoleStaff)
	mustSync(t, b)
	sameFile(t, b, refBefore, before)
	sameFile(t, b, refAfter, after)
	for _, ref := range []protocol.FileRef{refBefore, refAfter} {
		if st, _ := a.st.FileState(ctx, ref.Hash); st.Where != store.FileOnHub {
			t.Fatalf("%s on the sending device after the restore: %+v", ref.Name, st)
		}
	}
}
