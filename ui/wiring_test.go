package ui

import (
	"context"
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

// TestLangFlagPicksPseudoLocalesAndIsRemembered starts as with --lang ar-XB
// and --lang en-XA: the pseudo-locale is used, mirrored for ar-XB, and
// saved as the language setting.
func TestLangFlagPicksPseudoLocalesAndIsRemembered(t *testing.T) {
	for _, tc := range []struct {
		tag string
		rtl bool
	}{{"ar-XB", true}, {"en-XA", false}, {"fr", false}} {
		h := newHarness(t)
		u := h.start(tc.tag)
		if got := u.l.Tag().String(); got != tc.tag {
			t.Errorf("--lang %s: language %s", tc.tag, got)
		}
		if isRTL(u.l) != tc.rtl {
			t.Errorf("--lang %s: right to left %v", tc.tag, isRTL(u.l))
		}
		saved, _, err := h.st.Setting(context.Background(), settingLanguage)
		if err != nil || saved != tc.tag {
			t.Errorf("--lang %s: saved %q, %v", tc.tag, saved, err)
		}
	}
}
