package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// exportRequest is what an export format receives.
type exportRequest struct {
	store *store.Store
	// from and to bound activities' start dates (YYYY-MM-DD, inclusive; "" = open).
	from, to string
	// lang is the language for labels in formats that have any.
	lang string
	out  io.Writer
}

// exportFormat is a --format value and the writer that makes it.
type exportFormat struct {
	name  string
	write func(ctx context.Context, req exportRequest) error
}

// exportFormats are the --format values, in the order help lists them.
var exportFormats = []exportFormat{
	{"csv", exportCSV},
	{"pdf", exportReportPDF},
	{"report-csv", exportReportCSV},
	{"xlsx", exportReportXLSX},
}

// runExport writes the activities, or a report over them, between --from
// and --to to --out, through a temporary file renamed into place.
func runExport(ctx context.Context, cfg config, fs *flag.FlagSet, args []string, _ io.Writer) error {
	format := fs.String("format", "csv", "output format: "+strings.Join(formatNames(), ", "))
	out := fs.String("out", "", "file to write (required)")
	from := fs.String("from", "", "first start date to include, YYYY-MM-DD")
	to := fs.String("to", "", "last start date to include, YYYY-MM-DD")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	i := slices.IndexFunc(exportFormats, func(f exportFormat) bool { return f.name == *format })
	if i < 0 {
		return fmt.Errorf("%w: export: unknown --format %q (want %s)", errUsage, *format, strings.Join(formatNames(), ", "))
	}
	if *out == "" {
		return fmt.Errorf("%w: export: --out FILE is required", errUsage)
	}
	for _, d := range []struct{ flag, v string }{{"--from", *from}, {"--to", *to}} {
		if d.v != "" && !validDate(d.v) {
			return fmt.Errorf("%w: export: %s %q is not a date (want YYYY-MM-DD)", errUsage, d.flag, d.v)
		}
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	// Write to a temporary file and rename, so a failed export never leaves
	// a half-written file where the user expects a good one.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".fieldbook-export-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	werr := exportFormats[i].write(ctx, exportRequest{store: st, from: *from, to: *to, lang: cfg.lang, out: tmp})
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("export %s: %w", *format, err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// formatNames are the --format values.
func formatNames() []string {
	names := make([]string, len(exportFormats))
	for i, f := range exportFormats {
		names[i] = f.name
	}
	return names
}

// validDate reports whether s is a date as the store writes them.
func validDate(s string) bool {
	_, err := time.Parse(model.DateLayout, s)
	return err == nil
}
