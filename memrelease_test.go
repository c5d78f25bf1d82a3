package main

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Memory the app let go of goes back to the operating system at the next
// tick, and the loop ends with its context.
func TestReleaseMemoryReturnsFreedHeap(t *testing.T) {
	var before runtime.MemStats
	junk := make([][]byte, 64)
	for i := range junk {
		junk[i] = make([]byte, 1<<20)
		junk[i][0] = 1
	}
	runtime.ReadMemStats(&before)
	junk = nil
	runtime.KeepAlive(junk)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		releaseMemory(ctx, 20*time.Millisecond)
	}()
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
