package bidi

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/language"
	"pgregory.net/rapid"
)

// rev spells a right-to-left word as it is seen: last letter leftmost.
func rev(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}

const (
	anshita = "أنشطة"  // activities
	ziyara  = "زيارة"  // visit
	madrasi = "مدرسية" // school (adj.)
	zurna   = "زرنا"   // we visited
	madrasa = "مدرسة"  // school
	alyawm  = "اليوم"  // today
	mablagh = "المبلغ" // the amount
	dollar  = "دولار"  // dollar
	marhaba = "مرحبا"  // hello
	arNum   = "٣"      // Arabic-Indic three (class AN)
	ahmad   = "أحمد"   // a name
	hebrew  = "שלום"   // Hebrew (class R, not AL)
	arComma = "،"      // Arabic comma (class CS)
)

// Expected outputs below were worked out by hand from UAX #9; the comment
// on each case gives the levels the rules assign.
func TestVisual(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      string
		baseRTL bool
		want    string
	}{
		{"empty", "", true, ""},
		{"latin in LTR is unchanged", "School visit (3)", false, "School visit (3)"},
		{"latin alone in RTL paragraph keeps its order", "Malawi", true, "Malawi"},
		// 3:EN→level 2, space:N1 between R and R→1, letters 1.
		{"number before Arabic, RTL", "3 " + anshita, true, rev(anshita) + " 3"},
		// 3:W7 L→0, space: between L and R→e=L→0, letters 1.
		{"number before Arabic, LTR", "3 " + anshita, false, "3 " + rev(anshita)},
		// Malawi:2, " — ":between L and R→e=R→1, Arabic 1, 2026 after AL→AN→2.
		{"Malawi — school visit 2026, RTL", "Malawi — " + ziyara + " " + madrasi + " 2026", true,
			"2026 " + rev(madrasi) + " " + rev(ziyara) + " — Malawi"},
		// Malawi:0, " — ":0, Arabic 1, space between R and AN→1, 2026 AN→2.
		{"Malawi — school visit 2026, LTR", "Malawi — " + ziyara + " " + madrasi + " 2026", false,
			"Malawi — 2026 " + rev(madrasi) + " " + rev(ziyara)},
		// Chilanga: L at odd level→2; spaces between R and L→e=R→1.
		{"latin inside Arabic", zurna + " " + madrasa + " Chilanga " + alyawm, true,
			rev(alyawm) + " Chilanga " + rev(madrasa) + " " + rev(zurna)},
		// 1,250.50: EN after AL→AN (W2), CS between AN→AN (W4): one run at 2.
		{"decimal number inside Arabic", mablagh + " 1,250.50 " + dollar, true,
			rev(dollar) + " 1,250.50 " + rev(mablagh)},
		// Arabic-Indic digits are AN: level 2 in RTL, kept left to right.
		{"Arabic-Indic digits", arNum + arNum + " " + anshita, true, rev(anshita) + " " + arNum + arNum},
		// Percent after number: ET next to EN→EN (W5); EN after R (Hebrew, not AL) stays EN.
		{"percent after number in Hebrew", hebrew + " 50%", true, "50% " + rev(hebrew)},
		// Brackets in LTR around Arabic: N0 finds only R inside, context sos=L → brackets L.
		{"brackets around Arabic, LTR", "(" + marhaba + ")", false, "(" + rev(marhaba) + ")"},
		// Brackets in RTL around Arabic: R inside = e → brackets R, mirrored (L4).
		{"brackets around Arabic, RTL", "(" + marhaba + ")", true, "(" + rev(marhaba) + ")"},
		// Brackets around Latin in RTL: L inside is opposite, prior strong is R = e → R; mirrored.
		{"brackets around Latin inside Arabic", ahmad + " (Ahmed)", true, "(Ahmed) " + rev(ahmad)},
		// RLO in LTR: a,b,c forced R at level 1.
		{"right-to-left override", "x \u202Eabc\u202C y", false, "x cba y"},
		// LRO in RTL: Arabic forced L at level 2, reversed twice.
		{"left-to-right override", "\u202D" + marhaba + "\u202C", true, marhaba},
		// FSI whose first strong is Arabic isolates at level 1 inside LTR.
		{"first-strong isolate", "Name: \u2068" + ahmad + "\u2069!", false, "Name: " + rev(ahmad) + "!"},
		// RLM is strong R: the space after it sits between R and R (level 1)
		// and moves with the Arabic; the mark itself is not shown.
		{"RLM is not shown but counts", "3\u200F " + anshita, false, "3" + rev(anshita) + " "},
		// Trailing whitespace goes to the paragraph level (L1): the logical end
		// of an RTL line is its left edge.
		{"trailing space RTL", anshita + " ", true, " " + rev(anshita)},
		{"two lines reorder separately", anshita + " 3\nOK " + marhaba, true,
			"3 " + rev(anshita) + "\n" + rev(marhaba) + " OK"},
		// Arabic comma (CS) between Arabic words resolves R.
		{"Arabic comma", ziyara + arComma + " " + madrasa, true, rev(madrasa) + " " + arComma + rev(ziyara)},
		// Less-than is mirrored in an RTL run.
		{"mirrored less-than", ahmad + " < " + marhaba, true, rev(marhaba) + " > " + rev(ahmad)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Visual(c.in, c.baseRTL); got != c.want {
				t.Errorf("Visual(%q, %v)\n got %q\nwant %q", c.in, c.baseRTL, got, c.want)
			}
		})
	}
}

