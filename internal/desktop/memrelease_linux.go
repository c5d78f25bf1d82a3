//go:build linux && cgo

package desktop

// #include <malloc.h>
import "C"

// trimCHeap returns the C library's free memory to the operating system
// (glibc's malloc_trim).
func trimCHeap() { C.malloc_trim(0) }
