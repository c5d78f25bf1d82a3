package ui

import (
	"slices"
	"strings"
	"testing"

	xbidi "golang.org/x/text/unicode/bidi"
	"pgregory.net/rapid"

	"github.com/a20-network/fieldbook/internal/bidi"
	"github.com/a20-network/fieldbook/locales"
)

// fyneDraws returns text as Fyne 2.7 lays it out, leftmost rune first:
// each line is split into runs by the bidi algorithm for a left-to-right
// paragraph (golang.org/x/text, as go-text's segmenter does), the runs are
// placed left to right in the order of the string, and a right-to-left run
// is drawn reversed with its brackets mirrored (HarfBuzz). LEFT-TO-RIGHT
// MARKs draw nothing. It also returns the right-to-left runs, for checking
// that no font change can cut one (see shown).
func fyneDraws(t *testing.T, text string) (string, []string) {
	t.Helper()
	var lines []string
	var rtlRuns []string
	for _, line := range strings.Split(text, "\n") {
		var sb strings.Builder
		if line != "" {
			var p xbidi.Paragraph
			if _, err := p.SetString(line, xbidi.DefaultDirection(xbidi.LeftToRight)); err != nil {
				t.Fatal(err)
			}
			o, err := p.Order()
			if err != nil {
				t.Fatal(err)
			}
			for i := range o.NumRuns() {
				r := o.Run(i)
				rs := []rune(r.String())
				if r.Direction() == xbidi.RightToLeft {
					rtlRuns = append(rtlRuns, r.String())
					slices.Reverse(rs)
					for k, c := range rs {
						if m := []rune(xbidi.ReverseString(string(c))); len(m) == 1 {
							rs[k] = m[0]
						}
					}
				}
				for _, c := range rs {
					if c != lrm {
						sb.WriteRune(c)
					}
				}
			}
		}
		lines = append(lines, sb.String())
	}
	return strings.Join(lines, "\n"), rtlRuns
}

// visualLines is s in the order the bidi algorithm shows it on a
// right-to-left screen, line by line; a line the app leaves alone (no
// right-to-left letter or Arabic-Indic digit, see [rtlText]) stays as it is.
func visualLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if strings.ContainsFunc(line, rtlText) {
			lines[i] = bidi.Visual(line, true)
		}
	}
	return strings.Join(lines, "\n")
}

// checkDrawnInVisualOrder reports through fail (t.Errorf, or a rapid
// check's Fatalf) unless Fyne draws shown(ar, in) in the visual order the
// bidi algorithm gives in, with every right-to-left run one word of letters
// (so that no font change can split it).
func checkDrawnInVisualOrder(t *testing.T, fail func(format string, args ...any), ar *locales.Localizer, in string) {
	t.Helper()
	got := shown(ar, in)
	drawn, runs := fyneDraws(t, got)
	if want := visualLines(in); drawn != want {
		fail("shown(ar, %q) = %q, drawn as %q, want %q", in, got, drawn, want)
	}
	for _, r := range runs {
		if strings.ContainsFunc(r, func(c rune) bool { return !rtlLetter(c) }) {
			fail("shown(ar, %q) = %q has a right-to-left run %q holding more than letters", in, got, r)
		}
	}
}

// TestShownOrderForFyne checks the order text is handed to Fyne in on an
// Arabic screen: Fyne draws it in the visual order of the bidi algorithm
// (words, numbers, Latin names and punctuation), each Arabic word drawn by
// Fyne's shaper from typing order, text without Arabic is left alone, and
// prepared text is not prepared twice. In English nothing changes.
func TestShownOrderForFyne(t *testing.T) {
	t.Parallel()
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ar, en := b.Localizer("ar"), b.Localizer("en")
	for _, tc := range []struct{ name, in string }{
		{"two Arabic words", "زيارة مدرسية"},
		{"number then word", "12 نشاط"},
		{"Arabic then Latin", "تنزانيا, Mwanza"},
		{"list row", "23/11/2026 · زيارة مدرسية · تنزانيا, Mwanza · مسودة"},
		{"two sentences", "يحتفظ فيلدبوك بكل شيء. ويشارك عملك مع المركز."},
		{"brackets", "من (YYYY-MM-DD)"},
		{"Arabic-Indic digits", "أُرسل ١٢ وجُلب ٣"},
		{"two lines", "السطر الأول\nالسطر 2"},
		{"latin file name", "ضع ملف active.<اللغة>.toml في المجلد"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkDrawnInVisualOrder(t, t.Errorf, ar, tc.in)
			if got := shown(en, tc.in); got != tc.in {
				t.Errorf("shown(en, %q) = %q", tc.in, got)
			}
			once := shown(ar, tc.in)
			if twice := shown(ar, once); twice != once {
				t.Errorf("shown twice = %q, once %q", twice, once)
			}
		})
	}
	for _, plain := range []string{"/home/amina/.config/fieldbook", "School visit", "0.1.0-dev", ""} {
		if got := shown(ar, plain); got != plain {
			t.Errorf("shown(ar, %q) = %q, want it unchanged", plain, got)
		}
	}
}

