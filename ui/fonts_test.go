package ui

import (
	"strings"
	"testing"
	"unicode"
)

// A language whose letters no font on the computer can draw gets a notice
// naming the font to install, instead of silent empty boxes.
func TestMissingFontIsExplained(t *testing.T) {
	h := newHarness(t)
	h.extra.Covers = func(r rune) bool { return r < 0x1780 || r > 0x17FF } // no Khmer font
	u := h.start("km")
	h.settle()
	if u.fontDialog == nil {
		t.Fatal("no notice about the missing Khmer font")
	}
	if got := u.fontNotice; !strings.Contains(got, "Noto Sans Khmer") || !strings.Contains(got, "ខ្មែរ") || !strings.ContainsFunc(strings.ReplaceAll(got, "ខ្មែរ", ""), func(r rune) bool { return unicode.Is(unicode.Khmer, r) }) {
		t.Fatalf("notice does not name the language, a letter and the font: %q", got)
	}

	// English draws with the bundled font: no notice.
	h2 := newHarness(t)
	h2.extra.Covers = func(r rune) bool { return r < 0x1780 || r > 0x17FF }
	if u2 := h2.start("en"); u2.fontDialog != nil {
		t.Fatal("notice shown for English")
	}
}
