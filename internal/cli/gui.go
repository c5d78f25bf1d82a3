package cli

import (
	"context"
	"flag"
	"io"

	"github.com/a20-network/fieldbook/internal/desktop"
)

// runGUI opens the app window and returns once it is closed. Builds with
// the fieldbook_tools tag add the measuring and screenshot flags
// ([desktop.ToolFlags]); the app people run has none.
func runGUI(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	tool := desktop.ToolFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return desktop.Run(ctx, desktop.Config{DataDir: cfg.dataDir, Lang: cfg.lang, Version: cfg.version, Out: out, Tool: tool()})
}
