package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgtest/pghub"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// fileHub is a hub over HTTP with two organizations and one enrolled
// device in each.
type fileHub struct {
	hub        *Hub
	dir        string
	srv        *httptest.Server
	orgA, orgB string
	a, b       *fileClient
}

func newFileHub(t testing.TB, opts Options) *fileHub {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	opts.Logger = slog.New(slog.DiscardHandler)
	h, err := openTest(t, ctx, dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	f := &fileHub{hub: h, dir: dir, srv: httptest.NewServer(h.Handler())}
	t.Cleanup(func() { f.srv.Close(); h.Close() })
	if f.orgA, err = h.AddOrg(ctx, "Org A", "MW"); err != nil {
		t.Fatal(err)
	}
	if f.orgB, err = h.AddOrg(ctx, "Org B", "KE"); err != nil {
		t.Fatal(err)
	}
	f.a = &fileClient{t: t, url: f.srv.URL, token: enrollIn(t, h, f.orgA, "dev-a")}
	f.b = &fileClient{t: t, url: f.srv.URL, token: enrollIn(t, h, f.orgB, "dev-b")}
	return f
}

func enrollIn(t testing.TB, h *Hub, org, device string) string {
	t.Helper()
	ctx := context.Background()
	code, err := h.NewEnrollCode(ctx, org, RoleStaff, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: code, Device: device})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Token
}

// attach writes resource id of org with visibility vis whose "files"
// field refers to data, the way the hub writes every record it applies.
func attach(t testing.TB, h *Hub, id, org, vis string, files ...[]byte) {
	t.Helper()
	refs := make([]protocol.FileRef, len(files))
	for i, data := range files {
		refs[i] = protocol.FileRef{Hash: sum(data), Name: fmt.Sprintf("guide-%d.pdf", i), Size: int64(len(data)), Type: "application/pdf"}
	}
	ctx := context.Background()
	err := h.inTx(ctx, func(tx writeTx) error {
		r, err := loadRecord(ctx, tx, id)
		if err != nil {
			return err
		}
		exists := r != nil
		if !exists {
			r = &record{id: id, entity: model.EntityResource, org: org, body: model.ZeroFields(model.EntityResource), state: map[string]fieldState{}}
		}
		set := func(k string, v any) { b, _ := json.Marshal(v); r.body[k] = b }
		set("visibility", vis)
		set("title", "Guide "+id)
		set("files", refs)
		seq := &sequence{}
		if err := seq.load(ctx, tx); err != nil {
			return err
		}
		r.version = seq.next()
		if err := r.save(ctx, tx, exists); err != nil {
			return err
		}
		return seq.save(ctx, tx)
	})
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// pdf returns n bytes that read as a PDF, different for each seed.
func pdf(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, seed+1))
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	copy(b, "%PDF-1.7\n")
	return b
}

// fileClient speaks the file endpoints as one device.
type fileClient struct {
	t     testing.TB
	url   string
	token string
}

type fileReply struct {
	status int
	header http.Header
	body   []byte
	kind   protocol.Kind
}

func (c *fileClient) do(method, hash, query string, body io.Reader, hdr map[string]string) (fileReply, error) {
	req, err := http.NewRequest(method, c.url+protocol.PathFiles+hash+query, body)
	if err != nil {
		return fileReply{}, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fileReply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fileReply{}, err
	}
	r := fileReply{status: resp.StatusCode, header: resp.Header, body: data}
	if resp.Header.Get("Content-Type") == "application/json" {
		var pe protocol.Error
		_ = json.Unmarshal(data, &pe)
		r.kind = pe.Kind
	}
	return r, nil
}

func (c *fileClient) must(method, hash, query string, body io.Reader, hdr map[string]string) fileReply {
	c.t.Helper()
	r, err := c.do(method, hash, query, body, hdr)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, hash, err)
	}
	return r
}

// head returns the status and X-Received of HEAD.
func (c *fileClient) head(hash string) (int, int64) {
	c.t.Helper()
	r := c.must(http.MethodHead, hash, "", nil, nil)
	n, _ := strconv.ParseInt(r.header.Get(protocol.HeaderReceived), 10, 64)
	return r.status, n
}

