package main

import (
	"context"
	"runtime/debug"
	"time"
)

// releaseInterval is how often the window app hands memory it no longer
// uses back to the operating system.
const releaseInterval = 10 * time.Second

// releaseMemory runs until ctx ends, every interval returning to the
// operating system the memory the app has freed: the Go heap's free pages
// (debug.FreeOSMemory, which collects first) and, on Linux, the C
// library's free pages, where the OpenGL driver keeps the text textures
// Fyne let go of. Without it a burst of work, such as scrolling through
// thousands of activities, leaves the window's footprint at its peak for
// the rest of the day. A collection of the window's heap takes a few
// milliseconds.
func releaseMemory(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func() {
		debug.FreeOSMemory()
		trimCHeap()
	})
}
