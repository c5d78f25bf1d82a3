package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
	for _, want := range []string{"ar       العربية", "37/37 translated  draft", "ok: 22 languages"} {
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
	if code != 0 || !strings.Contains(out, "ha ") || !strings.Contains(out, "warning: still English: activities.count kind.awareness_campaign") {
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
	if code != 0 || !strings.Contains(out, "added 36") {
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
