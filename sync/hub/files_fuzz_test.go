package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// fileFuzzHub is a hub holding a network-shared file of organization A,
// a private one, and a third that A's records refer to but nobody has sent.
type fileFuzzHub struct {
	*fileHub
	shared, private, unsent []byte
}

func newFileFuzzHub(f *testing.F) *fileFuzzHub {
	fx := &fileFuzzHub{fileHub: newFileHub(f, Options{MaxFileSize: 1 << 20, OrgQuota: 4 << 20}),
		shared: pdf(70<<10, 21), private: pdf(5000, 22), unsent: pdf(3000, 23)}
	attach(f, fx.hub, "res-shared", fx.orgA, model.VisibilityNetwork, fx.shared)
	attach(f, fx.hub, "res-private", fx.orgA, model.VisibilityOrg, fx.private, fx.unsent)
	// B has learned the private file's hash and names it in records of
	// its own, one shared with the network.
	attach(f, fx.hub, "res-b", fx.orgB, model.VisibilityOrg, fx.private)
	attach(f, fx.hub, "res-b-shared", fx.orgB, model.VisibilityNetwork, fx.private)
	for _, d := range [][]byte{fx.shared, fx.private} {
		if r := fx.a.upload(d, 0, 64<<10); r.status != http.StatusNoContent {
			f.Fatalf("upload: %d %s", r.status, r.body)
		}
	}
	return fx
}

// hashOf picks the hash a fuzzed request names.
func (fx *fileFuzzHub) hashOf(pick uint8, raw string) string {
	switch pick % 5 {
	case 0:
		return sum(fx.shared)
	case 1:
		return sum(fx.private)
	case 2:
		return sum(fx.unsent)
	case 3:
		return strings.Repeat("0", 64)
	}
	return url.PathEscape(raw)
}

// fuzzHeader reports whether s can travel as a header value.
func fuzzHeader(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r > 0x7e })
}

// checkStore fails if the hub holds a file whole whose bytes are not the
// file its hash names, or an upload past its file's size.
func (fx *fileFuzzHub) checkStore(t *testing.T) {
	ctx := context.Background()
	for _, d := range [][]byte{fx.shared, fx.private, fx.unsent} {
		for _, org := range []string{fx.orgA, fx.orgB} {
			if n, err := fx.hub.blobs.Received(ctx, Upload{Hash: sum(d), By: UploaderOf(org)}); err != nil || n > int64(len(d)) {
				t.Fatalf("store holds %d of %d bytes: %v", n, len(d), err)
			}
		}
		if _, whole, _ := fx.hub.blobs.Held(ctx, sum(d)); whole {
			b, err := fx.hub.blobs.Open(ctx, sum(d))
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, b.Size())
			b.ReadAt(got, 0)
			b.Close()
			if !bytes.Equal(got, d) {
				t.Fatalf("file %s held whole with other bytes", sum(d))
			}
		}
	}
	if _, ok, err := fx.hub.holds(ctx, fx.orgB, sum(fx.private)); ok || err != nil {
		t.Fatalf("B became a holder of A's private file without its bytes (%v)", err)
	}
}

// FuzzFilePut sends arbitrary chunks: offsets, sizes, chunk hashes and
// bodies, by a device of the owning organization or of another. The hub
// answers with a 2xx or a 4xx JSON error, never a 5xx, a panic or a
// hang, and never holds a file whole with bytes other than the file's.
func FuzzFilePut(f *testing.F) {
	fx := newFileFuzzHub(f)
	u := fx.unsent
	f.Add(uint8(2), "", "0", strconv.Itoa(len(u)), "", true, u[:1000], false)
	f.Add(uint8(2), "", "1000", strconv.Itoa(len(u)), "", true, u[1000:], false)
	f.Add(uint8(2), "", "0", strconv.Itoa(len(u)), sum(u[:10]), false, u[:1000], false)
	f.Add(uint8(1), "", "0", "5000", "", true, fx.private[:100], true)
	f.Add(uint8(4), "../../etc/passwd", "0", "1", "", true, []byte("x"), false)
	f.Add(uint8(2), "", "-1", "99999999999999999999", "zz", false, []byte{}, false)
	f.Add(uint8(2), "", "9223372036854775807", "9223372036854775807", "", true, []byte("x"), false)
	f.Fuzz(func(t *testing.T, pick uint8, raw, offset, size, chunkHash string, rightHash bool, body []byte, otherOrg bool) {
		if len(body) > protocol.MaxChunk+10 {
			body = body[:protocol.MaxChunk+10]
		}
		if rightHash {
			s := sha256.Sum256(body)
			chunkHash = hex.EncodeToString(s[:])
		}
		if !fuzzHeader(size) || !fuzzHeader(chunkHash) {
			return
		}
		hash := fx.hashOf(pick, raw)
		c := fx.a
		if otherOrg {
			c = fx.b
		}
		r, err := c.do(http.MethodPut, hash, "?offset="+urlQueryEscape(offset), bytes.NewReader(body),
			map[string]string{protocol.HeaderSize: size, protocol.HeaderChunkSHA256: chunkHash})
		if err != nil {
			return // not a request a client can send
		}
		allowed := []int{204, 400, 403, 404, 405, 409, 413, 415}
		if !slices.Contains(allowed, r.status) {
			t.Fatalf("PUT %q offset %q size %q: status %d %s", hash, offset, size, r.status, r.body)
		}
		if r.status >= 400 && r.status != 404 && r.status != 405 && r.kind == "" {
			t.Fatalf("error reply without a kind: %d %s", r.status, r.body)
		}
		// B's records name only the private file: B may send it (and
		// gains nothing unless its bytes are right, see checkStore), but
		// no other.
		if otherOrg && r.status == 204 && pick%5 != 1 {
			t.Fatalf("another organization's device wrote file %s", hash)
		}
		fx.checkStore(t)
	})
}

