package desktop

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"
)

const (
	// releaseCheck is how often the window app looks at its resident
	// memory, a read of one small /proc file.
	releaseCheck = time.Second
	// releaseGrowth is how much the resident memory may grow over its
	// lowest since the last hand-back before the app hands memory back
	// again.
	releaseGrowth = 4 << 20
	// releaseEvery is how many checks apart the app hands memory back in
	// any case: memory that was in use at the last hand-back and has been
	// let go of since (a screen closed, rows scrolled past) does not make
	// the resident memory grow.
	releaseEvery = 10
)

// releaseMemory runs until ctx ends, returning to the operating system the
// memory the app has freed: the Go heap's free pages (debug.FreeOSMemory,
// which collects first) and, on Linux, the C library's free pages, where
// the OpenGL driver keeps the text textures Fyne let go of. It does so at
// the first check (after start-up); whenever the resident memory has grown
// by growth over its lowest since the last time, so a burst of work such as
// scrolling through thousands of activities is handed back within a second
// or so; and every releaseEvery checks. Without it the window's footprint
// stays at its peak for the rest of the day. A hand-back costs a collection
// of the window's heap, a few milliseconds.
func releaseMemory(ctx context.Context, check time.Duration, growth int64) {
	releaseWhenGrown(ctx, check, growth, residentNow, handBackMemory)
}

// releaseWhenGrown is releaseMemory with the resident-memory reading and
// the hand-back passed in.
func releaseWhenGrown(ctx context.Context, check time.Duration, growth int64, resident func() (int64, bool), release func()) {
	r := &releaser{growth: growth, resident: resident, release: release, base: -1}
	every(ctx, check, r.tick)
}

// releaser decides, at each check, whether to hand memory back.
type releaser struct {
	growth   int64
	resident func() (int64, bool)
	release  func()
	base     int64 // lowest resident memory since the last hand-back; -1 if unknown
	ticks    int
}

func (r *releaser) tick() {
	r.ticks++
	rss, ok := r.resident()
	if ok && rss < r.base {
		r.base = rss // growth counts from the lowest point since
	}
	grown := ok && r.base >= 0 && rss-r.base >= r.growth
	if r.ticks > 1 && !grown && r.ticks%releaseEvery != 0 {
		return
	}
	r.release()
	if r.base, ok = r.resident(); !ok {
		r.base = -1
	}
}

// handBackMemory returns freed memory of the Go heap and of the C library.
func handBackMemory() {
	debug.FreeOSMemory()
	trimCHeap()
}

// residentNow returns the process's resident set size; false where it
// cannot be read (not Linux).
func residentNow() (int64, bool) {
	rss, _, _, _ := residentBytes()
	return rss, rss > 0
}

// residentBytes reads the process's resident set size, its anonymous and
// file-backed parts, and its peak so far (Linux; zeros elsewhere).
func residentBytes() (total, anon, file, peak int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, 0, 0
	}
	read := func(rest string) int64 {
		var kb int64
		fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
		return kb * 1024
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			total = read(rest)
		} else if rest, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			anon = read(rest)
		} else if rest, ok := strings.CutPrefix(line, "RssFile:"); ok {
			file = read(rest)
		} else if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak = read(rest)
		}
	}
	return total, anon, file, peak
}
