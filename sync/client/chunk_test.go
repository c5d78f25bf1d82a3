package client

import (
	"log/slog"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// TestChunkKeepsToTheLinksPace feeds the chunk size's adaptation the
// times chunks take on links of several speeds (bytes per second, and a
// round trip of latency each): the chunks grow to what the link moves in
// [ChunkTime] and no further, up to [protocol.MaxChunk]; a file's small
// last chunk does not make the link look slow; a failure halves the size.
func TestChunkKeepsToTheLinksPace(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		rate    float64 // bytes per second
		latency time.Duration
		// settle is the size the chunks settle at, within 15 %.
		settle int
	}{
		{"2G, 5 KB/s", 5000, 600 * time.Millisecond, 8 * 5000 * 85 / 100},
		{"EDGE, 20 KB/s", 20000, 300 * time.Millisecond, 8 * 20000 * 95 / 100},
		{"3G, 64 KB/s", 64000, 300 * time.Millisecond, 8 * 64000 * 95 / 100},
		{"broadband, 1 MB/s", 1 << 20, 50 * time.Millisecond, protocol.MaxChunk},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := New(nil, Options{Logger: slog.New(slog.DiscardHandler)})
			e.chunk = StartChunk
			took := func(n int) time.Duration {
				return c.latency + time.Duration(float64(n)/c.rate*float64(time.Second))
			}
			largest := 0
			for range 30 {
				n := e.chunkSize()
				largest = max(largest, n)
				e.adaptChunk(true, n, took(n))
			}
			// A file's last chunk of 2 KB.
			e.adaptChunk(true, 2<<10, took(2<<10))
			got := e.chunkSize()
			if d := float64(got-c.settle) / float64(c.settle); d < -0.15 || d > 0.15 {
				t.Fatalf("chunks settle at %d bytes, want about %d", got, c.settle)
			}
			if limit := max(int(c.rate*ChunkTime.Seconds()), MinChunk); largest > limit && largest > StartChunk {
				t.Fatalf("a chunk of %d bytes, more than the %d the link moves in %v", largest, limit, ChunkTime)
			}
			e.adaptChunk(false, 0, 0)
			if after := e.chunkSize(); after != max(got/2, MinChunk) {
				t.Fatalf("after a failure: %d, want %d", after, max(got/2, MinChunk))
			}
		})
	}
}
