package ui

import (
	"sort"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/a20-network/fieldbook/codes"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
)

// choices is a code list as a select shows it: labels in the UI language,
// in display order, mapped both ways.
type choices struct {
	codes  []string
	labels []string
}

// codeChoices labels list's codes through l.
func codeChoices(l *locales.Localizer, list codes.List) choices {
	c := choices{codes: list.Codes}
	for _, code := range list.Codes {
		c.labels = append(c.labels, l.T(list.MessageID(code)))
	}
	return c
}

// withAll returns c with a first entry "" labelled all (for filters).
func (c choices) withAll(all string) choices {
	return choices{codes: append([]string{""}, c.codes...), labels: append([]string{all}, c.labels...)}
}

// label returns code's label, or code itself if unknown.
func (c choices) label(code string) string {
	for i, k := range c.codes {
		if k == code {
			return c.labels[i]
		}
	}
	return code
}

// code returns the code labelled label, or "".
func (c choices) code(label string) string {
	for i, k := range c.labels {
		if k == label {
			return c.codes[i]
		}
	}
	return ""
}

// countryName names an ISO 3166-1 region in l's language, falling back to
// English and then to the code.
func countryName(l *locales.Localizer, code string) string {
	if code == "" {
		return ""
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(l.Tag()).Name(r); n != "" {
		return n
	}
	if n := display.Regions(language.English).Name(r); n != "" {
		return n
	}
	return code
}

// countryCache holds countryChoices by language tag: naming and sorting 249
// countries is the slowest part of building the screens.
var countryCache sync.Map // language tag string → choices

// countryChoices lists every country, sorted by name in l's language. The
// result is shared: callers must not modify it.
func countryChoices(l *locales.Localizer) choices {
	if c, ok := countryCache.Load(l.Tag().String()); ok {
		return c.(choices)
	}
	c := makeCountryChoices(l)
	countryCache.Store(l.Tag().String(), c)
	return c
}

func makeCountryChoices(l *locales.Localizer) choices {
	type pair struct{ code, name string }
	ps := make([]pair, 0, len(codes.Countries.Codes))
	for _, c := range codes.Countries.Codes {
		ps = append(ps, pair{c, countryName(l, c)})
	}
	col := collate.New(l.Tag(), collate.Loose)
	sort.SliceStable(ps, func(i, j int) bool { return col.CompareString(ps[i].name, ps[j].name) < 0 })
	var c choices
	for _, p := range ps {
		c.codes = append(c.codes, p.code)
		c.labels = append(c.labels, p.name)
	}
	return c
}

// fieldLabel returns the localized label of a record field, as used by the
// form and the conflicts inbox.
func fieldLabel(l *locales.Localizer, field string) string {
	if c, ok := reachCellLabel(l, field); ok {
		return c
	}
	return l.T("field." + field)
}

// reachCellLabel names a reach matrix cell such as "girls_6_11" as
// "Girls, 6–11".
func reachCellLabel(l *locales.Localizer, field string) (string, bool) {
	for _, c := range (store.Reach{}).Cells() {
		if c.Field == field {
			return l.T(codes.Sexes.MessageID(c.Sex)) + ", " + l.T(codes.AgeBands.MessageID(c.Band)), true
		}
	}
	return "", false
}

// validationText localizes one field error as validation.<reason>.
func validationText(l *locales.Localizer, fe store.FieldError) string {
	return l.T("validation."+fe.Reason, "Limit", fe.Limit, "Value", fe.Value)
}
