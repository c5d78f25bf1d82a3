// Command fieldbook is the Fieldbook desktop app. With no subcommand it opens
// the window; subcommands run headless:
//
//	fieldbook [--data DIR] [--lang TAG]           open the app
//	fieldbook [--data DIR] import FILE.csv        import activities
//	fieldbook [--data DIR] export --format csv --out FILE
//	fieldbook version
//
// Later subcommands (enroll, sync, locales) register themselves in commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	// Initialized before Fyne's packages: it settles the environment
	// variables Fyne reads as it initializes (see its documentation).
	_ "github.com/a20-network/fieldbook/internal/earlyenv"

	"github.com/a20-network/fieldbook/store"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "0.1.0-dev"

// config is what the global flags say.
type config struct {
	dataDir string
	lang    string
	verbose bool
	// lowMemory opens the store with [store.Options.LowMemory]; the
	// window app sets it, the headless commands do not.
	lowMemory bool
}

// command is a headless subcommand. It writes to out and returns an error
// whose text is printed to standard error.
type command struct {
	summary string
	run     func(ctx context.Context, cfg config, args []string, out io.Writer) error
}

// commands maps subcommand names to their implementations; files beside
// this one add theirs in init.
var commands = map[string]command{
	"version": {summary: "print the version", run: func(_ context.Context, _ config, _ []string, out io.Writer) error {
		_, err := fmt.Fprintf(out, "fieldbook %s (schema %d)\n", Version, store.SchemaVersion())
		return err
	}},
}

// errUsage marks errors caused by how the command was called; exit status 2.
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fieldbook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.dataDir, "data", "", "data folder (default: fieldbook under the user's configuration folder)")
	fs.StringVar(&cfg.lang, "lang", "", "language tag to use instead of the saved or system one")
	fs.BoolVar(&cfg.verbose, "v", false, "log debug detail")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fieldbook [--data DIR] [--lang TAG] [command [args]]\ncommands:")
		for name, c := range commands {
			fmt.Fprintf(stderr, "  %-10s %s\n", name, c.summary)
		}
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	level := slog.LevelInfo
	if cfg.verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))
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
	rest := fs.Args()
	if len(rest) == 0 {
		rest = []string{"gui"}
	}
	c, ok := commands[rest[0]]
	if !ok {
		fmt.Fprintf(stderr, "fieldbook: unknown command %q\n", rest[0])
		fs.Usage()
		return 2
	}
	if err := c.run(ctx, cfg, rest[1:], stdout); err != nil {
		fmt.Fprintln(stderr, "fieldbook:", err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// openStore opens the store in cfg's data folder.
func openStore(ctx context.Context, cfg config) (*store.Store, error) {
	return store.OpenDir(ctx, cfg.dataDir, store.Options{LowMemory: cfg.lowMemory})
}

func timeParseDate(s string) (time.Time, error) { return time.Parse(store.DateLayout, s) }
