package locales

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// eraOffsets are the years a language's everyday calendar era adds to the
// Gregorian year, after CLDR's default calendar per language: Thai counts
// in the Buddhist era (2026 is 2569). Unlisted languages count as
// Gregorian.
var eraOffsets = map[string]int{"th": 543}

// EraOffset returns the years tag's everyday era adds to the Gregorian
// year: 543 for Thai, 0 for most languages.
func EraOffset(tag language.Tag) int {
	base, _ := formatTag(tag).Base()
	return eraOffsets[base.String()]
}

// ErrNotDate is returned by [ParseDate] for text that is not a year, month
// and day.
var ErrNotDate = errors.New("not a date")

// ErrGregorianYear is returned by [ParseDate] for a Gregorian year typed
// where the language counts years in another era (2026 in Thai, where the
// year is 2569): taking it either way could silently pick a date five
// centuries off, so it is explained instead.
var ErrGregorianYear = errors.New("a Gregorian year where the era's year is expected")

// gregorianYears are the Gregorian years an activity can have; in an era
// language they are read as a mistake (see [ErrGregorianYear]).
const (
	gregorianFirst = 1900
	gregorianLast  = 2199
)

// ParseDate reads a date typed in tag's language as year-month-day, the
// year in the language's era ([EraOffset]), in Latin digits or the
// language's own (٢٠٢٦, ২০২৬, ๒๕๖๙), and returns the Gregorian date at
// midnight UTC. Text that is not a date gives an error wrapping
// [ErrNotDate]; a Gregorian year in an era language, [ErrGregorianYear].
func ParseDate(tag language.Tag, s string) (time.Time, error) {
	parts := strings.Split(strings.TrimSpace(stripMarks(latinDigits(s))), "-")
	if len(parts) != 3 || len(parts[0]) != 4 || !within(len(parts[1]), 1, 2) || !within(len(parts[2]), 1, 2) {
		return time.Time{}, fmt.Errorf("locales: parse date %q: %w", s, ErrNotDate)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || strings.ContainsAny(p, "+-") {
			return time.Time{}, fmt.Errorf("locales: parse date %q: %w", s, ErrNotDate)
		}
		n[i] = v
	}
	offset := EraOffset(tag)
	if offset != 0 && within(n[0], gregorianFirst, gregorianLast) {
		return time.Time{}, fmt.Errorf("locales: parse date %q: %w", s, ErrGregorianYear)
	}
	year := n[0] - offset
	t := time.Date(year, time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if year < 1 || t.Year() != year || int(t.Month()) != n[1] || t.Day() != n[2] {
		return time.Time{}, fmt.Errorf("locales: parse date %q: %w", s, ErrNotDate)
	}
	return t, nil
}

// FormatDateInput writes t as a date field shows it in tag's language:
// year-month-day with the year in the language's era, Latin digits (what
// keyboards type). [ParseDate] reads it back.
func FormatDateInput(tag language.Tag, t time.Time) string {
	return fmt.Sprintf("%04d-%02d-%02d", t.Year()+EraOffset(tag), int(t.Month()), t.Day())
}

// FormatClock writes t's hour and minute, 24-hour, in tag's digits.
func FormatClock(tag language.Tag, t time.Time) string {
	return localDigits(formatTag(tag), t.Format("15:04"))
}

func within(v, lo, hi int) bool { return v >= lo && v <= hi }

// zeros are the digit zeros of the scripts whose digits a date may be
// typed in; each is followed by the other nine.
var zeros = []rune{'٠', '۰', '०', '০', '๐', '໐', '០', '᠐', '၀', '０'}

// latinDigits replaces the digits of other scripts with 0–9.
func latinDigits(s string) string {
	return strings.Map(func(r rune) rune {
		for _, z := range zeros {
			if r >= z && r <= z+9 {
				return '0' + (r - z)
			}
		}
		return r
	}, s)
}

// stripMarks drops the invisible direction marks and isolates a
// right-to-left text may carry around a date.
func stripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u200e', '\u200f', '\u061c', '\u2066', '\u2067', '\u2068', '\u2069', '\u202a', '\u202b', '\u202c':
			return -1
		}
		return r
	}, s)
}
