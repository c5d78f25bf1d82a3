package bidi

import (
	"testing"

	xbidi "golang.org/x/text/unicode/bidi"
	"pgregory.net/rapid"
)

// x/text's bidi core (a port of the Unicode reference implementation)
// resolves levels but only reports each run's direction, in logical order.
// For text without explicit controls, the parity of our levels must agree
// with those directions character by character. Brackets are left out:
// Paragraph records each bracket's own rune as its pair value, so "(" never
// matches ")" and rule N0 never applies there; our N0 is covered by the
// hand-checked cases in TestVisual.
func TestLevelsAgreeWithXText(t *testing.T) {
	t.Parallel()
	alphabet := []rune("ab Z12,.%+-!/:" + ahmad + hebrew + arNum + "\u0651\t\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069")
	rapid.Check(t, func(t *rapid.T) {
		rtl := rapid.Bool().Draw(t, "rtl")
		first := 'a' // x/text takes the paragraph direction from the first strong letter
		if rtl {
			first = 'ب'
		}
		rest := rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 30).Draw(t, "runes")
		text := append([]rune{first}, rest...)
		var p xbidi.Paragraph
		if _, err := p.SetString(string(text)); err != nil {
			t.Fatal(err)
		}
		o, err := p.Order()
		if err != nil {
			t.Fatal(err)
		}
		want := make([]bool, len(text)) // true = right to left
		for i := 0; i < o.NumRuns(); i++ {
			r := o.Run(i)
			start, end := r.Pos()
			for k := start; k <= end && k < len(want); k++ {
				want[k] = r.Direction() == xbidi.RightToLeft
			}
		}
		ours := analyze(text, rtl)
		for k := range text {
			if ours.removed[k] || dropped(text[k]) {
				continue
			}
			if got := ours.lv[k]%2 == 1; got != want[k] {
				t.Fatalf("%q (rtl=%v): rune %d %q: ours level %d, x/text RTL=%v\nlevels %v", string(text), rtl, k, text[k], ours.lv[k], want[k], ours.lv)
			}
		}
	})
}
