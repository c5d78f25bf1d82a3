package fontcover

import (
	"os"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
)

// Every script whose marks must share their letter's font gets one
// installed font that draws all of its letters and marks, regular and bold;
// texts Fyne's bundled font draws need none.
func TestScriptFontDrawsWholeScript(t *testing.T) {
	t.Parallel()
	s, err := System(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if sys, _ := s.Fonts(); sys == 0 {
		t.Fatal("no system fonts found; install fonts-noto-core (make deps-run)")
	}
	for _, f := range []string{theme.DefaultTextFont().Name()} {
		if err := s.AddFont(f, theme.DefaultTextFont().Content()); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		lang, text, family string
	}{
		// U+17CB BANTOC and U+17C9 MUUSIKATOAN are also in Noto Looped
		// Thai, which is how they came out detached before.
		{"km", "កាលបរិច្ឆេទចាប់ផ្តើម ការកំណត់ ប៉ុណ្ណោះ តង់សានី", "Noto Sans Khmer"},
		{"th", "การตั้งค่า เซิร์ฟเวอร์กลาง ภาษาไทย", "Noto Sans Thai"},
		{"lo", "ພາສາລາວ ການຕັ້ງຄ່າ", "Noto Sans Lao"},
		{"bn", "বাংলা সেটিংস কার্যক্রম", "Noto Sans Bengali"},
		{"hi", "हिन्दी सेटिंग्स गतिविधियाँ", "Noto Sans Devanagari"},
		// Faces of a collection: the one of the language's region.
		{"ko", "설정 활동 보고서", "Noto Sans CJK KR"},
		{"zh-Hans", "设置 活动 报告", "Noto Sans CJK SC"},
	}
	for _, c := range cases {
		regular, boldFace := s.ScriptFonts([]string{"Settings: ", c.text, " 12"})
		for _, bold := range []bool{false, true} {
			at := regular
			if bold {
				at = boldFace
			}
			file := at.File
			if file == "" {
				t.Errorf("%s (bold %v): no font chosen", c.lang, bold)
				continue
			}
			f := parseFace(t, file, int(at.Index))
			if got := f.Describe().Family; got != c.family {
				t.Errorf("%s (bold %v): chose %s (%s), want %s", c.lang, bold, got, file, c.family)
			}
			if w := f.Describe().Aspect.Weight; bold != (w >= font.WeightBold) {
				t.Errorf("%s (bold %v): chose weight %v (%s)", c.lang, bold, w, file)
			}
			for _, r := range c.text {
				if !unicode.IsSpace(r) {
					if _, ok := f.NominalGlyph(r); !ok {
						t.Errorf("%s: %s has no glyph for %U", c.lang, file, r)
					}
				}
			}
		}
	}
	for _, text := range []string{"Activities — Malawi", "Тайлан", "العربية", ""} {
		if at, _ := s.ScriptFonts([]string{text}); at.File != "" {
			t.Errorf("%q needs no script font, got %s", text, at.File)
		}
	}
}

func parseFace(t *testing.T, file string, index int) *font.Font {
	t.Helper()
	r, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	faces, err := font.ParseTTC(r)
	if err != nil || index >= len(faces) {
		t.Fatalf("parse %s: %v", file, err)
	}
	return faces[index].Font
}

func TestFamilyKey(t *testing.T) {
	if got := familyKey("Noto Sans Khmer"); got != "notosanskhmer" || strings.Contains(got, " ") {
		t.Errorf("familyKey = %q", got)
	}
}
