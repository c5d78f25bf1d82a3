package locales

import (
	"strings"
	"unicode/utf8"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

var (
	// PseudoAccented (en-XA) is English with accented letters, about 40%
	// longer and in brackets: it shows text that is not localized, cut off
	// by a too-narrow widget, or glued together from pieces.
	PseudoAccented = language.MustParse("en-XA")
	// PseudoBidi (ar-XB) is English written right to left (each run of
	// words inside RIGHT-TO-LEFT OVERRIDE … POP DIRECTIONAL FORMATTING) in a
	// right-to-left layout: it shows what a right-to-left language will do
	// to the screens without knowing one.
	PseudoBidi = language.MustParse("ar-XB")
)

// PseudoLocales returns the developer pseudo-locales every bundle has.
func PseudoLocales() []language.Tag { return []language.Tag{PseudoAccented, PseudoBidi} }

func pseudoTag(tag language.Tag) (language.Tag, bool) {
	for _, p := range PseudoLocales() {
		if tag == p {
			return p, true
		}
	}
	return language.Und, false
}

// pseudoMessages makes pseudo-locale tag's messages from English's.
func pseudoMessages(tag language.Tag, en map[string]*i18n.Message) map[string]*i18n.Message {
	out := make(map[string]*i18n.Message, len(en))
	for id, m := range en {
		p := &i18n.Message{ID: id, LeftDelim: m.LeftDelim, RightDelim: m.RightDelim}
		other, one := m.Other, m.One
		if tag == PseudoAccented {
			p.Other, p.One = Accent(other), Accent(one)
		} else {
			if one == "" {
				one = other
			}
			if other != "" {
				p.Zero, p.Two, p.Few, p.Many, p.Other = Mirror(other), Mirror(other), Mirror(other), Mirror(other), Mirror(other)
			}
			if one != "" {
				p.One = Mirror(one)
			}
		}
		out[id] = p
	}
	return out
}

var accents = map[rune]rune{
	'a': 'á', 'b': 'ƀ', 'c': 'ç', 'd': 'ð', 'e': 'é', 'f': 'ƒ', 'g': 'ĝ', 'h': 'ĥ', 'i': 'î', 'j': 'ĵ',
	'k': 'ķ', 'l': 'ļ', 'm': 'ɱ', 'n': 'ñ', 'o': 'ö', 'p': 'þ', 'q': 'ǫ', 'r': 'ŕ', 's': 'š', 't': 'ţ',
	'u': 'û', 'v': 'ṽ', 'w': 'ŵ', 'x': 'ẋ', 'y': 'ý', 'z': 'ž',
	'A': 'Å', 'B': 'Ɓ', 'C': 'Ç', 'D': 'Ð', 'E': 'É', 'F': 'Ƒ', 'G': 'Ĝ', 'H': 'Ĥ', 'I': 'Î', 'J': 'Ĵ',
	'K': 'Ķ', 'L': 'Ļ', 'M': 'Ṁ', 'N': 'Ñ', 'O': 'Ö', 'P': 'Þ', 'Q': 'Ǫ', 'R': 'Ŕ', 'S': 'Š', 'T': 'Ţ',
	'U': 'Û', 'V': 'Ṽ', 'W': 'Ŵ', 'X': 'Ẋ', 'Y': 'Ý', 'Z': 'Ž',
}

// Accent turns English text into en-XA text: "School visit" becomes
// "[Šçĥööļ ṽîšîţ ·····]". Template actions ({{.Count}}) are kept as they
// are; the visible text grows by about 40% (at least one filler dot).
func Accent(s string) string {
	if s == "" {
		return ""
	}
	var sb strings.Builder
	visible := 0
	sb.WriteString("[")
	forText(s, func(text string, isAction bool) {
		if isAction {
			sb.WriteString(text)
			return
		}
		for _, r := range text {
			if a, ok := accents[r]; ok {
				r = a
			}
			sb.WriteRune(r)
			visible++
		}
	})
	pad := (visible*4 + 9) / 10
	if pad < 1 {
		pad = 1
	}
	sb.WriteString(" ")
	sb.WriteString(strings.Repeat("·", pad))
	sb.WriteString("]")
	return sb.String()
}

const (
	rlo = '\u202E'
	pdf = '\u202C'
)

// Mirror turns English text into ar-XB text: each stretch of text between
// template actions is wrapped in RIGHT-TO-LEFT OVERRIDE … POP DIRECTIONAL
// FORMATTING, so it reads backwards once laid out right to left, and
// template actions stay readable.
func Mirror(s string) string {
	var sb strings.Builder
	forText(s, func(text string, isAction bool) {
		if isAction || strings.TrimSpace(text) == "" {
			sb.WriteString(text)
			return
		}
		lead := text[:len(text)-len(strings.TrimLeft(text, " "))]
		trail := text[len(strings.TrimRight(text, " ")):]
		sb.WriteString(lead)
		sb.WriteRune(rlo)
		sb.WriteString(strings.TrimSpace(text))
		sb.WriteRune(pdf)
		sb.WriteString(trail)
	})
	return sb.String()
}

// forText calls fn for each stretch of s, saying whether it is a template
// action ({{…}}) or text. An unterminated action counts as text.
func forText(s string, fn func(text string, isAction bool)) {
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			fn(s, false)
			return
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			fn(s, false)
			return
		}
		if i > 0 {
			fn(s[:i], false)
		}
		fn(s[i:i+j+2], true)
		s = s[i+j+2:]
	}
}

// visibleLen is the number of runes of s outside template actions.
func visibleLen(s string) int {
	n := 0
	forText(s, func(text string, isAction bool) {
		if !isAction {
			n += utf8.RuneCountInString(text)
		}
	})
	return n
}
