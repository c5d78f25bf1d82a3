package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/locales"
)

func mustLoad(t *testing.T) *locales.Bundle {
	t.Helper()
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return b
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestLocalesCheckShippedFiles(t *testing.T) {
	code, out, errOut := runCLI(t, "--data", t.TempDir(), "locales", "check")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	total := len(mustLoad(t).Messages(locales.Default))
	for _, want := range []string{"ar       العربية", fmt.Sprintf("/%d translated  draft", total), fmt.Sprintf("ok: %d languages", len(locales.Shipped()))} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestLocalesCheckReportsBrokenFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "active.sw.toml"), []byte("\"kind.other\" = \"Nyingine\"\n\"kind.training\" = \"Mafunzo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "--data", t.TempDir(), "locales", "check", "-fonts=false", dir)
	if code != 1 || !strings.Contains(out, "active.sw.toml:2:") || !strings.Contains(errOut, "problem") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestLocalesNewThenCheckShowsWhatIsMissing(t *testing.T) {
	data := t.TempDir()
	code, out, errOut := runCLI(t, "--data", data, "locales", "new", "ha")
	if code != 0 {
		t.Fatalf("new: exit %d\n%s\n%s", code, out, errOut)
	}
	path := filepath.Join(data, "locales", "active.ha.toml")
	if !strings.Contains(out, path) {
		t.Fatalf("new said %q", out)
	}
	if code, _, errOut := runCLI(t, "--data", data, "locales", "new", "ha"); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("second new: exit %d %s", code, errOut)
	}
	// A draft with everything still in English: warnings, not errors.
	code, out, errOut = runCLI(t, "--data", data, "locales", "check", "-fonts=false")
	if code != 0 || !strings.Contains(out, "ha ") || !strings.Contains(out, "warning: still English: ") || !strings.Contains(out, " kind.awareness_campaign ") {
		t.Fatalf("check: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, _ := runCLI(t, "--data", data, "locales", "new", "not a tag"); code != 2 {
		t.Fatalf("bad tag: exit %d", code)
	}
}

func TestLocalesMergeAddsNewEnglishMessages(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, "locales")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "active.sw.toml")
	if err := os.WriteFile(path, []byte("\"kind.training\" = \"Mafunzo\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "--data", data, "locales", "merge")
	if want := fmt.Sprintf("added %d", len(mustLoad(t).Messages(locales.Default))-1); code != 0 || !strings.Contains(out, want) {
		t.Fatalf("merge: exit %d\n%s\n%s", code, out, errOut)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(text), "\"kind.training\" = \"Mafunzo\"\n") || !strings.Contains(string(text), "[\"kind.school_visit\"]\nother = \"School visit\"") {
		t.Fatalf("merged file:\n%s", text)
	}
}

// TestLocalesCheckDirIsTheTranslatorsFiles: with a folder, check reports
// the translator's files only, says they are the translator's, lists ids
// one group a line, and gives file:line for a placeholder error.
func TestLocalesCheckDirIsTheTranslatorsFiles(t *testing.T) {
	dir := t.TempDir()
	text := "\"tab.activities\" = \"गतिविधिहरू\"\n\"settings.reloaded\" = \"भाषाहरू: {{.Number}}\"\n"
	if err := os.WriteFile(filepath.Join(dir, "active.ne.toml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "--data", t.TempDir(), "locales", "check", "-fonts=false", dir)
	if code != 1 || !strings.Contains(errOut, "problem") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"translator's files in " + dir,
		"ne       नेपाली",
		filepath.Join(dir, "active.ne.toml") + ":2: settings.reloaded: form other: placeholder {{.Number}} is not in English",
		"\n      tab.conflicts tab.organizations tab.resources tab.settings tab.sync\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"العربية", "Français"} {
		if strings.Contains(out, not) {
			t.Errorf("output lists a shipped language (%s):\n%s", not, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if w := locales.DisplayWidth(line); strings.HasPrefix(line, "      ") && w > 100 {
			t.Errorf("line of width %d: %.60s…", w, line)
		}
	}
}

// TestLocalesCheckColumnsAlignInEveryScript: the status column starts at
// the same display column for Latin, Devanagari, Thai and CJK names.
func TestLocalesCheckColumnsAlignInEveryScript(t *testing.T) {
	_, out, _ := runCLI(t, "--data", t.TempDir(), "locales", "check", "-fonts=false")
	cols := map[int][]string{}
	for _, line := range strings.Split(out, "\n") {
		i := strings.Index(line, " translated")
		if i < 0 || strings.HasPrefix(line, " ") {
			continue
		}
		head := line[:strings.LastIndex(line[:i], " ")]
		cols[locales.DisplayWidth(head)] = append(cols[locales.DisplayWidth(head)], line[:8])
	}
	if len(cols) != 1 {
		t.Fatalf("the counts start at %d different columns: %v\n%s", len(cols), cols, out)
	}
}

func TestLocalesNewTakesFlagsAfterTheTag(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mine")
	code, out, errOut := runCLI(t, "--data", t.TempDir(), "locales", "new", "am", "--dir", dir)
	if code != 0 || !strings.Contains(out, filepath.Join(dir, "active.am.toml")) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestLocalesCheckNamesALangWithoutFile(t *testing.T) {
	code, out, errOut := runCLI(t, "--data", t.TempDir(), "--lang", "am", "locales", "check", "-fonts=false")
	if code != 1 || !strings.Contains(out, "--lang am: no message file") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
