package ui

import (
	"testing"

	"github.com/a20-network/fieldbook/bidi"
	"github.com/a20-network/fieldbook/locales"
)

// TestShownOrderForFyne checks the order text is handed to Fyne in on an
// Arabic screen: words in visual order, each Arabic word in typing order
// for Fyne's shaper, numbers left to right, and text without Arabic left
// alone. In English nothing changes.
func TestShownOrderForFyne(t *testing.T) {
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ar, en := b.Localizer("ar"), b.Localizer("en")
	for _, tc := range []struct{ in, want string }{
		{"زيارة مدرسية", "مدرسية زيارة"},
		{"School visit", "School visit"},
		{"12 نشاط", "نشاط 12"},
		{"تنزانيا, Mwanza", "Mwanza ,تنزانيا"},
		{"/home/amina/.config/fieldbook", "/home/amina/.config/fieldbook"},
	} {
		if got := shown(ar, tc.in); got != tc.want {
			t.Errorf("shown(ar, %q) = %q, want %q (visual %q)", tc.in, got, tc.want, bidi.Visual(tc.in, true))
		}
		if got := shown(en, tc.in); got != tc.in {
			t.Errorf("shown(en, %q) = %q", tc.in, got)
		}
	}
}
