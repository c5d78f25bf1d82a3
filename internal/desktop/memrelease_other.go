//go:build !linux || !cgo

package desktop

// trimCHeap does nothing where the C library has no malloc_trim; the
// Windows heap returns free pages on its own.
func trimCHeap() {}
