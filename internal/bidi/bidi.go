// Package bidi lays out text that mixes right-to-left scripts (Arabic) with
// left-to-right ones and numbers, following the Unicode Bidirectional
// Algorithm (UAX #9): [Visual] reorders a line from the order it was typed
// in into the order it is seen in, and [Runs] / [Embedded] give the same
// order as directional runs for renderers that shape each run themselves
// (Fyne shapes runs but places them left to right). [IsRTL] tells whether a
// language's screens are mirrored.
//
// Character classes come from golang.org/x/text/unicode/bidi; the rules are
// implemented here because that package's Ordering neither reports levels
// nor reorders runs (rule L2). The implementation covers explicit
// embeddings, overrides and isolates (X1–X10), weak types (W1–W7), paired
// brackets (N0), neutrals (N1–N2), implicit levels (I1–I2) and reordering
// (L1, L2, L4 for mirrored characters). Every function is safe for
// concurrent use.
package bidi

import (
	"strings"

	"golang.org/x/text/language"
	xbidi "golang.org/x/text/unicode/bidi"
)

// Visual returns s reordered into visual order: the first rune of the
// result is the leftmost on screen. baseRTL sets the paragraph direction
// (true for an Arabic screen). Lines (split at paragraph separators such as
// "\n") are reordered separately and keep their separators; mirrored
// characters such as brackets are swapped in right-to-left runs; bidi
// control characters (LRM, RLM, ALM, embeddings, overrides, isolates) are
// dropped, since they only steer the order.
func Visual(s string, baseRTL bool) string {
	var sb strings.Builder
	forParagraphs(s, func(text []rune, sep string) {
		p := analyze(text, baseRTL)
		for _, i := range p.visualOrder() {
			if dropped(text[i]) {
				continue
			}
			r := text[i]
			if p.lv[i]%2 == 1 {
				r = mirror(r)
			}
			sb.WriteRune(r)
		}
		sb.WriteString(sep)
	})
	return sb.String()
}

// Run is a stretch of one direction, as returned by [Runs].
type Run struct {
	// Text is in logical (typed) order; a shaper lays out RTL runs from
	// right to left itself.
	Text string
	RTL  bool
}

// Runs splits one line of s into directional runs in visual order, left
// to right, each run's text kept in logical order (bidi controls dropped).
// It is for renderers that shape and reverse each right-to-left run
// themselves but place runs one after another.
func Runs(s string, baseRTL bool) []Run {
	var out []Run
	forParagraphs(s, func(text []rune, sep string) {
		p := analyze(text, baseRTL)
		order := p.visualOrder()
		for k := 0; k < len(order); {
			lvl := p.lv[order[k]]
			j := k
			for j < len(order) && p.lv[order[j]] == lvl {
				j++
			}
			seg := order[k:j]
			var rs []rune
			if lvl%2 == 1 { // visual order of an RTL run is reversed logical order
				for x := len(seg) - 1; x >= 0; x-- {
					rs = append(rs, text[seg[x]])
				}
			} else {
				for _, i := range seg {
					rs = append(rs, text[i])
				}
			}
			rs = dropControls(rs)
			if len(rs) > 0 {
				out = append(out, Run{Text: string(rs), RTL: lvl%2 == 1})
			}
			k = j
		}
		if sep != "" {
			out = append(out, Run{Text: sep, RTL: false})
		}
	})
	return merge(out)
}

// Embedded returns the runs of [Runs] concatenated in visual order, each
// wrapped in LEFT-TO-RIGHT or RIGHT-TO-LEFT EMBEDDING … POP DIRECTIONAL
// FORMATTING. A renderer that shapes runs by direction but places them
// left to right — Fyne's text widgets — then shows s in the right order,
// with Arabic letters joined by the shaper.
func Embedded(s string, baseRTL bool) string {
	var sb strings.Builder
	for _, r := range Runs(s, baseRTL) {
		if r.RTL {
			sb.WriteRune(rle)
		} else {
			sb.WriteRune(lre)
		}
		sb.WriteString(r.Text)
		sb.WriteRune(pdf)
	}
	return sb.String()
}

