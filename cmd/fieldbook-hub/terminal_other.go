//go:build !linux

package main

import "os"

// isTerminal reports false where echo cannot be turned off: the password is
// then read as one line, like from a script.
func isTerminal(*os.File) bool { return false }

// readHidden is not used where isTerminal is always false.
func readHidden(f *os.File) (string, error) { return readLine(f) }
