package desktop

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Memory the app let go of goes back to the operating system once the
// resident memory has grown, and the loop ends with its context.
func TestReleaseMemoryReturnsFreedHeap(t *testing.T) {
	if _, ok := residentNow(); !ok {
		t.Skip("resident memory cannot be read here")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		releaseMemory(ctx, 20*time.Millisecond, 8<<20)
	}()
	time.Sleep(100 * time.Millisecond) // past the first hand-back

	var before runtime.MemStats
	junk := make([][]byte, 64)
	for i := range junk {
		junk[i] = make([]byte, 1<<20)
		for j := 0; j < len(junk[i]); j += 4096 {
			junk[i][j] = 1 // make the pages resident
		}
	}
	runtime.ReadMemStats(&before)
	junk = nil
	runtime.KeepAlive(junk)

	deadline := time.Now().Add(5 * time.Second)
	var after runtime.MemStats
	for time.Now().Before(deadline) {
		time.Sleep(30 * time.Millisecond)
		runtime.ReadMemStats(&after)
		if after.HeapReleased >= before.HeapReleased+32<<20 {
			break
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("releaseMemory did not stop with its context")
	}
	if got := (int64(after.HeapReleased) - int64(before.HeapReleased)) >> 20; got < 32 {
		t.Errorf("released %d MiB of the 64 MiB let go, want at least 32", got)
	}
}

// The app hands memory back at the first check, after its resident memory
// has grown by the threshold over its lowest since the last time, and every releaseEvery
// checks, also where it cannot read its resident memory.
func TestReleaseOnlyAfterGrowth(t *testing.T) {
	rss, readable, releases := int64(100<<20), true, 0
	r := &releaser{
		growth:   4 << 20,
		resident: func() (int64, bool) { return rss, readable },
		release:  func() { releases++; rss -= 2 << 20 },
		base:     -1,
	}
	steps := []struct {
		what string
		rss  int64
		ok   bool
		want int
	}{
		{"first check", 100 << 20, true, 1}, // hands back; 98 MiB after
		{"no growth", 98 << 20, true, 1},
		{"3 MiB of growth", 101 << 20, true, 1},
		{"4 MiB of growth", 102 << 20, true, 2}, // 100 MiB after
		{"shrunk", 90 << 20, true, 2},
		{"grown from 90 to 93.9", 93<<20 + 900<<10, true, 2},
		{"grown to 94", 94 << 20, true, 3},
	}
	for _, s := range steps {
		rss, readable = s.rss, s.ok
		r.tick()
		if releases != s.want {
			t.Fatalf("%s: %d hand-backs, want %d", s.what, releases, s.want)
		}
	}
	// Checks 8 to 27 cannot read the resident memory: 10 and 20 hand back.
	readable = false
	for range 20 {
		r.tick()
	}
	if releases != 5 {
		t.Fatalf("after 20 checks unable to read memory: %d hand-backs in all, want 5", releases)
	}
	// Checks 28 to 30 read it again without growth: 30 hands back.
	readable = true
	for range 3 {
		r.tick()
	}
	if releases != 6 {
		t.Fatalf("after the 30th check: %d hand-backs in all, want 6", releases)
	}
}
