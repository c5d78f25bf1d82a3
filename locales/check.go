package locales

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Untranslatable are message ids whose text is the same in every language
// (names), so keeping the English text counts as translated.
var Untranslatable = map[string]bool{"app.name": true}

// Report is what [Bundle.Check] found in one language.
type Report struct {
	Tag   language.Tag
	Files []string
	// Draft is true unless the file's header says "Status: reviewed".
	Draft bool
	// Total is the number of English messages; Translated of them have
	// text of their own in this language.
	Total, Translated int
	// Missing are English ids absent from the language, Untranslated ids
	// present but still in English.
	Missing, Untranslated []string
	// Unknown are ids not in English (left over or misspelled).
	Unknown []string
	// Problems are errors: placeholders that differ from English, plural
	// forms the language needs but lacks, text no font can draw.
	Problems []Problem
}

// Problem is one error found in a message. File and Line say where the
// message is defined (the last file of the language that defines it), or
// are empty and 0 when that is not known.
type Problem struct {
	ID     string
	Reason string
	File   string
	Line   int
}

// Errors reports whether the language has problems that must be fixed:
// any [Problem], or missing or untranslated messages in a reviewed
// language. Missing messages in a draft language are only warnings.
func (r Report) Errors() bool {
	return len(r.Problems) > 0 || (!r.Draft && len(r.Missing)+len(r.Untranslated) > 0)
}

// Coverage tells whether some installed or bundled font draws r.
type Coverage func(r rune) bool

// Check compares every loaded language (not English, not pseudo-locales)
// with English: messages translated, missing and unknown; placeholders
// ({{.Count}}) that differ from English; plural forms the language needs;
// and, if covered is not nil, characters no font can draw. Reports come in
// [Bundle.Languages] order.
func (b *Bundle) Check(covered Coverage) []Report {
	en := b.catalog(Default).messages
	var out []Report
	for _, tag := range b.langs {
		if tag == Default {
			continue
		}
		out = append(out, b.checkLanguage(tag, en, covered))
	}
	return out
}

func (b *Bundle) checkLanguage(tag language.Tag, en map[string]*i18n.Message, covered Coverage) Report {
	c := b.catalog(tag)
	msgs := c.messages
	r := Report{Tag: tag, Files: b.Files(tag), Total: len(en), Draft: !reviewed(c.header)}
	needForms := PluralForms(tag)
	for _, id := range sortedKeys(en) {
		e := en[id]
		m, ok := msgs[id]
		if !ok {
			r.Missing = append(r.Missing, id)
			continue
		}
		if sameAsEnglish(e, m) && !Untranslatable[id] && hasLetter(e.Other+e.One) {
			r.Untranslated = append(r.Untranslated, id)
		} else {
			r.Translated++
		}
		want := placeholders(e)
		plural := e.One != "" || e.Few != "" || e.Many != "" || e.Two != "" || e.Zero != ""
		for _, f := range forms(m) {
			got := actions(f.text)
			// A plural form may leave the count out ("one activity",
			// "لا أنشطة"); any other placeholder must be English's.
			for _, g := range got {
				if !want[g] {
					r.Problems = append(r.Problems, b.problem(tag, id, f.name, "form "+f.name+": placeholder "+g+" is not in English ("+strings.Join(sortedKeys(want), " ")+")"))
				}
			}
			if !plural {
				for w := range want {
					if !contains(got, w) {
						r.Problems = append(r.Problems, b.problem(tag, id, f.name, "placeholder "+w+" is missing"))
					}
				}
			}
		}
		if plural {
			for _, f := range needForms {
				if formText(m, f) == "" {
					ex := PluralExample(tag, f)
					r.Problems = append(r.Problems, b.problem(tag, id, "", "plural form "+f+" is missing ("+tag.String()+" needs "+strings.Join(needForms, ", ")+"; "+f+" is used for counts like "+itoa(ex)+")"))
				}
			}
		}
		if covered != nil {
			if miss := undrawable(m, covered); miss != "" {
				r.Problems = append(r.Problems, b.problem(tag, id, "", "no installed font draws "+miss))
			}
		}
	}
	for _, id := range sortedKeys(msgs) {
		if _, ok := en[id]; !ok {
			r.Unknown = append(r.Unknown, id)
		}
	}
	return r
}

