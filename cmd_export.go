package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

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

// exportFormats maps --format values to writers; files beside this one
// register theirs in init.
var exportFormats = map[string]func(ctx context.Context, req exportRequest) error{}

func init() {
	commands["export"] = command{summary: "export activities or a report: --format FMT --out FILE [--from DATE --to DATE]", run: runExport}
}

func runExport(ctx context.Context, cfg config, args []string, _ io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	format := fs.String("format", "csv", "output format: "+strings.Join(formatNames(), ", "))
	out := fs.String("out", "", "file to write (required)")
	from := fs.String("from", "", "first start date to include, YYYY-MM-DD")
	to := fs.String("to", "", "last start date to include, YYYY-MM-DD")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: export: %v", errUsage, err)
	}
	write, ok := exportFormats[*format]
	if !ok {
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
	werr := write(ctx, exportRequest{store: st, from: *from, to: *to, lang: cfg.lang, out: tmp})
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("export %s: %w", *format, err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func formatNames() []string {
	names := make([]string, 0, len(exportFormats))
	for n := range exportFormats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func validDate(s string) bool {
	_, err := timeParseDate(s)
	return err == nil
}
