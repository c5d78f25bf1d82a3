package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/locales"
)

// TestReportsTabSurvivesALanguageSwitch adds the Reports tab as the app
// does and checks it is there, titled in the language, before and after a
// switch to French.
func TestReportsTabSurvivesALanguageSwitch(t *testing.T) {
	h := newHarness(t)
	h.seed(sampleActivity("Visit", "MW", "2025-03-04"))
	h.extra.Extra = []Screen{ReportsScreen(h.st)}
	u := h.start("en")
	if !slices.Contains(u.Tabs(), TabReports) || !slices.Contains(tabTexts(u), "Reports") {
		t.Fatalf("tabs %v %v", u.Tabs(), tabTexts(u))
	}
	u.SetLanguage("fr")
	h.settle()
	fr := h.bnd.Localizer("fr").T("report.tab")
	if fr == "Reports" || !slices.Contains(tabTexts(u), fr) {
		t.Fatalf("French tabs %v, want %q", tabTexts(u), fr)
	}
	u.SelectTab(TabReports)
	h.settle()
	if u.SelectedTab() != TabReports {
		t.Fatal("reports tab cannot be selected")
	}
}

// TestReloadLanguagesReportsBrokenFilesAndAppliesFixes drops a message
// file into the locale folder, reloads, and checks the new text shows at
// once; a broken file is reported with its name and line.
func TestReloadLanguagesReportsBrokenFilesAndAppliesFixes(t *testing.T) {
	h := newHarness(t)
	dir := filepath.Join(h.dir, "locales")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, errs := locales.Load(dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	h.bnd = b
	u := h.start("en")
	u.SelectTab(TabSettings)
	h.settle()
	if !slices.Contains(u.settings.langs.labels, locales.OwnName(locales.PseudoBidi)) {
		t.Fatalf("pseudo-locales missing from %v", u.settings.langs.labels)
	}
	if err := os.WriteFile(filepath.Join(dir, "active.en.toml"), []byte("\"tab.sync\" = \"Hub sync\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "active.fr.toml"), []byte("\"tab.sync\" = \"Synchro\"\n\"tab.conflicts\" = \"broken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u.ReloadLanguages()
	h.settle()
	if u.SelectedTab() != TabSettings {
		t.Fatalf("after reload the tab is %q", u.SelectedTab())
	}
	status := u.settings.reloadStatus.Text
	if !strings.Contains(status, "active.fr.toml, line 2: ") {
		t.Fatalf("reload status %q", status)
	}
	if !slices.Contains(tabTexts(u), "Hub sync") {
		t.Fatalf("fixed text not shown: %v", tabTexts(u))
	}
}
