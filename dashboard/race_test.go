//go:build race

package dashboard

// raceFactor scales memory limits in tests: the race detector roughly
// triples every allocation.
const raceFactor = 4
