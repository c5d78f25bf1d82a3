package fynelang

import (
	"encoding/json"
	"testing"

	"fyne.io/fyne/v2/lang"
	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/locales"
)

// Every shipped Fieldbook language has Fyne texts, each with every key of
// Fyne's English file.
func TestEveryLanguageHasFyneTexts(t *testing.T) {
	var en map[string]any
	if err := json.Unmarshal(Texts(language.English), &en); err != nil {
		t.Fatal(err)
	}
	have := map[language.Tag]bool{}
	for _, l := range Languages() {
		have[l] = true
	}
	for _, tag := range locales.Shipped() {
		if !have[tag] {
			t.Errorf("no Fyne texts for %s", tag)
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(Texts(tag), &m); err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		for _, k := range []string{"OK", "Cancel", "Yes", "No", "Confirm", "Error", "Save", "Open"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks %q", tag, k)
			}
		}
	}
}

func TestApplySwitchesFyneLanguage(t *testing.T) {
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "fr_FR.UTF-8")
	for _, c := range []struct{ tag, cancel, yes string }{
		{"sw", "Ghairi", "Ndiyo"},
		{"ar", "إلغاء", "نعم"},
		{"km", "បោះបង់", "បាទ/ចាស"},
		{"ru", "Отмена", "Да"},
		{"en", "Cancel", "Yes"},
		{"xx", "Cancel", "Yes"}, // unknown: English
	} {
		if err := Apply(language.Make(c.tag)); err != nil {
			t.Fatal(err)
		}
		if got := lang.L("Cancel"); got != c.cancel {
			t.Errorf("%s: Cancel = %q, want %q", c.tag, got, c.cancel)
		}
		if got := lang.L("Yes"); got != c.yes {
			t.Errorf("%s: Yes = %q, want %q", c.tag, got, c.yes)
		}
	}
}
