package ui

import (
	"testing"

	"github.com/a20-network/fieldbook/bidi"
)

// TestShownOrderForFyne checks the order text is handed to Fyne in on an
// Arabic screen: words in visual order, each Arabic word in typing order
// for Fyne's shaper, and numbers left to right.
func TestShownOrderForFyne(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"زيارة مدرسية", "مدرسية زيارة"},
		{"School visit", "School visit"},
		{"12 نشاط", "نشاط 12"},
		{"تنزانيا, Mwanza", "Mwanza ,تنزانيا"},
	} {
		if got := fyneOrder(tc.in); got != tc.want {
			t.Errorf("fyneOrder(%q) = %q, want %q (visual %q)", tc.in, got, tc.want, bidi.Visual(tc.in, true))
		}
	}
}
