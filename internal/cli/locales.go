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

	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/internal/desktop"
	"github.com/a20-network/fieldbook/locales"
)

// runLocales runs one of the translators' subcommands: check, new or merge.
// Each defines its flags on fs, so `locales check --help` lists check's.
func runLocales(_ context.Context, cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: locales: want check [DIR], new TAG or merge [DIR]", errUsage)
	}
	switch args[0] {
	case "check":
		return runLocalesCheck(cfg, fs, args[1:], out)
	case "new":
		return runLocalesNew(cfg, fs, args[1:], out)
	case "merge":
		return runLocalesMerge(cfg, fs, args[1:], out)
	case "-h", "-help", "--help":
		return flag.ErrHelp
	}
	return fmt.Errorf("%w: locales: unknown %q (want check, new or merge)", errUsage, args[0])
}

// localeDir is the app's override folder, where translators drop files.
func localeDir(cfg config) string { return locales.OverrideDir(cfg.dataDir) }

// checkWidth is how wide `locales check` lines of ids may get.
const checkWidth = 100

// runLocalesCheck reports, for every language, what is missing or broken.
func runLocalesCheck(cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	fonts := fs.Bool("fonts", true, "report characters no installed or bundled font can draw")
	markdown := fs.Bool("markdown", false, "print the language table of locales/README.md instead")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return fmt.Errorf("%w: locales check: %w", errUsage, err)
	}
	dir := localeDir(cfg)
	if len(pos) > 1 {
		return fmt.Errorf("%w: locales check: want at most one folder", errUsage)
	}
	if len(pos) == 1 {
		dir = pos[0]
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%w: locales check: %s is not a folder", errUsage, dir)
		}
	}
	b, loadErrs := locales.Load(dir)
	loadErrs = append(loadErrs, b.ReadAll()...)
	var cover locales.Coverage
	if *fonts {
		set, err := desktop.ScanFonts()
		if err != nil {
			return fmt.Errorf("locales check: %w", err)
		}
		cover = set.Covers
	}
	reports := b.Check(cover)
	if *markdown {
		return writeTable(out, b, reports)
	}
	if len(pos) == 1 {
		// A translator checks their own files; the shipped ones are the
		// tests' business.
		reports = slices.DeleteFunc(reports, func(r locales.Report) bool { return !b.FromDir(r.Tag) })
		fmt.Fprintf(out, "translator's files in %s: %d language(s)\n", dir, len(reports))
	}
	failed := len(loadErrs)
	for _, err := range loadErrs {
		fmt.Fprintf(out, "ERROR %v\n", err)
	}
	if cfg.lang != "" && !b.Serves(cfg.lang) {
		fmt.Fprintf(out, "ERROR --lang %s: no message file for %s; the app shows it in English. Start one with: fieldbook locales new %s\n", cfg.lang, locales.OwnName(locales.Named(cfg.lang)), cfg.lang)
		failed++
	}
	for _, r := range reports {
		writeReport(out, b, r)
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

// writeReport prints one language's line, its ids grouped, and its
// problems at file:line.
func writeReport(out io.Writer, b *locales.Bundle, r locales.Report) {
	status := "draft"
	if !r.Draft {
		status = "reviewed"
	}
	files := strings.Join(r.Files, ", ")
	if b.FromDir(r.Tag) {
		files += " (translator's)"
	}
	fmt.Fprintf(out, "%s %s %3d/%d translated  %s  %s\n", locales.PadRight(r.Tag.String(), 8), locales.PadRight(locales.OwnName(r.Tag), 20), r.Translated, r.Total, status, files)
	level := "warning"
	if !r.Draft {
		level = "ERROR"
	}
	writeIDs(out, level+": missing", r.Missing)
	writeIDs(out, level+": still English", r.Untranslated)
	writeIDs(out, "warning: not in English (remove or rename)", r.Unknown)
	for _, p := range r.Problems {
		if p.File != "" && p.Line > 0 {
			fmt.Fprintf(out, "  ERROR %s:%d: %s: %s\n", p.File, p.Line, p.ID, p.Reason)
		} else {
			fmt.Fprintf(out, "  ERROR %s: %s\n", p.ID, p.Reason)
		}
	}
}

// writeIDs prints what ids are, then the ids a group (the part before the
// first dot) a line, wrapped at checkWidth.
func writeIDs(out io.Writer, what string, ids []string) {
	if len(ids) == 0 {
		return
	}
	fmt.Fprintf(out, "  %s: %d message(s), by group:\n", what, len(ids))
	const indent = "      "
	for _, group := range groupIDs(ids) {
		for _, line := range locales.Wrap(group, checkWidth-len(indent)) {
			fmt.Fprintf(out, "%s%s\n", indent, line)
		}
	}
}

// groupIDs splits sorted ids into runs sharing the part before the first
// dot ("tab.sync" is in group "tab").
func groupIDs(ids []string) [][]string {
	var groups [][]string
	prev := "\x00"
	for _, id := range ids {
		g, _, _ := strings.Cut(id, ".")
		if g != prev {
			groups = append(groups, nil)
			prev = g
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], id)
	}
	return groups
}

// parseInterspersed parses fs's flags wherever they stand among the
// positional arguments ("new am --dir X" as "new --dir X am") and returns
// the positional ones in order. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
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

// runLocalesNew starts a language's message file.
func runLocalesNew(cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	dir := fs.String("dir", localeDir(cfg), "folder to write active.TAG.toml into")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return fmt.Errorf("%w: locales new: %w", errUsage, err)
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: locales new: want one language tag, like km or pt-BR", errUsage)
	}
	tag, err := language.Parse(pos[0])
	if err != nil || tag == language.Und {
		return fmt.Errorf("%w: locales new: %q is not a language tag (like km, pt-BR or zh-Hans)", errUsage, pos[0])
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

// runLocalesMerge adds the English messages a language's files lack.
func runLocalesMerge(cfg config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	args = fs.Args()
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
