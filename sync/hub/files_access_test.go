package hub

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// A device that learns a private file's hash (from a log, a screenshot, a
// former colleague) and names it in a record of its own organization must
// gain nothing: not the bytes, not whether the hub holds the file, not a
// way to share it with the network. Only sending the bytes shows an
// organization has the file.
func TestFileHashAloneGivesNoAccess(t *testing.T) {
	t.Parallel()
	f := newFileHub(t, Options{})
	ctx := context.Background()
	orgC, err := f.hub.AddOrg(ctx, "Org C", "UG")
	if err != nil {
		t.Fatal(err)
	}
	c := &fileClient{t: t, url: f.srv.URL, token: enrollIn(t, f.hub, orgC, "dev-c")}

	secret, absent := pdf(300<<10, 21), pdf(300<<10, 22)
	attach(t, f.hub, "res-a", f.orgA, model.VisibilityOrg, secret)
	if r := f.a.upload(secret, 0, 64<<10); r.status != http.StatusNoContent {
		t.Fatalf("owner's upload: %d %s", r.status, r.body)
	}
	// B names the secret in a private record of its own and in one shared
	// with the network, and an absent file the same way: the reference
	// answers.
	attach(t, f.hub, "res-b", f.orgB, model.VisibilityOrg, secret, absent)
	attach(t, f.hub, "res-b-shared", f.orgB, model.VisibilityNetwork, secret, absent)

	answer := func(c *fileClient, method string, data []byte) string {
		t.Helper()
		r := c.must(method, sum(data), "", nil, map[string]string{"Range": "bytes=0-65535"})
		if r.status == http.StatusPartialContent {
			return "206 with " + strconv.Itoa(len(r.body)) + " bytes of the file"
		}
		return forbiddenBody(r, sum(data)) + " size=" + r.header.Get(protocol.HeaderSize)
	}
	for _, m := range []string{http.MethodHead, http.MethodGet} {
		if got, want := answer(f.b, m, secret), answer(f.b, m, absent); got != want {
			t.Errorf("B's %s of the secret tells more than of an absent file:\n got %s\nwant %s", m, got, want)
		}
		if got, want := answer(c, m, secret), answer(c, m, absent); got != want {
			t.Errorf("C's %s of the secret through B's shared record:\n got %s\nwant %s", m, got, want)
		}
	}
	if r := f.b.must(http.MethodGet, sum(secret), "", nil, nil); r.status == http.StatusPartialContent {
		t.Fatalf("B read %d bytes of A's private file", len(r.body))
	}

	// B's PUT of the first chunk is counted as B's upload, not answered
	// "complete" from A's copy.
	r := f.b.put(secret, 0, 64<<10)
	if r.status != http.StatusNoContent || r.header.Get(protocol.HeaderSize) != "" || r.header.Get(protocol.HeaderReceived) != strconv.Itoa(64<<10) {
		t.Fatalf("B's first chunk of a file A sent: %d received=%s size=%q %s",
			r.status, r.header.Get(protocol.HeaderReceived), r.header.Get(protocol.HeaderSize), r.body)
	}
	if r := f.b.must(http.MethodGet, sum(secret), "", nil, nil); r.status == http.StatusPartialContent {
		t.Fatal("B reads the file after sending part of it")
	}
	// Bytes that are not the file end B's upload with nothing gained.
	forged := bytes.Clone(secret)
	forged[len(forged)-1] ^= 1
	var last fileReply
	for off := 64 << 10; off < len(forged); off += 64 << 10 {
		chunk := forged[off:min(off+64<<10, len(forged))]
		last = f.b.must(http.MethodPut, sum(secret), "?offset="+strconv.Itoa(off), bytes.NewReader(chunk),
			map[string]string{protocol.HeaderSize: strconv.Itoa(len(secret)), protocol.HeaderChunkSHA256: sum(chunk)})
	}
	if last.status != http.StatusBadRequest || !strings.Contains(string(last.body), "do not make the file") {
		t.Fatalf("B's forged bytes: %d %s", last.status, last.body)
	}
	if _, n := f.b.head(sum(secret)); n != 0 {
		t.Fatalf("B's forged upload left %d bytes counted", n)
	}
	if r := f.b.must(http.MethodGet, sum(secret), "", nil, nil); r.status == http.StatusPartialContent {
		t.Fatal("B reads the file after sending other bytes")
	}
	if got, _ := f.a.download(sum(secret), protocol.MaxChunk); !bytes.Equal(got, secret) {
		t.Fatal("A's file changed")
	}

	// Once B sends the real bytes, B has shown it holds the file: its
	// records give access as any record does, and the file is still stored
	// once.
	if r := f.b.upload(secret, 0, 64<<10); r.status != http.StatusNoContent || r.header.Get(protocol.HeaderSize) != strconv.Itoa(len(secret)) {
		t.Fatalf("B's real upload: %d %s", r.status, r.body)
	}
	if got, _ := f.b.download(sum(secret), protocol.MaxChunk); !bytes.Equal(got, secret) {
		t.Fatal("B cannot read the file it sent")
	}
	if got, _ := c.download(sum(secret), protocol.MaxChunk); !bytes.Equal(got, secret) {
		t.Fatal("C cannot read the file B sent and shared")
	}
	u, err := f.hub.blobs.Usage(ctx)
	if err != nil || u.Files != 1 || u.Bytes != int64(len(secret)) || u.Partial != 0 {
		t.Fatalf("usage %+v %v: want the file once and no upload left", u, err)
	}
}

