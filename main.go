// Command fieldbook is the Fieldbook desktop app: with no subcommand it
// opens the window, with one it runs headless (`fieldbook --help` lists
// them). The command line lives in internal/cli, the window's start-up in
// internal/desktop; this file only hands over.
package main

import (
	// Initialized before Fyne's packages: it settles the environment
	// variables Fyne reads as it initializes (see its documentation).
	// Keep it first, and keep it here, in the program's own package.
	_ "github.com/a20-network/fieldbook/internal/earlyenv"

	"os"

	"github.com/a20-network/fieldbook/internal/cli"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "0.1.0-dev"

func main() {
	os.Exit(cli.Run(Version, os.Args[1:], os.Stdout, os.Stderr))
}
