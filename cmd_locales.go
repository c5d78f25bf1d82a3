package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/locales"
)

func init() {
	commands["locales"] = command{
		summary: "translations: check [DIR] | new TAG | merge [DIR]",
		run:     runLocales,
	}
}

func runLocales(ctx context.Context, cfg config, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: locales: want check [DIR], new TAG or merge [DIR]", errUsage)
	}
	switch args[0] {
	case "check":
		return runLocalesCheck(cfg, args[1:], out)
	case "new":
		return runLocalesNew(cfg, args[1:], out)
	case "merge":
		return runLocalesMerge(cfg, args[1:], out)
	}
	return fmt.Errorf("%w: locales: unknown %q (want check, new or merge)", errUsage, args[0])
}

// localeDir is the app's override folder, where translators drop files.
func localeDir(cfg config) string { return locales.OverrideDir(cfg.dataDir) }

func runLocalesCheck(cfg config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("locales check", flag.ContinueOnError)
	fonts := fs.Bool("fonts", true, "report characters no installed or bundled font can draw")
	markdown := fs.Bool("markdown", false, "print the language table of locales/README.md instead")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: locales check: %v", errUsage, err)
	}
	dir := localeDir(cfg)
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: locales check: want at most one folder", errUsage)
	}
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%w: locales check: %s is not a folder", errUsage, dir)
		}
	}
	b, loadErrs := locales.Load(dir)
	loadErrs = append(loadErrs, b.ReadAll()...)
	var cover locales.Coverage
	if *fonts {
		set, err := scanFonts()
		if err != nil {
			return fmt.Errorf("locales check: %w", err)
		}
		cover = set.Covers
	}
	reports := b.Check(cover)
	if *markdown {
		return writeTable(out, b, reports)
	}
	failed := len(loadErrs)
	for _, err := range loadErrs {
		fmt.Fprintf(out, "ERROR %v\n", err)
	}
	for _, r := range reports {
		status := "draft"
		if !r.Draft {
			status = "reviewed"
		}
		fmt.Fprintf(out, "%-8s %-20s %3d/%d translated  %s  %s\n", r.Tag, locales.OwnName(r.Tag), r.Translated, r.Total, status, strings.Join(r.Files, ", "))
		level := "warning"
		if !r.Draft {
			level = "ERROR"
		}
		if len(r.Missing) > 0 {
			fmt.Fprintf(out, "  %s: missing: %s\n", level, strings.Join(r.Missing, " "))
		}
		if len(r.Untranslated) > 0 {
			fmt.Fprintf(out, "  %s: still English: %s\n", level, strings.Join(r.Untranslated, " "))
		}
		if len(r.Unknown) > 0 {
			fmt.Fprintf(out, "  warning: not in English (remove or rename): %s\n", strings.Join(r.Unknown, " "))
		}
		for _, p := range r.Problems {
			fmt.Fprintf(out, "  ERROR %s: %s\n", p.ID, p.Reason)
		}
		if r.Errors() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("locales check: %d problem(s) to fix", failed)
	}
	fmt.Fprintf(out, "ok: %d languages\n", len(reports)+1)
	return nil
}

// writeTable prints the Markdown table of languages for the README.
func writeTable(out io.Writer, b *locales.Bundle, reports []locales.Report) error {
	en := len(b.Messages(locales.Default))
	fmt.Fprintln(out, "| language | own name | tag | translated | status |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	fmt.Fprintf(out, "| English | %s | en | %d/%d | source |\n", locales.OwnName(language.English), en, en)
	for _, r := range reports {
		status := "draft"
		if !r.Draft {
			status = "reviewed"
		}
		if _, err := fmt.Fprintf(out, "| %s | %s | %s | %d/%d | %s |\n", locales.EnglishName(r.Tag), locales.OwnName(r.Tag), r.Tag, r.Translated, r.Total, status); err != nil {
			return err
		}
	}
	return nil
}

func runLocalesNew(cfg config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("locales new", flag.ContinueOnError)
	dir := fs.String("dir", localeDir(cfg), "folder to write active.TAG.toml into")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: locales new: %v", errUsage, err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: locales new: want one language tag, like km or pt-BR", errUsage)
	}
	tag, err := language.Parse(fs.Arg(0))
	if err != nil || tag == language.Und {
		return fmt.Errorf("%w: locales new: %q is not a language tag (like km, pt-BR or zh-Hans)", errUsage, fs.Arg(0))
	}
	b, _ := locales.Load("")
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fmt.Errorf("locales new: %w", err)
	}
	path := filepath.Join(*dir, "active."+tag.String()+".toml")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("locales new: %s exists; use locales merge to add new messages to it", path)
	}
	if err != nil {
		return fmt.Errorf("locales new: %w", err)
	}
	if _, err := f.Write(b.NewFile(tag)); err != nil {
		f.Close()
		return fmt.Errorf("locales new: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("locales new: write %s: %w", path, err)
	}
	_, err = fmt.Fprintf(out, "wrote %s (%s, plural forms: %s)\n", path, locales.OwnName(tag), strings.Join(locales.PluralForms(tag), ", "))
	return err
}

func runLocalesMerge(cfg config, args []string, out io.Writer) error {
	dir := localeDir(cfg)
	if len(args) > 1 {
		return fmt.Errorf("%w: locales merge: want at most one folder", errUsage)
	}
	if len(args) == 1 {
		dir = args[0]
	}
	b, _ := locales.Load("")
	files, err := filepath.Glob(filepath.Join(dir, "active.*.toml"))
	if err != nil {
		return fmt.Errorf("locales merge: %w", err)
	}
	for _, path := range files {
		tag, err := locales.TagFromFileName(filepath.Base(path))
		if err != nil || tag == locales.Default {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("locales merge: %w", err)
		}
		merged, added, err := b.AppendMissing(tag, data)
		if err != nil {
			return fmt.Errorf("locales merge: %s: %w", path, err)
		}
		if len(added) == 0 {
			continue
		}
		if err := os.WriteFile(path, merged, 0o644); err != nil {
			return fmt.Errorf("locales merge: %w", err)
		}
		fmt.Fprintf(out, "%s: added %d: %s\n", path, len(added), strings.Join(added, " "))
	}
	return nil
}
