package ui

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	xbidi "golang.org/x/text/unicode/bidi"
	"pgregory.net/rapid"

	"github.com/a20-network/fieldbook/internal/bidi"
	"github.com/a20-network/fieldbook/locales"
)

// fyneDrawsMu serializes [fyneDraws].
var fyneDrawsMu sync.Mutex

// fyneDraws returns text as Fyne 2.7 draws it, leftmost rune first, found
// the way Fyne's painter finds it (walkString in fyne's internal/painter):
// go-text's shaping.Segmenter splits each line by bidi direction (for a
// left-to-right paragraph), by script (paired brackets taking the script
// of the text they enclose) and by face, HarfBuzz shapes each piece
// (reversing a right-to-left one and mirroring brackets there as it
// decides, not as a separate model of it would), and the pieces are placed
// left to right in the order of the string. A glyph is read back as the
// runes of its cluster, a bracket as the one whose glyph was drawn.
// LEFT-TO-RIGHT MARKs draw nothing. It also returns the right-to-left
// runs, for checking that no font change can cut one (see shown).
func fyneDraws(t *testing.T, text string) (string, []string) {
	t.Helper()
	// The faces are shared and a go-text face caches glyph extents
	// without a lock (Fyne's painter uses one from one goroutine): the
	// parallel tests take turns.
	fyneDrawsMu.Lock()
	defer fyneDrawsMu.Unlock()
	faces := fyneTestFaces(t)
	var lines []string
	var rtlRuns []string
	var seg shaping.Segmenter
	var shaper shaping.HarfbuzzShaper
	for _, line := range strings.Split(text, "\n") {
		var sb strings.Builder
		runes := []rune(line)
		if len(runes) > 0 {
			in := shaping.Input{Text: runes, RunEnd: len(runes), Direction: di.DirectionLTR,
				Face: faces.ResolveFace(' '), Size: fixed.I(16)}
			lastRTL := false
			for _, run := range seg.Split(in, faces) {
				rtl := run.Direction.Progression() == di.TowardTopLeft
				piece := string(runes[run.RunStart:run.RunEnd])
				if rtl && lastRTL {
					// one bidi run cut by script or face: the check is on the whole run
					rtlRuns[len(rtlRuns)-1] += piece
				} else if rtl {
					rtlRuns = append(rtlRuns, piece)
				}
				lastRTL = rtl
				for _, c := range drawnRunes(shaper.Shape(run), run, rtl) {
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

// drawnRunes reads the glyphs HarfBuzz shaped for run back as runes, in
// the order they are drawn: each glyph cluster as the runes it covers
// (reversed in a right-to-left run), a one-rune cluster as the rune whose
// glyph it is when that is the rune's mirror (a bracket).
func drawnRunes(out shaping.Output, run shaping.Input, rtl bool) []rune {
	var starts []int
	for _, g := range out.Glyphs {
		starts = append(starts, g.ClusterIndex)
	}
	slices.Sort(starts)
	starts = slices.Compact(starts)
	clusterEnd := func(c int) int {
		if i, _ := slices.BinarySearch(starts, c); i+1 < len(starts) {
			return starts[i+1]
		}
		return run.RunEnd
	}
	var drawn []rune
	for i, g := range out.Glyphs {
		if i > 0 && out.Glyphs[i-1].ClusterIndex == g.ClusterIndex {
			continue // more glyphs of the same cluster
		}
		cluster := slices.Clone(run.Text[g.ClusterIndex:clusterEnd(g.ClusterIndex)])
		if len(cluster) == 1 {
			r := cluster[0]
			if m := mirrorOf(r); m != r {
				own, _ := run.Face.NominalGlyph(r)
				mirrored, _ := run.Face.NominalGlyph(m)
				if g.GlyphID == font.GID(mirrored) && g.GlyphID != font.GID(own) {
					cluster[0] = m
				}
			}
		}
		if rtl {
			slices.Reverse(cluster)
		}
		drawn = append(drawn, cluster...)
	}
	return drawn
}

// mirrorOf is r's mirrored form (")" for "("), or r.
func mirrorOf(r rune) rune {
	if m := []rune(xbidi.ReverseString(string(r))); len(m) == 1 {
		return m[0]
	}
	return r
}

// fyneFaces stands in for Fyne's font map: Fyne's bundled font for every
// rune it draws, and another face for the rest (Arabic letters come from a
// system font), so text is cut into runs where Fyne cuts it, with no
// dependence on the fonts installed.
type fyneFaces struct{ bundled, other *font.Face }

// ResolveFace is the bundled face if it draws r, the other one if not.
func (f fyneFaces) ResolveFace(r rune) *font.Face {
	if _, ok := f.bundled.NominalGlyph(r); ok {
		return f.bundled
	}
	return f.other
}

var fyneTestFacesOnce = sync.OnceValues(func() (fyneFaces, error) {
	var faces [2]*font.Face
	for i := range faces {
		f, err := font.ParseTTF(bytes.NewReader(theme.DefaultTextFont().Content()))
		if err != nil {
			return fyneFaces{}, err
		}
		faces[i] = f
	}
	return fyneFaces{bundled: faces[0], other: faces[1]}, nil
})

func fyneTestFaces(t *testing.T) fyneFaces {
	t.Helper()
	f, err := fyneTestFacesOnce()
	if err != nil {
		t.Fatal(err)
	}
	return f
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
		// Latin values come isolated (FSI…PDI) from the localizer.
		{"isolated device in brackets", ar.T("conflicts.kept_aside", "By", "laptop-kasungu-02")},
		{"digits and device in brackets", ar.T("conflicts.keep_aside", "Value", "٣٦", "By", "laptop-kasungu-02")},
		{"Arabic in brackets", ar.T("conflicts.keep_shown", "Value", "٢٩")},
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
		" ", " ", " ", ".", ",", "،", "·", ":", "(", ")", "«", "»", "-", "/", "%", "؟", "\n",
		"\u2068laptop-kasungu-02\u2069", "\u2068(Mwanza)\u2069"}
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