// put sends data[off:off+n] of the file data as one chunk.
func (c *fileClient) put(data []byte, off, n int) fileReply {
	c.t.Helper()
	chunk := data[off : off+n]
	return c.must(http.MethodPut, sum(data), "?offset="+strconv.Itoa(off), bytes.NewReader(chunk),
		map[string]string{protocol.HeaderSize: strconv.Itoa(len(data)), protocol.HeaderChunkSHA256: sum(chunk)})
}

// upload sends data from offset from in chunks of size chunk and returns
// the last fileReply.
func (c *fileClient) upload(data []byte, from, chunk int) fileReply {
	c.t.Helper()
	var r fileReply
	for off := from; off < len(data) || off == 0; off += chunk {
		r = c.put(data, off, min(chunk, len(data)-off))
		if r.status != http.StatusNoContent {
			return r
		}
		if len(data) == 0 {
			break
		}
	}
	return r
}

// download reads the whole file by ranges of chunk bytes, checking each
// chunk's hash header.
func (c *fileClient) download(hash string, chunk int) ([]byte, fileReply) {
	c.t.Helper()
	var out []byte
	for {
		r := c.must(http.MethodGet, hash, "", nil, map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", len(out), len(out)+chunk-1)})
		if r.status != http.StatusPartialContent {
			return out, r
		}
		if got := r.header.Get(protocol.HeaderChunkSHA256); got != sum(r.body) {
			c.t.Fatalf("chunk at %d: header hash %s, bytes hash %s", len(out), got, sum(r.body))
		}
		out = append(out, r.body...)
		size, _ := strconv.Atoi(r.header.Get(protocol.HeaderSize))
		if len(out) >= size {
			return out, r
		}
	}
}

// cutReader gives n bytes, then fails: a link cut mid-request.
type cutReader struct {
	r io.Reader
	n int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("link cut")
	}
	p = p[:min(len(p), c.n)]
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

func TestFileUploadResumesAfterCutAndDownloadsByRange(t *testing.T) {
	t.Parallel()
	f := newFileHub(t, Options{})
	data := pdf(3<<20+12345, 1)
	hash := sum(data)
	attach(t, f.hub, "res-1", f.orgA, model.VisibilityOrg, data)
	const chunk = 256 << 10

	// Five chunks, then the link is cut in the middle of the sixth.
	for off := 0; off < 5*chunk; off += chunk {
		if r := f.a.put(data, off, chunk); r.status != http.StatusNoContent || r.header.Get(protocol.HeaderReceived) != strconv.Itoa(off+chunk) {
			t.Fatalf("chunk at %d: %d %s %v", off, r.status, r.body, r.header)
		}
	}
	sixth := data[5*chunk : 6*chunk]
	_, err := f.a.do(http.MethodPut, hash, "?offset="+strconv.Itoa(5*chunk), &cutReader{r: bytes.NewReader(sixth), n: chunk / 2},
		map[string]string{protocol.HeaderSize: strconv.Itoa(len(data)), protocol.HeaderChunkSHA256: sum(sixth), "Content-Length": strconv.Itoa(chunk)})
	if err == nil {
		t.Fatal("cut request did not fail")
	}
	// The hub kept the five whole chunks and nothing of the cut one.
	if st, n := f.a.head(hash); st != http.StatusOK || n != 5*chunk {
		t.Fatalf("HEAD after cut: %d received %d, want 200 and %d", st, n, 5*chunk)
	}

	t.Run("corrupt chunk refused", func(t *testing.T) {
		bad := bytes.Clone(sixth)
		bad[100] ^= 0xff
		r := f.a.must(http.MethodPut, hash, "?offset="+strconv.Itoa(5*chunk), bytes.NewReader(bad),
			map[string]string{protocol.HeaderSize: strconv.Itoa(len(data)), protocol.HeaderChunkSHA256: sum(sixth)})
		if r.status != http.StatusBadRequest || r.kind != protocol.KindInvalid || !strings.Contains(string(r.body), "nothing was kept") {
			t.Fatalf("corrupt chunk: %d %s", r.status, r.body)
		}
		if _, n := f.a.head(hash); n != 5*chunk {
			t.Fatalf("corrupt chunk changed received to %d", n)
		}
	})
	t.Run("wrong offset is 409 with received", func(t *testing.T) {
		for _, off := range []int{0, 4 * chunk, 6 * chunk} {
			r := f.a.put(data, off, chunk)
			if r.status != http.StatusConflict || r.kind != protocol.KindConflict || r.header.Get(protocol.HeaderReceived) != strconv.Itoa(5*chunk) {
				t.Fatalf("offset %d: %d %s received %q", off, r.status, r.body, r.header.Get(protocol.HeaderReceived))
			}
		}
	})
	t.Run("not readable before complete", func(t *testing.T) {
		if r := f.a.must(http.MethodGet, hash, "", nil, nil); r.status != http.StatusNotFound {
			t.Fatalf("GET of a partial file: %d %s", r.status, r.body)
		}
	})

	// Resume from what HEAD says.
	_, from := f.a.head(hash)
	if r := f.a.upload(data, int(from), chunk); r.status != http.StatusNoContent || r.header.Get(protocol.HeaderSize) != strconv.Itoa(len(data)) {
		t.Fatalf("resumed upload: %d %s %v", r.status, r.body, r.header)
	}
	if r := f.a.must(http.MethodHead, hash, "", nil, nil); r.header.Get(protocol.HeaderSize) != strconv.Itoa(len(data)) {
		t.Fatalf("HEAD of complete file: %v", r.header)
	}

	for _, size := range []int{64 << 10, protocol.MaxChunk} {
		got, last := f.a.download(hash, size)
		if !bytes.Equal(got, data) {
			t.Fatalf("download in %d-byte ranges: %d bytes, want %d identical (last %d %s)", size, len(got), len(data), last.status, last.body)
		}
	}
	t.Run("ranges", func(t *testing.T) {
		cases := []struct {
			rng    string
			status int
			want   []byte
		}{
			{"bytes=10-19", 206, data[10:20]},
			{"bytes=100-", 206, data[100 : 100+protocol.MaxChunk]},
			{"bytes=0-99999999", 206, data[:protocol.MaxChunk]},
			{fmt.Sprintf("bytes=%d-", len(data)-5), 206, data[len(data)-5:]},
			{fmt.Sprintf("bytes=%d-", len(data)), 416, nil},
			{"bytes=5-1", 400, nil},
			{"bytes=0-1,5-9", 400, nil},
			{"items=0-1", 400, nil},
		}
		for _, c := range cases {
			r := f.a.must(http.MethodGet, hash, "", nil, map[string]string{"Range": c.rng})
			if r.status != c.status || (c.want != nil && !bytes.Equal(r.body, c.want)) {
				t.Errorf("Range %s: %d (%d bytes), want %d (%d bytes)", c.rng, r.status, len(r.body), c.status, len(c.want))
			}
		}
	})
}

// forbiddenBody is a 403's body with the hash asked for taken out, so
// that two answers can be compared.
func forbiddenBody(r fileReply, hash string) string {
	return fmt.Sprintf("%d %s %s", r.status, r.header.Get(protocol.HeaderReceived), strings.ReplaceAll(string(r.body), hash, "HASH"))
}

func TestFileVisibilityFollowsTheRecord(t *testing.T) {
	t.Parallel()
	f := newFileHub(t, Options{})
	private, shared, absent := pdf(200<<10, 2), pdf(100<<10, 3), pdf(1000, 4)
	attach(t, f.hub, "res-private", f.orgA, model.VisibilityOrg, private)
	attach(t, f.hub, "res-shared", f.orgA, model.VisibilityNetwork, shared)
	for _, d := range [][]byte{private, shared} {
		if r := f.a.upload(d, 0, 64<<10); r.status != http.StatusNoContent {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
	}
	// What another organization's device gets for a file the hub does
	// not hold and nobody refers to: the reference answer.
	ref := map[string]string{}
	for _, m := range []string{http.MethodHead, http.MethodGet, http.MethodPut} {
		ref[m] = forbiddenBody(f.b.must(m, sum(absent), "?offset=0", bytes.NewReader(absent),
			map[string]string{protocol.HeaderSize: "1000", protocol.HeaderChunkSHA256: sum(absent)}), sum(absent))
	}
	cases := []struct {
		name   string
		c      *fileClient
		data   []byte
		method string
		status int
	}{
		{"own private: read", f.a, private, http.MethodGet, 206},
		{"own private: head", f.a, private, http.MethodHead, 200},
		{"network shared: read by other org", f.b, shared, http.MethodGet, 206},
		// HEAD is the upload status of the device's organization.
		{"network shared: head by other org", f.b, shared, http.MethodHead, 403},
		{"other org's private: read", f.b, private, http.MethodGet, 403},
		{"other org's private: head", f.b, private, http.MethodHead, 403},
		{"other org's private: upload", f.b, private, http.MethodPut, 403},
		{"network shared: upload by other org", f.b, shared, http.MethodPut, 403},
		{"absent: read", f.b, absent, http.MethodGet, 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hash := sum(c.data)
			r := c.c.must(c.method, hash, "?offset=0", bytes.NewReader(c.data[:1000]),
				map[string]string{protocol.HeaderSize: strconv.Itoa(len(c.data)), protocol.HeaderChunkSHA256: sum(c.data[:1000]), "Range": "bytes=0-999"})
			if r.status != c.status {
				t.Fatalf("%s: %d %s, want %d", c.method, r.status, r.body, c.status)
			}
			if c.status == 403 {
				if got := forbiddenBody(r, hash); got != ref[c.method] {
					t.Fatalf("a held file's refusal differs from an absent one's:\n%s\n%s", got, ref[c.method])
				}
				if c.method != http.MethodHead && r.kind != protocol.KindForbidden {
					t.Fatalf("kind %q", r.kind)
				}
			}
		})
	}
	t.Run("made private mid-download", func(t *testing.T) {
		hash := sum(shared)
		if r := f.b.must(http.MethodGet, hash, "", nil, map[string]string{"Range": "bytes=0-65535"}); r.status != 206 {
			t.Fatalf("first chunk: %d", r.status)
		}
		attach(t, f.hub, "res-shared", f.orgA, model.VisibilityOrg, shared)
		if r := f.b.must(http.MethodGet, hash, "", nil, map[string]string{"Range": "bytes=65536-131071"}); r.status != 403 {
			t.Fatalf("next chunk after the record went private: %d", r.status)
		}
		if r := f.a.must(http.MethodGet, hash, "", nil, map[string]string{"Range": "bytes=65536-131071"}); r.status != 206 {
			t.Fatalf("owner's next chunk: %d", r.status)
		}
	})
	t.Run("deleted record refers to nothing", func(t *testing.T) {
		ctx := context.Background()
		err := f.hub.inTx(ctx, func(tx writeTx) error {
			r, err := loadRecord(ctx, tx, "res-private")
			if err != nil {
				return err
			}
			r.body["deleted"] = json.RawMessage("1")
			return r.save(ctx, tx, true)
		})
		if err != nil {
			t.Fatal(err)
		}
		if r := f.a.must(http.MethodGet, sum(private), "", nil, nil); r.status != 403 {
			t.Fatalf("file of a deleted record: %d", r.status)
		}
	})
}

func TestFileLimitsQuotaAndType(t *testing.T) {
	t.Parallel()
	f := newFileHub(t, Options{MaxFileSize: 300 << 10, OrgQuota: 500 << 10})
	big, first, second := pdf(301<<10, 5), pdf(300<<10, 6), pdf(250<<10, 7)
	page := append([]byte("<!DOCTYPE html><html><script>alert(1)</script>"), pdf(5000, 8)[9:]...)
	attach(t, f.hub, "res-1", f.orgA, model.VisibilityOrg, big, first, second, page)

	if r := f.a.put(big, 0, 64<<10); r.status != 413 || r.kind != protocol.KindTooLarge || !strings.Contains(string(r.body), "larger than this hub takes") {
		t.Fatalf("file over the limit: %d %s", r.status, r.body)
	}
	if r := f.a.upload(first, 0, 64<<10); r.status != 204 {
		t.Fatalf("first file: %d %s", r.status, r.body)
	}
	if r := f.a.put(second, 0, 64<<10); r.status != 413 || !strings.Contains(string(r.body), "quota") {
		t.Fatalf("file over the quota: %d %s", r.status, r.body)
	}
	if _, n := f.a.head(sum(second)); n != 0 {
		t.Fatalf("refused file kept %d bytes", n)
	}
	r := f.a.upload(page, 0, 64<<10)
	if r.status != http.StatusUnsupportedMediaType || !strings.Contains(string(r.body), "cannot be attached") {
		t.Fatalf("HTML page: %d %s", r.status, r.body)
	}
	if _, n := f.a.head(sum(page)); n != 0 {
		t.Fatalf("refused type kept %d bytes", n)
	}
	u, err := f.hub.blobs.Usage(context.Background())
	if err != nil || u.Files != 1 || u.Bytes != int64(len(first)) || u.Partial != 0 {
		t.Fatalf("usage %+v %v: want only the first file", u, err)
	}
}

func TestFileFullDiskKeepsWhatItHad(t *testing.T) {
	t.Parallel()
	f := newFileHub(t, Options{})
	kept, data := pdf(100<<10, 9), pdf(200<<10, 10)
	attach(t, f.hub, "res-1", f.orgA, model.VisibilityOrg, kept, data)
	if r := f.a.upload(kept, 0, 64<<10); r.status != 204 {
		t.Fatal(r.status)
	}
	if r := f.a.put(data, 0, 64<<10); r.status != 204 {
		t.Fatal(r.status)
	}
	// The disk fills: the upload's next write goes to a device that is
	// always full, or PostgreSQL answers as it does when its disk is full.
	full, room := fillDisk(t, f.hub, Upload{Hash: sum(data), By: UploaderOf(f.orgA)})
	full()
	r := f.a.put(data, 64<<10, 64<<10)
	if r.status != http.StatusInsufficientStorage || !strings.Contains(string(r.body), "disk is full") {
		t.Fatalf("full disk: %d %s", r.status, r.body)
	}
	if _, n := f.a.head(sum(data)); n != 64<<10 {
		t.Fatalf("after a full disk the hub counts %d bytes, want %d", n, 64<<10)
	}
	// Room again: the upload goes on from where it was.
	room()
	if r := f.a.upload(data, 64<<10, 64<<10); r.status != 204 {
		t.Fatalf("after room was made: %d %s", r.status, r.body)
	}
	for _, d := range [][]byte{kept, data} {
		if got, _ := f.a.download(sum(d), protocol.MaxChunk); !bytes.Equal(got, d) {
			t.Fatal("a file changed")
		}
	}
}

func TestFileStoredOnceForTwoOrganizations(t *testing.T) {
	t.Parallel()
	f := newFileHub(t, Options{})
	data := pdf(150<<10, 11)
	attach(t, f.hub, "res-a", f.orgA, model.VisibilityOrg, data)
	attach(t, f.hub, "res-b", f.orgB, model.VisibilityOrg, data)
	if r := f.a.upload(data, 0, 64<<10); r.status != 204 {
		t.Fatal(r.status)
	}
	// B's device does not find it whole: B shows it has the file by
	// sending it, and the hub keeps one copy.
	if _, n := f.b.head(sum(data)); n != 0 {
		t.Fatalf("B's HEAD: %d bytes received before B sent any", n)
	}
	if r := f.b.upload(data, 0, 64<<10); r.status != 204 || r.header.Get(protocol.HeaderSize) != strconv.Itoa(len(data)) {
		t.Fatalf("B's upload of a held file: %d %s", r.status, r.body)
	}
	if r := f.b.put(data, 0, 64<<10); r.status != 204 || r.header.Get(protocol.HeaderSize) != strconv.Itoa(len(data)) {
		t.Fatalf("B's chunk again after it sent the file: %d %s", r.status, r.body)
	}
	for _, c := range []*fileClient{f.a, f.b} {
		if got, _ := c.download(sum(data), protocol.MaxChunk); !bytes.Equal(got, data) {
			t.Fatal("download differs")
		}
	}
	u, err := f.hub.blobs.Usage(context.Background())
	if err != nil || u.Files != 1 || u.Bytes != int64(len(data)) || u.Partial != 0 {
		t.Fatalf("usage %+v %v: want one file", u, err)
	}
	for _, org := range []string{f.orgA, f.orgB} {
		if n, err := f.hub.orgUsage(context.Background(), org); err != nil || n != int64(len(data)) {
			t.Fatalf("quota use of %s: %d %v", org, n, err)
		}
	}
}

func TestFileBackupAndRestoreKeepFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFileHub(t, Options{})
	one, two := pdf(1<<20+7, 12), pdf(10, 13)
	attach(t, f.hub, "res-1", f.orgA, model.VisibilityNetwork, one, two)
	for _, d := range [][]byte{one, two} {
		if r := f.a.upload(d, 0, 256<<10); r.status != 204 {
			t.Fatal(r.status)
		}
	}
	backup := filepath.Join(t.TempDir(), "hub-backup.db")
	if err := f.hub.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := f.hub.Backup(ctx, backup); err == nil {
		t.Fatal("a second backup over the first succeeded")
	}
	dir := t.TempDir()
	if _, err := RestoreInto(ctx, dir, Options{Postgres: pghub.Config(t, dir)}, backup); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	h, err := openTest(t, ctx, dir, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	b := &fileClient{t: t, url: srv.URL, token: f.b.token}
	for _, d := range [][]byte{one, two} {
		if got, r := b.download(sum(d), protocol.MaxChunk); !bytes.Equal(got, d) {
			t.Fatalf("restored hub: %d bytes of %d (%d %s)", len(got), len(d), r.status, r.body)
		}
	}
}

func TestFileRefsBackfilledFromEarlierRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	h, err := openTest(t, ctx, dir, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	org, err := h.AddOrg(ctx, "Org", "MW")
	if err != nil {
		t.Fatal(err)
	}
	attach(t, h, "res-1", org, model.VisibilityNetwork, pdf(10, 1), pdf(20, 2))
	// As a hub before the index: the records, no index.
	if _, err := h.writer.ExecContext(ctx, "DELETE FROM file_refs"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.writer.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", metaFileRefsIndex); err != nil {
		t.Fatal(err)
	}
	h.Close()
	if h, err = openTest(t, ctx, dir, Options{Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if got := rowsText(t, h, "SELECT record_id, hash, CASE WHEN org_id = '"+org+"' THEN 1 ELSE 0 END, visibility, size FROM file_refs ORDER BY size"); got !=
		fmt.Sprintf("res-1 %s 1 network 10\nres-1 %s 1 network 20\n", sum(pdf(10, 1)), sum(pdf(20, 2))) {
		t.Fatalf("file_refs after backfill:\n%s", got)
	}
}

func TestFileRefsOfField(t *testing.T) {
	t.Parallel()
	h := strings.Repeat("ab", 32)
	ref := `{"hash":"` + h + `","name":"a.pdf","size":5,"type":"application/pdf"}`
	cases := []struct {
		name string
		body map[string]json.RawMessage
		want int
	}{
		{"list", map[string]json.RawMessage{"files": json.RawMessage("[" + ref + "," + ref + "]")}, 2},
		{"one on a comment", map[string]json.RawMessage{"file": json.RawMessage(ref)}, 1},
		{"list as a string", map[string]json.RawMessage{"files": json.RawMessage(strconvQuote("[" + ref + "]"))}, 1},
		{"empty", map[string]json.RawMessage{"files": json.RawMessage(`[]`), "file": json.RawMessage(`null`)}, 0},
		{"bad hash left out", map[string]json.RawMessage{"files": json.RawMessage(`[{"hash":"ABC","size":1}]`)}, 0},
		{"negative size left out", map[string]json.RawMessage{"file": json.RawMessage(`{"hash":"` + h + `","size":-1}`)}, 0},
		{"garbage", map[string]json.RawMessage{"files": json.RawMessage(`[{`)}, 0},
	}
	for _, c := range cases {
		if got := fileRefsOf(c.body); len(got) != c.want {
			t.Errorf("%s: %d refs, want %d", c.name, len(got), c.want)
		}
	}
}

// fillDisk returns functions that make the next write of upload up fail
// as on a full disk, and make room again: on SQLite the upload's partial
// file becomes /dev/full; on PostgreSQL a trigger on the chunks' table
// raises PostgreSQL's own disk_full error.
func fillDisk(t *testing.T, h *Hub, up Upload) (full, room func()) {
	t.Helper()
	ctx := context.Background()
	if h.pg {
		exec := func(q string) {
			t.Helper()
			if _, err := h.writer.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		exec(`CREATE FUNCTION disk_is_full() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$`)
		return func() {
				exec("CREATE TRIGGER disk_is_full BEFORE INSERT OR UPDATE ON blob_chunks FOR EACH ROW EXECUTE FUNCTION disk_is_full()")
			},
			func() { exec("DROP TRIGGER disk_is_full ON blob_chunks") }
	}
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("no /dev/full: %v", err)
	}
	part := h.blobs.(*DirStore).partial(up)
	return func() {
			if err := os.Rename(part, part+".saved"); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/dev/full", part); err != nil {
				t.Fatal(err)
			}
		}, func() {
			if err := os.Rename(part+".saved", part); err != nil {
				t.Fatal(err)
			}
		}
}
