package ui

import (
	"slices"
	"sort"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
)

// choices is a code list as a select shows it: labels in the UI language,
// in display order, mapped both ways. A select's options are the labels
// prepared for the screen ([shown]); the labels themselves stay as typed,
// for joining into longer texts that are prepared as a whole.
type choices struct {
	codes   []string
	labels  []string // as typed
	options []string // labels prepared for a Fyne widget, same order
}

// newChoices maps codes to labels, preparing the options for l's screens.
func newChoices(l *locales.Localizer, codes, labels []string) choices {
	c := choices{codes: codes, labels: labels, options: make([]string, len(labels))}
	for i, label := range labels {
		c.options[i] = shown(l, label)
	}
	return c
}

// codeChoices labels list's codes through l.
func codeChoices(l *locales.Localizer, list codes.List) choices {
	labels := make([]string, 0, len(list.Codes))
	for _, code := range list.Codes {
		labels = append(labels, l.T(list.MessageID(code)))
	}
	return newChoices(l, list.Codes, labels)
}

// withAll returns c with a first entry "" labelled all (for filters).
func (c choices) withAll(l *locales.Localizer, all string) choices {
	return choices{
		codes:   append([]string{""}, c.codes...),
		labels:  append([]string{all}, c.labels...),
		options: append([]string{shown(l, all)}, c.options...),
	}
}

// label returns code's label as typed, or code itself if unknown: for
// joining into a longer text.
func (c choices) label(code string) string {
	if i := slices.Index(c.codes, code); i >= 0 {
		return c.labels[i]
	}
	return code
}

// option returns code's option, as a select shows it (for SetSelected),
// or code itself if unknown.
func (c choices) option(code string) string {
	if i := slices.Index(c.codes, code); i >= 0 {
		return c.options[i]
	}
	return code
}

// code returns the code of an option (a select's Selected, or what its
// OnChanged was given), or "".
func (c choices) code(option string) string {
	if i := slices.Index(c.options, option); i >= 0 {
		return c.codes[i]
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
	var cs, names []string
	for _, p := range ps {
		cs = append(cs, p.code)
		names = append(names, p.name)
	}
	return newChoices(l, cs, names)
}

// maxValueDecimals is how many decimals a record's number shows at most
// (coordinates have six).
const maxValueDecimals = 6

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
	for _, c := range (model.Reach{}).Cells() {
		if c.Field == field {
			return l.T(codes.Sexes.MessageID(c.Sex)) + ", " + l.T(codes.AgeBands.MessageID(c.Band)), true
		}
	}
	return "", false
}

// validationText localizes one field error as validation.<reason>.
func validationText(l *locales.Localizer, fe model.FieldError) string {
	return l.T("validation."+fe.Reason, "Limit", fe.Limit, "Value", fe.Value)
}
