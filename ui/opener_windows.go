//go:build windows

package ui

import "os/exec"

// systemOpenCommand returns the command that opens path with the program
// Windows uses for its type (the shell's file protocol handler; "start"
// would need cmd.exe and its quoting).
func systemOpenCommand(path string) *exec.Cmd {
	return exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
}