// Two organizations sending the same file at once keep their uploads
// apart: one sending wrong bytes cannot spoil the other's.
func TestFileUploadsOfTwoOrganizationsDoNotMix(t *testing.T) {
	t.Parallel()
	f := newFileHub(t, Options{})
	data := pdf(256<<10, 23)
	attach(t, f.hub, "res-a", f.orgA, model.VisibilityOrg, data)
	attach(t, f.hub, "res-b", f.orgB, model.VisibilityOrg, data)
	if r := f.a.put(data, 0, 64<<10); r.status != http.StatusNoContent {
		t.Fatal(r.status)
	}
	// B starts from 0, not from where A stands.
	if _, n := f.b.head(sum(data)); n != 0 {
		t.Fatalf("B's HEAD says %d bytes received: A's upload shows through", n)
	}
	junk := pdf(256<<10, 24)
	for off := 0; off < len(junk); off += 64 << 10 {
		chunk := junk[off : off+64<<10]
		f.b.must(http.MethodPut, sum(data), "?offset="+strconv.Itoa(off), bytes.NewReader(chunk),
			map[string]string{protocol.HeaderSize: strconv.Itoa(len(data)), protocol.HeaderChunkSHA256: sum(chunk)})
	}
	if _, n := f.a.head(sum(data)); n != 64<<10 {
		t.Fatalf("A's upload stands at %d after B's junk, want %d", n, 64<<10)
	}
	if r := f.a.upload(data, 64<<10, 64<<10); r.status != http.StatusNoContent || r.header.Get(protocol.HeaderSize) == "" {
		t.Fatalf("A's upload after B's junk: %d %s", r.status, r.body)
	}
	if got, _ := f.a.download(sum(data), protocol.MaxChunk); !bytes.Equal(got, data) {
		t.Fatal("A's file differs")
	}
}