// The ar-XB pseudo-locale wraps English in RLO…PDF: on an RTL screen the
// words read backwards and the number stays readable at the right.
func TestVisualPseudoBidi(t *testing.T) {
	t.Parallel()
	got := Visual("3 \u202Eactivities\u202C", true)
	if want := "seitivitca 3"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestRunsAndEmbedded(t *testing.T) {
	t.Parallel()
	in := "Malawi — " + ziyara + " " + madrasi + " 2026"
	got := Runs(in, true)
	want := []Run{
		{Text: "2026", RTL: false},
		{Text: " — " + ziyara + " " + madrasi + " ", RTL: true},
		{Text: "Malawi", RTL: false},
	}
	// The RTL run's text is logical: the shaper reverses it. Its visual
	// order must agree with Visual.
	if !slices.Equal(got, want) {
		t.Fatalf("Runs = %+v\nwant %+v", got, want)
	}
	var seen strings.Builder
	for _, r := range got {
		if r.RTL {
			seen.WriteString(rev(r.Text))
		} else {
			seen.WriteString(r.Text)
		}
	}
	if v := Visual(in, true); seen.String() != v {
		t.Fatalf("runs seen %q, Visual %q", seen.String(), v)
	}
	e := Embedded(in, true)
	if !strings.HasPrefix(e, "\u202A2026\u202C\u202B") || !strings.HasSuffix(e, "\u202AMalawi\u202C") {
		t.Fatalf("Embedded = %q", e)
	}
}

func TestIsRTL(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]bool{
		"ar": true, "ar-XB": true, "fa": true, "he": true, "ur": true,
		"en": false, "en-XA": false, "fr": false, "zh-Hans": false, "sw": false, "mn": false,
	} {
		if got := IsRTL(language.MustParse(tag)); got != want {
			t.Errorf("IsRTL(%s) = %v", tag, got)
		}
	}
}

func TestFirstStrong(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in      string
		rtl, ok bool
	}{
		{"123 " + ahmad, true, true},
		{"Ahmed " + ahmad, false, true},
		{"\u2067Ahmed\u2069 " + ahmad, true, true}, // isolates are skipped
		{"42 — !", false, false},
	} {
		if rtl, ok := FirstStrong(c.in); rtl != c.rtl || ok != c.ok {
			t.Errorf("FirstStrong(%q) = %v, %v", c.in, rtl, ok)
		}
	}
}

// Visual only reorders: the shown runes are the input's minus bidi
// controls, with mirrored pairs possibly swapped; pure LTR text in an LTR
// paragraph is unchanged; and reordering never panics.
func TestVisualIsAPermutation(t *testing.T) {
	t.Parallel()
	alphabet := []rune("ab 12,.%()<>-" + ahmad + arNum + hebrew + "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u0651\t\n")
	rapid.Check(t, func(t *rapid.T) {
		rs := rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 40).Draw(t, "runes")
		s := string(rs)
		rtl := rapid.Bool().Draw(t, "rtl")
		got := Visual(s, rtl)
		norm := func(s string) []rune {
			var out []rune
			for _, r := range s {
				if dropped(r) {
					continue
				}
				if m := mirror(r); m < r {
					r = m
				}
				out = append(out, r)
			}
			slices.Sort(out)
			return out
		}
		if !slices.Equal(norm(got), norm(s)) {
			t.Fatalf("Visual(%q, %v) = %q is not a reordering", s, rtl, got)
		}
	})
}

func FuzzVisual(f *testing.F) {
	for _, s := range []string{"", "3 " + anshita, "Malawi — " + ziyara + " 2026", "\u202E\u202E\u2067x\u202C(", "((((" + ahmad + "]]]"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, rtl bool) {
		v := Visual(s, rtl)
		if !rtl && !strings.ContainsFunc(s, func(r rune) bool { c := class(r); return c != cL && c != cWS }) && v != s {
			t.Fatalf("LTR-only %q changed to %q", s, v)
		}
		_ = Runs(s, rtl)
	})
}

// BenchmarkVisual reorders a typical mixed Arabic line (a list row).
func BenchmarkVisual(b *testing.B) {
	line := "Malawi — " + ziyara + " " + madrasi + " 2026 (" + ahmad + ", 1,250.50 " + dollar + ")"
	n := 0
	for b.Loop() {
		n += len(Visual(line, true))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len([]rune(line))), "ns/rune")
}

// TestIsolateKeepsEmbeddedLatinValuesWhole: a host name, a device name
// or an address inside Arabic text reads as typed once isolated; without
// the isolate the bidi algorithm moves its digits and brackets.
func TestIsolateKeepsEmbeddedLatinValuesWhole(t *testing.T) {
	for _, v := range []string{"https://192.168.1.20:8080/", "02-kasungu", "laptop-kasungu-02 (2)"} {
		s := "متصل الآن بـ " + Isolate(v) + " (من الجهاز)"
		if got := Visual(s, true); !strings.Contains(got, v) {
			t.Errorf("%q shows as %q", v, got)
		}
	}
	for _, v := range []string{"", "مزوزو", "١٢٣", "\u2068x\u2069"} {
		if got := Isolate(v); got != v {
			t.Errorf("Isolate(%q) = %q, want it unchanged", v, got)
		}
	}
}
