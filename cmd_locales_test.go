package main

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
