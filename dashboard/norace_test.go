//go:build !race

package dashboard

// raceFactor scales memory limits in tests; see race_test.go.
const raceFactor = 1