// TestShownDrawnInVisualOrderProperty checks the same on generated mixes
// of Arabic words, Latin words, numbers, spaces and punctuation that hold
// an Arabic word.
func TestShownDrawnInVisualOrderProperty(t *testing.T) {
	t.Parallel()
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ar := b.Localizer("ar")
	pieces := []string{"زيارة", "مدرسية", "أَطفال", "Mwanza", "CSV", "12", "٣", "2026-11-23",
		" ", " ", " ", ".", ",", "،", "·", ":", "(", ")", "«", "»", "-", "/", "%", "؟", "\n"}
	rapid.Check(t, func(rt *rapid.T) {
		parts := rapid.SliceOfN(rapid.SampledFrom(pieces), 1, 14).Draw(rt, "parts")
		in := strings.Join(parts, "")
		if !strings.ContainsFunc(in, rtlLetter) {
			return // left alone on purpose (see shown)
		}
		checkDrawnInVisualOrder(t, rt.Fatalf, ar, in)
	})
}

// TestShownKeepsSpacesBesideDigits checks that a space between an Arabic
// word and a number stays between them once Fyne draws the text: Fyne
// lays a space at the edge of an Arabic run out with the run, so text
// prepared word by word without the marks came out "12نشاط " with the
// space at the far end.
func TestShownKeepsSpacesBesideDigits(t *testing.T) {
	t.Parallel()
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ar := b.Localizer("ar")
	for _, tc := range []struct{ in, want string }{
		{"نشاط 12", "12 " + reversed("نشاط")},
		{"12 نشاط", reversed("نشاط") + " 12"},
		{"أرسل 3 وجلب 40", "40 " + reversed("وجلب") + " 3 " + reversed("أرسل")},
		{"التغييرات: 1٬204", "1٬204 :" + reversed("التغييرات")},
	} {
		drawn, _ := fyneDraws(t, shown(ar, tc.in))
		if drawn != tc.want {
			t.Errorf("shown(ar, %q) is drawn as %q, want %q", tc.in, drawn, tc.want)
		}
	}
}

// reversed spells a right-to-left word as it is seen: last letter leftmost.
func reversed(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

// Marks of left-to-right scripts (a Devanagari virama, a Khmer coeng, Thai
// vowels) are bidi class NSM like Arabic harakat, but belong to their
// letters: in the Arabic interface a language's own name or a place name in
// those scripts is kept whole, also inside Arabic text, while Arabic words
// keep their harakat.
func TestShownKeepsMarksOfLeftToRightScripts(t *testing.T) {
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ar := b.Localizer("ar")
	for _, s := range []string{"हिन्दी", "ខ្មែរ", "ไทย", "বাংলা", "ພາສາລາວ"} {
		if got := shown(ar, s); got != s {
			t.Errorf("shown(%q) = %q, want it unchanged", s, got)
		}
	}
	got := shown(ar, "زيارة مدرسية — हिन्दी 2026")
	if !strings.Contains(got, "हिन्दी 2026") {
		t.Errorf("the Hindi word was cut: %q", got)
	}
	if got := shown(ar, "مُعَلِّم"); strings.ReplaceAll(got, string(lrm), "") != "مُعَلِّم" {
		t.Errorf("an Arabic word with harakat became %q", got)
	}
}
