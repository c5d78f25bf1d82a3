package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/BurntSushi/toml"

	"github.com/a20-network/fieldbook/locales"
)

func tabTexts(u *UI) []string {
	var out []string
	for _, it := range u.tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

func TestSwitchingToFrenchRelabelsEverythingAtOnce(t *testing.T) {
	h := newHarness(t)
	h.seed(sampleActivity("Visite à Mzuzu", "MW", "2025-06-01"))
	u := h.start("")
	if got := tabTexts(u); got[0] != "Activities" || got[len(got)-1] != "Settings" {
		t.Fatalf("English tabs %v", got)
	}
	// A form half typed in English is still there in French.
	u.activities.onNew()
	test.Type(u.activities.form.title, "Half-typed")
	u.SelectTab(TabSettings)
	sel := u.settings.language
	if sel.Selected != "English" || !slices.Contains(sel.Options, "Français") {
		t.Fatalf("language select %q of %v", sel.Selected, sel.Options)
	}
	sel.SetSelected("Français")
	h.settle()

	want := []string{"Activités", "Ressources et expériences", "Organisations", "Synchronisation", "Conflits", "Réglages"}
	if got := tabTexts(u); !slices.Equal(got, want) {
		t.Fatalf("French tabs %v", got)
	}
	if u.SelectedTab() != TabSettings {
		t.Fatalf("switching language moved to tab %q", u.SelectedTab())
	}
	if got := h.win.Title(); got != "Fieldbook" {
		t.Fatalf("title %q", got)
	}
	if v, _, _ := h.st.Setting(context.Background(), settingLanguage); v != "fr" {
		t.Fatalf("saved language %q", v)
	}
	if got := u.activities.count.Text; got != "1 activité" {
		t.Fatalf("count %q", got)
	}
	if got := u.activities.form.title.Text; got != "Half-typed" || u.activities.form.heading.Text != "Nouvelle activité" {
		t.Fatalf("form after switching: title %q heading %q", got, u.activities.form.heading.Text)
	}
	// The form, its code lists and its validation speak French too.
	u.SelectTab(TabActivities)
	u.activities.onNew()
	f := u.activities.form
	if f.heading.Text != "Nouvelle activité" || !slices.Contains(f.kind.Options, "Visite d’école") || !slices.Contains(f.country.Options, "Malawi") {
		t.Fatalf("form heading %q kinds %v", f.heading.Text, f.kind.Options)
	}
	test.Tap(f.save)
	if e := f.errs["title"]; e.Text != "Obligatoire." {
		t.Fatalf("title error %q", e.Text)
	}
	u.activities.list.Select(0)
	h.settle()
	if f.country.Selected != "Malawi" || f.status.Selected != "Définitif" {
		t.Fatalf("country %q status %q", f.country.Selected, f.status.Selected)
	}
	// And a restart keeps French.
	u2 := h.start("")
	if tabTexts(u2)[0] != "Activités" {
		t.Fatalf("after restart %v", tabTexts(u2))
	}
}

func TestFirstStartChoosesLanguageThenOffline(t *testing.T) {
	h := newFirstStartHarness(t)
	u := h.start("")
	if u.welcome == nil || u.tabs != nil {
		t.Fatal("first start did not show the welcome screen")
	}
	w := u.welcome
	w.language.SetSelected("Français")
	w = u.welcome
	if w.next.Text != "Continuer" {
		t.Fatalf("continue button %q", w.next.Text)
	}
	test.Tap(w.next)
	if v, ok, _ := h.st.Setting(context.Background(), settingLanguage); !ok || v != "fr" {
		t.Fatalf("language setting %q %v", v, ok)
	}
	if w.offline == nil || w.offline.Text != "Travailler hors ligne pour l’instant" {
		t.Fatal("no offline choice")
	}
	if !w.enroll.button.Disabled() || w.enroll.status.Text != "Cette copie de Fieldbook ne peut pas encore se connecter à un hub." {
		t.Fatalf("enroll without a sync engine: disabled %v, %q", w.enroll.button.Disabled(), w.enroll.status.Text)
	}
	test.Tap(w.offline)
	h.settle()
	if u.tabs == nil || tabTexts(u)[0] != "Activités" {
		t.Fatal("offline did not open the app")
	}
	// Next start goes straight to the app.
	u2 := h.start("")
	if u2.welcome != nil || u2.tabs == nil {
		t.Fatal("second start showed the welcome screen again")
	}
}

// TestFrenchHasEveryMessage checks that every English message id exists in
// French, so no screen falls back to English.
func TestFrenchHasEveryMessage(t *testing.T) {
	read := func(name string) map[string]any {
		var m map[string]any
		b, err := os.ReadFile(filepath.Join("..", "locales", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := toml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	en, fr := read("active.en.toml"), read("active.fr.toml")
	var missing []string
	for id := range en {
		if _, ok := fr[id]; !ok {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Fatalf("missing in French: %s", strings.Join(missing, ", "))
	}
}

// TestTranslatorPathReloadBringsChosenLanguageBack is the translator's path
// end to end over real files: a new Nepali file, the language chosen, a
// broken edit and Reload (English meanwhile, and said why), the fix and
// Reload: Nepali is back.
func TestTranslatorPathReloadBringsChosenLanguageBack(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "active.ne.toml")
	good := "\"tab.activities\" = \"गतिविधिहरू\"\n\"tab.settings\" = \"सेटिङहरू\"\n"
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(good)
	b, errs := locales.Load(dir)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	h.bnd = b
	u := h.start("")
	u.SelectTab(TabSettings)
	u.settings.language.SetSelected("नेपाली")
	h.settle()
	if got := tabTexts(u)[0]; got != "गतिविधिहरू" {
		t.Fatalf("Nepali tabs %v", tabTexts(u))
	}

	write("\"tab.activities\" = \"गतिविधिहरू\n") // the closing quote lost
	u.ReloadLanguages()
	h.settle()
	if got := tabTexts(u)[0]; got != "Activities" {
		t.Fatalf("with the file broken, tabs %v", tabTexts(u))
	}
	if s := u.settings.reloadStatus.Text; !strings.Contains(s, "active.ne.toml, line 1") || !strings.Contains(s, "नेपाली") {
		t.Fatalf("reload status after the broken edit: %q", s)
	}
	if v, _, _ := h.st.Setting(context.Background(), settingLanguage); v != "ne" {
		t.Fatalf("the broken file changed the saved language to %q", v)
	}

	write(good)
	u.ReloadLanguages()
	h.settle()
	if got := tabTexts(u); got[0] != "गतिविधिहरू" || got[len(got)-1] != "सेटिङहरू" {
		t.Fatalf("after the fix and Reload, tabs %v", got)
	}
	if u.SelectedTab() != TabSettings || u.settings.language.Selected != "नेपाली" {
		t.Fatalf("after the fix: tab %q, language %q", u.SelectedTab(), u.settings.language.Selected)
	}
}

// TestLangWithoutFileSaysSo: --lang am with no Amharic file opens in the
// saved language, says so in the window, and does not forget the choice.
func TestLangWithoutFileSaysSo(t *testing.T) {
	h := newHarness(t)
	u := h.start("am")
	if got := tabTexts(u)[0]; got != "Activities" {
		t.Fatalf("tabs %v", tabTexts(u))
	}
	if !u.notice.box.Visible() || !strings.Contains(u.notice.label.Text, "(am)") || !strings.Contains(u.notice.label.Text, "active.am.toml") {
		t.Fatalf("notice shown %v: %q", u.notice.box.Visible(), u.notice.label.Text)
	}
	if v, _, _ := h.st.Setting(context.Background(), settingLanguage); v != "en" {
		t.Fatalf("saved language %q", v)
	}
}

// TestThaiDatesAreInTheBuddhistEraEverywhere: in Thai the form and the
// filters show and take the Buddhist year, store ISO Gregorian, and a
// date that cannot be one says why under the field.
func TestThaiDatesAreInTheBuddhistEraEverywhere(t *testing.T) {
	h := newHarness(t)
	h.seed(sampleActivity("November visit", "MW", "2026-11-01"), sampleActivity("October visit", "MW", "2026-10-01"))
	u := h.start("th")
	s := u.activities

	s.onNew()
	f := s.form
	f.start.entry.SetText("")
	if ph := f.start.entry.PlaceHolder; !strings.Contains(ph, "พ.ศ.") {
		t.Fatalf("date hint %q does not say the year is Buddhist era", ph)
	}
	test.Type(f.start.entry, "2569-11-01")
	if got := f.state().StartDate; got != "2026-11-01" {
		t.Fatalf("typed 2569-11-01, the form holds %q", got)
	}
	s.list.Select(0)
	h.settle()
	if got := f.start.entry.Text; !strings.HasPrefix(got, "2569-") {
		t.Fatalf("a record of 2026 opens with start %q", got)
	}

	test.Type(s.from.entry, "2569-11-01")
	h.settle()
	if n := u.ActivityCount(); n != 1 || s.from.err.Visible() {
		t.Fatalf("from 2569-11-01: %d activities, error shown %v", n, s.from.err.Visible())
	}
	for _, c := range []struct{ typed, says string }{
		{"2026-11-01", "2569-11-01"}, // a Gregorian year: the Buddhist one is suggested
		{"2569-13-01", "2569-13-01"}, // no 13th month: the value is quoted
	} {
		s.from.entry.SetText("")
		test.Type(s.from.entry, c.typed)
		h.settle()
		if !s.from.err.Visible() || !strings.Contains(s.from.err.Text, c.says) {
			t.Errorf("typed %s: error shown %v %q", c.typed, s.from.err.Visible(), s.from.err.Text)
		}
		if n := u.ActivityCount(); n != 2 {
			t.Errorf("typed %s: the filter kept %d activities", c.typed, n)
		}
	}
}

func TestEnglishDatesAreGregorianAsTyped(t *testing.T) {
	h := newHarness(t)
	h.seed(sampleActivity("November visit", "MW", "2026-11-01"), sampleActivity("October visit", "MW", "2026-10-01"))
	u := h.start("")
	s := u.activities
	if ph := s.from.entry.PlaceHolder; ph != "From (YYYY-MM-DD)" {
		t.Fatalf("hint %q", ph)
	}
	test.Type(s.from.entry, "2026-11-01")
	h.settle()
	if n := u.ActivityCount(); n != 1 || s.from.err.Visible() {
		t.Fatalf("from 2026-11-01: %d activities, error shown %v", n, s.from.err.Visible())
	}
	s.onNew()
	s.form.start.entry.SetText("")
	test.Type(s.form.start.entry, "2026-03-14")
	if got := s.form.state().StartDate; got != "2026-03-14" {
		t.Fatalf("start %q", got)
	}
}

// TestArabicAndBengaliScreensShowNoLatinDigits renders every main screen,
// and a record opened in the form, in Arabic and in Bengali, and fails on
// any text that shows a number in Latin digits: counts, dates, times and
// reach totals are all in the language's digits. Typed content (entries)
// and left-to-right values such as folders and device ids are not numbers
// a person reads in their language and are left out.
func TestArabicAndBengaliScreensShowNoLatinDigits(t *testing.T) {
	for _, lang := range []string{"ar", "bn"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			h.seed(sampleActivity("زيارة مدرسة", "MW", "2026-11-01"), sampleActivity("Kasungu visit", "MW", "2026-10-12"))
			u := h.start(lang)
			u.activities.list.Select(0)
			h.settle()
			for _, key := range u.Tabs() {
				u.SelectTab(key)
				h.settle()
				walkTexts(h.win.Canvas().Content(), func(s string) {
					if latinNumberIn(s) {
						t.Errorf("%s tab shows %q", key, s)
					}
				})
			}
		})
	}
}

// walkTexts calls fn with every text drawn under o that is visible and not
// inside an entry (typed content).
func walkTexts(o fyne.CanvasObject, fn func(string)) {
	if o == nil || !o.Visible() {
		return
	}
	switch x := o.(type) {
	case *widget.Entry, *entry:
	case *canvas.Text:
		fn(x.Text)
	case *fyne.Container:
		for _, c := range x.Objects {
			walkTexts(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkTexts(c, fn)
		}
	}
}

// latinNumberIn reports whether s shows a number in Latin digits as part of
// the language's text: s has an ASCII digit and either no letter at all (a
// count, a date, a time) or a letter of a script other than Latin.
func latinNumberIn(s string) bool {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) {
		return false
	}
	letters := strings.ContainsFunc(s, unicode.IsLetter)
	nonLatin := strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) })
	return !letters || nonLatin
}

// TestArabicDigitRangesReadRightToLeft: an age band in Arabic-Indic
// digits alone ("٠–٥") is laid out as the bidi algorithm says for an Arabic
// screen, 5 on the left, so it reads 0 to 5 from the right.
func TestArabicDigitRangesReadRightToLeft(t *testing.T) {
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := shown(b.Localizer("ar"), "٠–٥")
	if i, j := strings.IndexRune(got, '٥'), strings.IndexRune(got, '٠'); i < 0 || j < 0 || i > j {
		t.Fatalf("shown %q: 0 is left of 5", got)
	}
}
