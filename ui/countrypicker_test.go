package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// shownCodes lists the codes of the rows a picker's list shows, "-" for
// the separator.
func shownCodes(p *countryPicker) []string {
	var out []string
	for _, it := range p.shown {
		if it.sep {
			out = append(out, "-")
		} else {
			out = append(out, it.code)
		}
	}
	return out
}

// pickerHarness seeds activities in Malawi (three), Kenya and Tanzania
// and an organization in Mongolia, and opens a new activity form.
func pickerHarness(t *testing.T, lang string) (*harness, *UI, *activityForm) {
	t.Helper()
	h := newHarness(t)
	h.seed(sampleActivity("One", "MW", "2025-01-01"), sampleActivity("Two", "MW", "2025-01-02"), sampleActivity("Three", "MW", "2025-01-03"),
		sampleActivity("Four", "KE", "2025-01-04"), sampleActivity("Five", "TZ", "2025-01-05"))
	if _, err := h.st.CreateOrganization(context.Background(), model.Organization{Name: "Mongolian Child Rights", Country: "MN"}); err != nil {
		t.Fatal(err)
	}
	u := h.start(lang)
	u.activities.onNew()
	h.settle()
	return h, u, u.activities.form
}

// TestCountryPickerFindsByTyping types "mal" and gets the five countries
// whose name starts so, the network's Malawi first; Enter picks it.
// Accents and case are forgiven, and English names and ISO codes find a
// country in another language too.
func TestCountryPickerFindsByTyping(t *testing.T) {
	_, _, f := pickerHarness(t, "en")
	p := f.country
	test.Type(p, "mal")
	if got := shownCodes(p); !slices.Equal(got, []string{"MW", "MY", "MV", "ML", "MT"}) {
		t.Fatalf("typing mal shows %v", got)
	}
	if !p.isOpen() {
		t.Fatal("the list is not shown while typing")
	}
	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if p.Code() != "MY" || p.Text != "Malaysia" || p.isOpen() {
		t.Fatalf("Down, Enter chose %q shown as %q (open %v)", p.Code(), p.Text, p.isOpen())
	}
	for typed, want := range map[string]string{"CÔTE": "CI", "ivoire": "CI", "sao tome": "ST", "mw": "MW", "Ukr": "UA"} {
		p.SetText("")
		test.Type(p, typed)
		if got := shownCodes(p); len(got) == 0 || !slices.Contains(got, want) {
			t.Errorf("typing %q shows %v, want %s among them", typed, got, want)
		}
	}
}

// TestCountryPickerFindsInTheLanguageAndInEnglish checks a French screen:
// "allem" and "germ" both find Germany, "royaume" the United Kingdom.
func TestCountryPickerFindsInTheLanguageAndInEnglish(t *testing.T) {
	_, _, f := pickerHarness(t, "fr")
	p := f.country
	for typed, want := range map[string]string{"allem": "DE", "germ": "DE", "royaume": "GB", "etats": "US"} {
		p.SetText("")
		test.Type(p, typed)
		if got := shownCodes(p); !slices.Contains(got, want) {
			t.Errorf("typing %q shows %v, want %s", typed, got, want)
		}
	}
}

// TestCountryPickerListsTheNetworkFirst opens the list with nothing typed:
// the countries of the device's activities and organizations come first,
// most used first, then a line, then the rest in alphabetical order.
func TestCountryPickerListsTheNetworkFirst(t *testing.T) {
	_, _, f := pickerHarness(t, "en")
	p := f.country
	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	got := shownCodes(p)
	if !slices.Equal(got[:6], []string{"MW", "KE", "MN", "TZ", "-", "AF"}) {
		t.Fatalf("list starts %v", got[:8])
	}
	if n := len(got); n != 249+1 || slices.Index(got[5:], "MW") >= 0 {
		t.Fatalf("%d rows, or the network's countries listed twice", n)
	}
	if p.cursor != 0 {
		t.Fatalf("cursor %d", p.cursor)
	}
	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if p.isOpen() || p.Code() != "" {
		t.Fatalf("Escape: open %v code %q", p.isOpen(), p.Code())
	}
}

// TestCountryPickerSetsTheForm picks Kenya by typing and saves the form:
// the activity is stored with KE. The activities filter picked the same
// way lists only Kenya's activities.
func TestCountryPickerSetsTheForm(t *testing.T) {
	h, u, f := pickerHarness(t, "en")
	test.Type(f.title, "Community dialogue in Kisumu")
	f.kind.SetSelected("Community dialogue")
	f.start.entry.SetText("2025-03-14")
	test.Type(f.country, "ken")
	f.country.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(f.place, "Kisumu")
	f.save.OnTapped()
	h.settle()
	got := h.activities(store.ActivityFilter{Text: "Kisumu"})
	if len(got) != 1 || got[0].Country != "KE" {
		var errs []string
		for k, e := range f.errs {
			if e.Visible() {
				errs = append(errs, k+": "+e.Text)
			}
		}
		t.Fatalf("stored %+v (errors: %v)", got, errs)
	}

	s := u.activities
	s.country.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if first := shownCodes(s.country)[0]; first != "" {
		t.Fatalf("the filter's first row is %q, want all countries", first)
	}
	test.Type(s.country, "ken")
	s.country.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if s.filter.Country != "KE" || s.total != 2 {
		t.Fatalf("filter %q lists %d", s.filter.Country, s.total)
	}
	// Emptying the text and leaving the field means all countries again.
	s.country.SetText("")
	s.country.FocusLost()
	h.settle()
	if s.filter.Country != "" || s.total != 6 {
		t.Fatalf("after clearing: filter %q lists %d", s.filter.Country, s.total)
	}
}