// urlQueryEscape keeps a fuzzed offset inside the query.
func urlQueryEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= '0' && c <= '9' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// FuzzFileGet asks for arbitrary ranges of files by a device of the owning
// organization or of another. A 206 carries at most one chunk, the bytes
// its Content-Range names, and their hash; another organization's device
// never reads the private file; never a 5xx, a panic or a hang.
func FuzzFileGet(f *testing.F) {
	fx := newFileFuzzHub(f)
	for _, rng := range []string{"", "bytes=0-99", "bytes=70000-", "bytes=0-99999999", "bytes=71680-", "bytes=-5", "bytes=1-0",
		"bytes=0-1,2-3", "bytes= 1-2", "bytes=99999999999999999999-"} {
		f.Add(uint8(0), "", rng, false)
	}
	f.Add(uint8(1), "", "bytes=0-10", true)
	f.Add(uint8(4), "ZZ", "bytes=0-10", false)
	f.Fuzz(func(t *testing.T, pick uint8, raw, rng string, otherOrg bool) {
		if !fuzzHeader(rng) {
			return
		}
		hash := fx.hashOf(pick, raw)
		c := fx.a
		if otherOrg {
			c = fx.b
		}
		r, err := c.do(http.MethodGet, hash, "", nil, map[string]string{"Range": rng})
		if err != nil {
			return
		}
		switch r.status {
		case 206:
			if otherOrg && pick%5 != 0 {
				t.Fatalf("another organization's device read file %s", hash)
			}
			var start, end, size int64
			if _, err := fmt.Sscanf(r.header.Get("Content-Range"), "bytes %d-%d/%d", &start, &end, &size); err != nil {
				t.Fatalf("Content-Range %q: %v", r.header.Get("Content-Range"), err)
			}
			data := fx.shared
			if pick%5 == 1 {
				data = fx.private
			}
			if len(r.body) > protocol.MaxChunk || end-start+1 != int64(len(r.body)) || !bytes.Equal(r.body, data[start:end+1]) {
				t.Fatalf("Range %q: %d bytes for %d-%d", rng, len(r.body), start, end)
			}
			if r.header.Get(protocol.HeaderChunkSHA256) != sum(r.body) {
				t.Fatal("chunk hash header does not match the bytes")
			}
		case 400, 403, 404, 405, 416:
			if r.kind == "" && r.status != 404 && r.status != 405 {
				t.Fatalf("error reply without a kind: %d %s", r.status, r.body)
			}
		default:
			t.Fatalf("GET %q Range %q: status %d %s", hash, rng, r.status, r.body)
		}
	})
}

// BenchmarkFileUpload sends a 4 MB file to a hub over loopback HTTP in
// chunks of 64 KB and of 1 MB, each chunk verified and made durable, and
// reports the throughput.
func BenchmarkFileUpload(b *testing.B) {
	benchmarkUpload(b, func(b *testing.B) BlobStore { return nil })
}

// BenchmarkPGStoreUpload is [BenchmarkFileUpload] with the hub's files in
// PostgreSQL ([PGStore]): on a server that skips flushing to disk, as the
// tests' servers do, and on one that flushes every commit (fsync=on,
// PostgreSQL's default), which is what DirStore's fsync per chunk
// compares with.
func BenchmarkPGStoreUpload(b *testing.B) {
	durable, err := pgtest.Start(context.Background(), pgtest.Options{Durable: true})
	if err != nil {
		b.Fatal(err)
	}
	defer durable.Stop()
	for _, disk := range []struct {
		name   string
		server *pgtest.Server
	}{{"fsync=off", pgtest.Shared(b)}, {"fsync=on", durable}} {
		b.Run(disk.name, func(b *testing.B) {
			benchmarkUpload(b, func(b *testing.B) BlobStore { return newPGStoreOn(b, disk.server) })
		})
	}
}

// benchmarkUpload measures uploads to a hub whose files newStore keeps
// (nil: the hub's DirStore).
func benchmarkUpload(b *testing.B, newStore func(*testing.B) BlobStore) {
	for _, chunk := range []int{64 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("chunk=%dKB", chunk>>10), func(b *testing.B) {
			fx := newFileHub(b, Options{OrgQuota: 1 << 40, Files: newStore(b)})
			const size = 4 << 20
			var sent int64
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				data := pdf(size, uint64(i)+1000*uint64(chunk))
				attach(b, fx.hub, "res-"+strconv.Itoa(i), fx.orgA, model.VisibilityOrg, data)
				start := time.Now()
				if r := fx.a.upload(data, 0, chunk); r.status != http.StatusNoContent || r.header.Get(protocol.HeaderSize) == "" {
					b.Fatalf("upload: %d %s", r.status, r.body)
				}
				elapsed += time.Since(start)
				sent += size
			}
			b.ReportMetric(float64(sent)/(1<<20)/elapsed.Seconds(), "MB/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}
