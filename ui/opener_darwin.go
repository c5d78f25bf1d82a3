//go:build darwin

package ui

import "os/exec"

// systemOpenCommand returns the command that opens path with the program
// macOS uses for its type.
func systemOpenCommand(path string) *exec.Cmd { return exec.Command("open", path) }
