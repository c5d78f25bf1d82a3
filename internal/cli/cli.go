// Package cli is the fieldbook command line: the global flags, read into a
// [config], and the subcommands, listed in one table ([commands]) in the
// order `fieldbook --help` shows them. With no subcommand it opens the
// window ([desktop.Run]); the others run headless:
//
//	fieldbook [--data DIR] [--lang TAG]           open the app
//	fieldbook [--data DIR] import FILE.csv        import activities
//	fieldbook [--data DIR] export --format csv --out FILE
//	fieldbook COMMAND --help                      a command's usage and flags
//	fieldbook version
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/a20-network/fieldbook/store"
)

// config is what the global flags say, and the build's version.
type config struct {
	dataDir string
	lang    string
	verbose bool
	version string
}

// command is a subcommand. Its run defines its flags on fs (named after the
// command; Run parses nothing for it), parses args with [parseFlags], writes
// to out and returns an error whose text is printed to standard error. A
// --help among its flags makes run return [flag.ErrHelp], and Run prints the
// command's usage and the flags it defined.
type command struct {
	name string
	// usage is what follows "fieldbook [global flags]" in the usage line.
	usage   string
	summary string
	run     func(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error
}

// commands are the subcommands, in the order help lists them; the first is
// what runs when none is named.
func commands() []command {
	return []command{
		{name: "gui", usage: "gui", summary: "open the app window (the default)", run: runGUI},
		{name: "import", usage: "import [--from-line N] FILE.csv", summary: "import activities from a CSV file", run: runImport},
		{name: "export", usage: "export [--format FMT] --out FILE [--from DATE] [--to DATE]", summary: "export activities or a report", run: runExport},
		{name: "attach", usage: "attach (--activity ID | --resource ID) [--original] FILE...", summary: "attach files to an activity or resource", run: runAttach},
		{name: "files", usage: "files list [--record ID] | files fetch HASH... | files fetch --all", summary: "list attached files, or mark them to download", run: runFiles},
		{name: "enroll", usage: "enroll --hub URL --code CODE", summary: "enroll this device with a hub", run: runEnroll},
		{name: "sync", usage: "sync", summary: "sync with the hub once and print what moved", run: runSync},
		{name: "locales", usage: "locales check [DIR] | locales new TAG | locales merge [DIR]", summary: "translations: check them, start a language, add new English messages", run: runLocales},
		{name: "sample", usage: "sample [--activities N] [--seed N]", summary: "fill the data folder with sample records (for demonstrations)", run: runSample},
		{name: "version", usage: "version", summary: "print the version", run: runVersion},
	}
}

// errUsage marks errors caused by how the command was called; exit status 2.
var errUsage = errors.New("usage")

// Run runs the fieldbook command line with args (without the program's
// name) and returns the exit status: 0 on success or help, 1 when the
// command failed, 2 when it was called wrongly. version is the build's
// version. SIGINT and SIGTERM cancel the running command.
func Run(version string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fieldbook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{version: version}
	fs.StringVar(&cfg.dataDir, "data", "", "data folder (default: fieldbook under the user's configuration folder)")
	fs.StringVar(&cfg.lang, "lang", "", "language tag to use instead of the saved or system one")
	fs.BoolVar(&cfg.verbose, "v", false, "log debug detail")
	table := commands()
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stdout, fs, table)
			return 0
		}
		fmt.Fprintln(stderr, "fieldbook:", err)
		writeUsage(stderr, fs, table)
		return 2
	}
	level := slog.LevelInfo
	if cfg.verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))
	rest := fs.Args()
	if len(rest) == 0 {
		rest = []string{table[0].name}
	}
	c, ok := find(table, rest[0])
	if !ok {
		fmt.Fprintf(stderr, "fieldbook: unknown command %q\n", rest[0])
		writeUsage(stderr, fs, table)
		return 2
	}
	if cfg.dataDir == "" {
		dir, err := store.DefaultDataDir()
		if err != nil {
			fmt.Fprintln(stderr, "fieldbook:", err)
			return 1
		}
		cfg.dataDir = dir
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	cfs.SetOutput(io.Discard) // errors are printed once, below
	cfs.Usage = func() {}
	err := c.run(ctx, cfg, cfs, rest[1:], stdout)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		writeCommandUsage(stdout, c, cfs)
		return 0
	}
	fmt.Fprintln(stderr, "fieldbook:", err)
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// find returns the command of table called name.
func find(table []command, name string) (command, bool) {
	for _, c := range table {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// writeUsage prints the program's usage: the commands in table order, then
// the global flags.
func writeUsage(w io.Writer, fs *flag.FlagSet, table []command) {
	fmt.Fprintln(w, "usage: fieldbook [--data DIR] [--lang TAG] [-v] [command [args]]\n\ncommands:")
	for _, c := range table {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\n`fieldbook COMMAND --help` shows a command's flags.\n\nglobal flags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// writeCommandUsage prints c's usage line, summary and the flags it
// defined on fs.
func writeCommandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: fieldbook [global flags] %s\n\n%s\n", c.usage, c.summary)
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nflags:\n%s", flags.String())
	}
}

// parseFlags parses args into fs. A --help comes back as [flag.ErrHelp], a
// wrong flag as an [errUsage] naming the command.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %s: %w", errUsage, fs.Name(), err)
	}
	return nil
}

// runVersion prints the version and the database schema it writes.
func runVersion(_ context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, err := fmt.Fprintf(out, "fieldbook %s (schema %d)\n", cfg.version, store.SchemaVersion())
	return err
}

// openStore opens the store in cfg's data folder.
func openStore(ctx context.Context, cfg config) (*store.Store, error) {
	return store.OpenDir(ctx, cfg.dataDir, store.Options{})
}