// A hub from before file_holders: every organization whose records named
// a held file could read it, and keeps that; nobody gains more.
func TestFileHoldersFromAnEarlierHub(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFileHub(t, Options{})
	if f.hub.pg {
		t.Skip("SQLite's migration 0007: a hub on PostgreSQL has had file_holders from its first migration")
	}
	data, unsent := pdf(100<<10, 25), pdf(100<<10, 26)
	attach(t, f.hub, "res-a", f.orgA, model.VisibilityOrg, data, unsent)
	attach(t, f.hub, "res-b", f.orgB, model.VisibilityOrg, data)
	if r := f.a.upload(data, 0, 64<<10); r.status != http.StatusNoContent {
		t.Fatal(r.status)
	}
	// As a hub from before migration 0007, which has no table of holders,
	// takes it.
	m, err := migrationFS.ReadFile("migrations/0007_file_holders.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TABLE file_holders", string(m)} {
		if _, err := f.hub.writer.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	h := f.hub
	got := rowsText(t, h, "SELECT hash, org_id FROM file_holders ORDER BY org_id")
	var want []string
	for _, org := range []string{f.orgA, f.orgB} {
		want = append(want, sum(data)+" "+org)
	}
	slices.Sort(want)
	if got != strings.Join(want, "\n")+"\n" {
		t.Fatalf("holders after the migration:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	for _, org := range []string{f.orgA, f.orgB} {
		if a, err := h.access(ctx, org, sum(data)); a != fullAccess || err != nil {
			t.Fatalf("%s: access %d %v", org, a, err)
		}
	}
	if a, _ := h.access(ctx, f.orgA, sum(unsent)); a != waitAccess {
		t.Fatalf("unsent file: access %d", a)
	}
}

// An upload nobody adds to for [UploadTTL] is dropped; one written since
// stays, and so do complete files.
func TestForgottenUploadsAreSwept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFileHub(t, Options{})
	whole, forgotten, recent := pdf(100<<10, 27), pdf(200<<10, 28), pdf(200<<10, 29)
	attach(t, f.hub, "res-a", f.orgA, model.VisibilityOrg, whole, forgotten, recent)
	if r := f.a.upload(whole, 0, 64<<10); r.status != http.StatusNoContent {
		t.Fatal(r.status)
	}
	f.a.put(forgotten, 0, 64<<10)
	// The sweep looks at the files' times: age the forgotten upload.
	old := time.Now().Add(-UploadTTL - time.Hour)
	ageUpload(t, f.hub, Upload{Hash: sum(forgotten), By: UploaderOf(f.orgA)}, old)
	f.a.put(recent, 0, 64<<10)
	if err := f.hub.SweepUploads(ctx); err != nil {
		t.Fatal(err)
	}
	if _, n := f.a.head(sum(forgotten)); n != 0 {
		t.Fatalf("forgotten upload still counts %d bytes", n)
	}
	if _, n := f.a.head(sum(recent)); n != 64<<10 {
		t.Fatalf("recent upload counts %d bytes, want %d", n, 64<<10)
	}
	u, err := f.hub.blobs.Usage(ctx)
	if err != nil || u.Files != 1 || u.Partial != 64<<10 {
		t.Fatalf("usage %+v %v", u, err)
	}
	// The device starts the forgotten file again and it arrives whole.
	if r := f.a.upload(forgotten, 0, 64<<10); r.status != http.StatusNoContent || r.header.Get(protocol.HeaderSize) == "" {
		t.Fatalf("upload again: %d %s", r.status, r.body)
	}
}

// A device that has read a shared file to its end has it: its
// organization may attach it to records of its own, and those give access
// after the first record stops sharing it, without the bytes sent back.
func TestFileReadToTheEndIsHeld(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFileHub(t, Options{})
	data := pdf(150<<10, 30)
	attach(t, f.hub, "res-a", f.orgA, model.VisibilityNetwork, data)
	if r := f.a.upload(data, 0, 64<<10); r.status != http.StatusNoContent {
		t.Fatal(r.status)
	}
	// Part of it is not having it.
	f.b.must(http.MethodGet, sum(data), "", nil, map[string]string{"Range": "bytes=0-65535"})
	if _, ok, _ := f.hub.holds(ctx, f.orgB, sum(data)); ok {
		t.Fatal("a first chunk made B a holder")
	}
	if got, _ := f.b.download(sum(data), 64<<10); !bytes.Equal(got, data) {
		t.Fatal("B's download differs")
	}
	attach(t, f.hub, "res-b", f.orgB, model.VisibilityOrg, data)
	attach(t, f.hub, "res-a", f.orgA, model.VisibilityOrg, data)
	b2 := &fileClient{t: t, url: f.srv.URL, token: enrollIn(t, f.hub, f.orgB, "dev-b2")}
	if got, r := b2.download(sum(data), protocol.MaxChunk); !bytes.Equal(got, data) {
		t.Fatalf("B's second device through B's own record: %d %s", r.status, r.body)
	}
	if r := f.b.must(http.MethodHead, sum(data), "", nil, nil); r.header.Get(protocol.HeaderSize) != strconv.Itoa(len(data)) {
		t.Fatalf("B's HEAD: %d %v: B holds it and need not send it", r.status, r.header)
	}
}

// ageUpload makes upload up look last written at when to the sweep: its
// files' times on SQLite's DirStore, its row's on PostgreSQL's PGStore.
func ageUpload(t *testing.T, h *Hub, up Upload, when time.Time) {
	t.Helper()
	if h.pg {
		res, err := h.writer.ExecContext(context.Background(), "UPDATE blob_uploads SET touched = $1 WHERE hash = $2 AND by = $3", when, up.Hash, up.By)
		if n, _ := res.RowsAffected(); err != nil || n != 1 {
			t.Fatalf("age upload: %d rows, %v", n, err)
		}
		return
	}
	part := h.blobs.(*DirStore).partial(up)
	for _, p := range []string{part, part + ".n"} {
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
}
