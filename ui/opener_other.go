//go:build !windows && !darwin

package ui

import "os/exec"

// systemOpenCommand returns the command that opens path with the program
// the desktop (freedesktop.org's xdg-open) uses for its type.
func systemOpenCommand(path string) *exec.Cmd { return exec.Command("xdg-open", path) }