// problem is a Problem with message id of tag, located in the last of
// tag's files that defines it (at its plural form, if form is not "").
func (b *Bundle) problem(tag language.Tag, id, form, reason string) Problem {
	p := Problem{ID: id, Reason: reason}
	srcs := b.files[tag]
	// An exact key first; a nested key's last part only failing that.
	for _, find := range []func([]byte, string) int{exactKeyLine, keyLine} {
		for i := len(srcs) - 1; i >= 0; i-- {
			if data := srcs[i].data(); find(data, id) > 0 {
				p.File, p.Line = srcs[i].shown, formLine(data, id, form)
				return p
			}
		}
	}
	return p
}

// reviewed reads "Status: reviewed" from a file header.
func reviewed(header string) bool {
	for _, line := range strings.Split(header, "\n") {
		l := strings.ToLower(strings.TrimSpace(line))
		if strings.HasPrefix(l, "status:") {
			return strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(l, "status:")), "reviewed")
		}
	}
	return false
}

// sameAsEnglish reports whether every form of m is still an English text:
// a plural message appended in English fills forms English lacks (few,
// many) with English's own forms, and is no more translated for that.
func sameAsEnglish(e, m *i18n.Message) bool {
	english := map[string]bool{e.Zero: true, e.One: true, e.Two: true, e.Few: true, e.Many: true, e.Other: true}
	for _, form := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		if form != "" && !english[form] {
			return false
		}
	}
	return m.Other != ""
}

func hasLetter(s string) bool {
	var any bool
	forText(s, func(text string, isAction bool) {
		if !isAction && strings.IndexFunc(text, unicode.IsLetter) >= 0 {
			any = true
		}
	})
	return any
}

var actionField = regexp.MustCompile(`\.[A-Za-z_][A-Za-z0-9_]*`)

// actions returns the template actions of s, normalized ("{{ .Count }}" is
// "{{.Count}}"), sorted, without duplicates.
func actions(s string) []string {
	seen := map[string]bool{}
	forText(s, func(text string, isAction bool) {
		if isAction {
			inner := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(text, "{{"), "}}"))
			inner = strings.Join(strings.Fields(inner), " ")
			seen["{{"+inner+"}}"] = true
		}
	})
	return sortedKeys(seen)
}

// placeholders returns the set of template actions in any of e's forms.
func placeholders(e *i18n.Message) map[string]bool {
	out := map[string]bool{}
	for _, f := range forms(e) {
		for _, a := range actions(f.text) {
			out[a] = true
		}
	}
	return out
}

func formText(m *i18n.Message, form string) string {
	switch form {
	case "zero":
		return m.Zero
	case "one":
		return m.One
	case "two":
		return m.Two
	case "few":
		return m.Few
	case "many":
		return m.Many
	}
	return m.Other
}

// undrawable lists, as "ŋ (U+014B)", the runes of m no font covers.
func undrawable(m *i18n.Message, covered Coverage) string {
	seen := map[rune]bool{}
	var miss []rune
	for _, f := range forms(m) {
		forText(f.text, func(text string, isAction bool) {
			if isAction {
				return
			}
			for _, r := range text {
				if seen[r] || !unicode.IsGraphic(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
					continue
				}
				seen[r] = true
				if !covered(r) {
					miss = append(miss, r)
				}
			}
		})
	}
	sort.Slice(miss, func(i, j int) bool { return miss[i] < miss[j] })
	parts := make([]string, len(miss))
	for i, r := range miss {
		parts[i] = string(r) + " (" + runeName(r) + ")"
	}
	return strings.Join(parts, ", ")
}

func runeName(r rune) string { return fmt.Sprintf("U+%04X", r) }

func itoa(n int) string {
	if n < 0 {
		return "?"
	}
	return strconv.Itoa(n)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
