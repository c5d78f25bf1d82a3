package locales

import (
	"os"
	"path/filepath"
	"testing"
)

func TestEmbeddedFilesLoad(t *testing.T) {
	t.Parallel()
	b, errs := Load("")
	if len(errs) > 0 {
		t.Fatalf("Load: %v", errs)
	}
	l := b.Localizer("en-GB")
	if got := l.T("kind.school_visit"); got != "School visit" {
		t.Fatalf("T = %q", got)
	}
	if got := l.N("activities.count", 1); got != "1 activity" {
		t.Fatalf("N(1) = %q", got)
	}
	if got := l.T("no.such.message"); got != "no.such.message" {
		t.Fatalf("missing message = %q", got)
	}
}

func TestBrokenOverrideIsReportedNotFatal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "active.en.toml"), []byte("\"kind.other\" = \"Something else\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "active.xx.toml"), []byte("this is = = not toml"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, errs := Load(dir)
	if len(errs) != 1 {
		t.Fatalf("errs = %v, want one", errs)
	}
	if got := b.Localizer("en").T("kind.other"); got != "Something else" {
		t.Fatalf("override not applied: %q", got)
	}
}
