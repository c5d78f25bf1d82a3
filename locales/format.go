package locales

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// FormatNumber writes n the way tag's language does: its digit grouping
// ("1 234 567" in French, "12,34,567" in Hindi) and digits (Arabic-Indic
// in Arabic, Bengali digits in Bengali). Safe for concurrent use.
func FormatNumber(tag language.Tag, n int) string {
	return message.NewPrinter(formatTag(tag)).Sprint(number.Decimal(n))
}

// FormatDecimal writes x the way tag's language does, with minFrac to
// maxFrac digits after its decimal separator ("3.2" in English, "٣٫٢" in
// Arabic, "3,2" in French). Safe for concurrent use.
func FormatDecimal(tag language.Tag, x float64, minFrac, maxFrac int) string {
	return message.NewPrinter(formatTag(tag)).Sprint(number.Decimal(x, number.MinFractionDigits(minFrac), number.MaxFractionDigits(maxFrac)))
}

// datePatterns are numeric date layouts (Go reference time) per language,
// after CLDR's short or medium date formats. Unlisted languages use ISO 8601.
var datePatterns = map[string]string{
	"en":  "2 Jan 2006",
	"fr":  "02/01/2006",
	"es":  "2/1/2006",
	"pt":  "02/01/2006",
	"ar":  "2\u200f/1\u200f/2006",
	"zh":  "2006/1/2",
	"hi":  "2/1/2006",
	"bn":  "2/1/2006",
	"mn":  "2006.01.02",
	"fil": "1/2/2006",
	"th":  "2/1/2006",
	"vi":  "02/01/2006",
	"lo":  "2/1/2006",
	"id":  "02/01/2006",
	"km":  "2/1/2006",
	"ko":  "2006. 1. 2.",
	"sw":  "02/01/2006",
	"ny":  "02/01/2006",
	"sn":  "02/01/2006",
	"hu":  "2006. 01. 02.",
	"sq":  "2.1.2006",
	"az":  "02.01.2006",
	"ru":  "02.01.2006",
}

// FormatDate writes t's calendar date the way tag's language does
// (27/11/2026, 2026. 11. 27., ٢٧‏/١١‏/٢٠٢٦). Years are in the language's era
// ([EraOffset]: the Buddhist era in Thai), as its users expect. Languages without a pattern get
// 2026-11-27.
func FormatDate(tag language.Tag, t time.Time) string {
	ft := formatTag(tag)
	base, _ := ft.Base()
	layout, ok := datePatterns[base.String()]
	if !ok {
		layout = "2006-01-02"
	}
	out := t.Format(strings.Replace(layout, "2006", "\x00", 1))
	out = strings.Replace(out, "\x00", strconv.Itoa(t.Year()+EraOffset(ft)), 1)
	return localDigits(ft, out)
}

// LocalDigits writes the ASCII digits of s with the digits tag's numbers
// use (Arabic-Indic in Arabic, Bengali in Bengali), leaving every other
// character as it is: for texts such as "2026-05" that are not one number.
func LocalDigits(tag language.Tag, s string) string { return localDigits(formatTag(tag), s) }

// localDigits replaces ASCII digits with the ones tag's numbers use.
func localDigits(tag language.Tag, s string) string {
	p := message.NewPrinter(tag)
	zero := []rune(p.Sprint(number.Decimal(0)))
	if len(zero) != 1 || zero[0] == '0' {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return zero[0] + (r - '0')
		}
		return r
	}, s)
}

// formatTag maps pseudo-locales to the language they imitate.
func formatTag(tag language.Tag) language.Tag {
	switch tag.String() {
	case PseudoAccented.String():
		return language.English
	case PseudoBidi.String():
		return language.Arabic
	}
	return tag
}
