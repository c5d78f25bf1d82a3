package fontcover

import (
	"testing"

	"fyne.io/fyne/v2/theme"
)

func TestBundledFontCoverage(t *testing.T) {
	t.Parallel()
	s := &Set{}
	if err := s.AddFont("bundled", theme.DefaultTextFont().Content()); err != nil {
		t.Fatal(err)
	}
	for _, r := range []rune{'a', 'é', 'ř', 'Ж', 'ə'} {
		if !s.Covers(r) {
			t.Errorf("bundled font should draw %q", r)
		}
	}
	for _, r := range []rune{'ក', 'ລ', 'ক', 'ا', '한'} { // Khmer, Lao, Bengali, Arabic, Hangul
		if s.Covers(r) {
			t.Errorf("bundled Latin font claims %q", r)
		}
	}
	if err := s.AddFont("garbage", []byte("not a font")); err == nil {
		t.Error("garbage accepted as a font")
	}
}

// The Noto fonts that make run/test install cover every script Fieldbook
// ships a language in.
func TestSystemFontsCoverShippedScripts(t *testing.T) {
	t.Parallel()
	s, err := System(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if sys, _ := s.Fonts(); sys == 0 {
		t.Fatal("no system fonts found; install fonts-noto-core and fonts-noto-cjk (make deps-run)")
	}
	for _, r := range []rune{'a', 'ا', 'क', 'ক', 'ក', 'ລ', 'ก', '한', '简', 'Ж'} {
		if !s.Covers(r) {
			t.Errorf("no system font draws %q (U+%04X)", r, r)
		}
	}
}

func TestMissingAndSuggest(t *testing.T) {
	t.Parallel()
	latinOnly := func(r rune) bool { return r < 0x250 }
	got := Missing(latinOnly, "Sync now", "ការអប់រំ ការ", "\u200fok")
	if len(got) == 0 || got[0] != 'ក' {
		t.Fatalf("Missing = %q", got)
	}
	for _, r := range got {
		if r == ' ' || r == '\u200f' {
			t.Fatalf("Missing reported %q", r)
		}
	}
	if len(got) != 7 { // ក ា រ អ ប ់ ំ, each once
		t.Fatalf("Missing = %q, want 7 distinct Khmer runes", got)
	}
	for r, want := range map[rune]string{'ក': "Noto Sans Khmer", 'ກ': "Noto Sans Lao", 'ب': "Noto Sans Arabic", '한': "Noto Sans CJK KR", '☃': ""} {
		if got := Suggest(r); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", r, got, want)
		}
	}
}
