package locales

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/text/language"
)

func TestParseDateInTheLanguagesEra(t *testing.T) {
	t.Parallel()
	th, en, ar, bn := language.Thai, language.English, language.Arabic, language.Bengali
	for _, c := range []struct {
		name string
		tag  language.Tag
		in   string
		want string // ISO, or "" for an error
		err  error
	}{
		{"thai buddhist year", th, "2569-11-01", "2026-11-01", nil},
		{"thai digits", th, "๒๕๖๙-๑๑-๐๑", "2026-11-01", nil},
		{"thai gregorian year explained", th, "2026-11-01", "", ErrGregorianYear},
		{"thai no 31 november", th, "2569-11-31", "", ErrNotDate},
		{"english unchanged", en, "2026-11-01", "2026-11-01", nil},
		{"english short month and day", en, "2026-1-5", "2026-01-05", nil},
		{"english buddhist year is a far future", en, "2569-11-01", "2569-11-01", nil},
		{"arabic-indic digits", ar, "٢٠٢٦-١١-٠١", "2026-11-01", nil},
		{"arabic with marks", ar, "\u200f2026-11-01\u200f", "2026-11-01", nil},
		{"bengali digits", bn, "২০২৬-১১-০১", "2026-11-01", nil},
		{"words", en, "yesterday", "", ErrNotDate},
		{"day first", en, "01-11-2026", "", ErrNotDate},
		{"plus sign", en, "2026-+1-01", "", ErrNotDate},
		{"empty", en, "", "", ErrNotDate},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseDate(c.tag, c.in)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("ParseDate(%q) = %v, %v; want %v", c.in, got, err, c.err)
				}
				return
			}
			if err != nil || got.Format("2006-01-02") != c.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %s", c.in, got, err, c.want)
			}
		})
	}
}

func TestFormatDateInputShowsTheEraYear(t *testing.T) {
	t.Parallel()
	d := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if got := FormatDateInput(language.Thai, d); got != "2569-11-01" {
		t.Fatalf("Thai %q", got)
	}
	if got := FormatDateInput(language.English, d); got != "2026-11-01" {
		t.Fatalf("English %q", got)
	}
}

// FuzzParseDate: any text either fails with one of the two reasons or is a
// date that the field writes back as text reading the same date.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2569-11-01", "2026-11-01", "๒๕๖๙-๑๑-๐๑", "٢٠٢٦-١١-٠١", "0000-00-00", "9999-12-31", "1-1-1", "2569-02-29"} {
		f.Add(s, "th")
		f.Add(s, "en")
	}
	f.Fuzz(func(t *testing.T, s, lang string) {
		tag, err := language.Parse(lang)
		if err != nil {
			tag = language.English
		}
		got, err := ParseDate(tag, s)
		if err != nil {
			if !errors.Is(err, ErrNotDate) && !errors.Is(err, ErrGregorianYear) {
				t.Fatalf("ParseDate(%q): unexpected error %v", s, err)
			}
			return
		}
		back, err := ParseDate(tag, FormatDateInput(tag, got))
		if err != nil || !back.Equal(got) {
			t.Fatalf("ParseDate(%q) = %v, written %q, read back %v, %v", s, got, FormatDateInput(tag, got), back, err)
		}
	})
}