func merge(runs []Run) []Run {
	var out []Run
	for _, r := range runs {
		if n := len(out); n > 0 && out[n-1].RTL == r.RTL {
			// Two right-to-left runs side by side on screen are, in
			// logical order, the right one first.
			if r.RTL {
				out[n-1].Text = r.Text + out[n-1].Text
			} else {
				out[n-1].Text += r.Text
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// rtlScripts are the scripts written right to left.
var rtlScripts = map[string]bool{
	"Arab": true, "Hebr": true, "Thaa": true, "Syrc": true, "Nkoo": true,
	"Adlm": true, "Rohg": true, "Mand": true, "Samr": true, "Yezi": true,
}

// IsRTL reports whether tag's language is written right to left, so its
// screens are mirrored (ar, fa, he, ur, ps, the ar-XB pseudo-locale).
func IsRTL(tag language.Tag) bool {
	s, _ := tag.Script()
	return rtlScripts[s.String()]
}

// FirstStrong returns the direction of s's first strong character (rules
// P2–P3, skipping isolates): for text typed by a user, whose direction is
// not the screen's. ok is false when s has no strong character.
func FirstStrong(s string) (rtl, ok bool) {
	rs := []rune(s)
	cls := make([]xbidi.Class, len(rs))
	for i, r := range rs {
		cls[i] = class(r)
	}
	d := firstStrong(cls, matchIsolates(cls), 0, len(cls))
	return d == xbidi.R, d != xbidi.ON
}

const (
	lre = '\u202A'
	rle = '\u202B'
	pdf = '\u202C'
)

func class(r rune) xbidi.Class {
	p, _ := xbidi.LookupRune(r)
	return p.Class()
}

// forParagraphs calls fn for each paragraph of s (without its separator)
// and the separator that ended it ("" for the last).
func forParagraphs(s string, fn func(text []rune, sep string)) {
	rs := []rune(s)
	start := 0
	for i, r := range rs {
		if class(r) == xbidi.B {
			fn(rs[start:i], string(r))
			start = i + 1
		}
	}
	if start < len(rs) || len(rs) == 0 {
		fn(rs[start:], "")
	}
}

// dropped are the characters that only steer the order and are not shown.
func dropped(r rune) bool {
	switch r {
	case '\u200E', '\u200F', '\u061C', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E',
		'\u2066', '\u2067', '\u2068', '\u2069':
		return true
	}
	return false
}

func dropControls(rs []rune) []rune {
	out := rs[:0]
	for _, r := range rs {
		if !dropped(r) {
			out = append(out, r)
		}
	}
	return out
}

// mirrors are Bidi_Mirrored characters that are not paired brackets (for
// brackets, x/text knows the mirror).
var mirrors = map[rune]rune{
	'<': '>', '>': '<', '≤': '≥', '≥': '≤', '«': '»', '»': '«', '‹': '›', '›': '‹',
	'∈': '∋', '∋': '∈', '⊂': '⊃', '⊃': '⊂', '≪': '≫', '≫': '≪',
}

func mirror(r rune) rune {
	if m, ok := mirrors[r]; ok {
		return m
	}
	if p, _ := xbidi.LookupRune(r); p.IsBracket() {
		if m := []rune(xbidi.ReverseString(string(r))); len(m) == 1 {
			return m[0]
		}
	}
	return r
}

const (
	fsi = '\u2068' // FIRST STRONG ISOLATE
	pdi = '\u2069' // POP DIRECTIONAL ISOLATE
)

// Isolate returns s between FIRST STRONG ISOLATE and POP DIRECTIONAL
// ISOLATE when it holds a left-to-right letter or a European digit (a
// device or host name, an address, an id, a Latin number), so that put
// into right-to-left text it keeps its own order and does not pull the
// brackets and digits around it into it. Text with neither, or already
// isolated, is returned unchanged.
func Isolate(s string) string {
	if s == "" || strings.ContainsRune(s, fsi) || !strings.ContainsFunc(s, func(r rune) bool {
		c := class(r)
		return c == xbidi.L || c == xbidi.EN
	}) {
		return s
	}
	return string(fsi) + s + string(pdi)
}

// Unisolate removes the marks [Isolate] adds.
func Unisolate(s string) string {
	return strings.Map(func(r rune) rune {
		if r == fsi || r == pdi {
			return -1
		}
		return r
	}, s)
}

// HasRTL reports whether s holds a right-to-left letter.
func HasRTL(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		c := class(r)
		return c == xbidi.R || c == xbidi.AL
	})
}
