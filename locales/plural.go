package locales

import (
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// PluralForms returns the CLDR plural categories ("zero", "one", "two",
// "few", "many", "other") that whole-number counts can select in tag's
// language, in that order: ar needs all six, ru one/few/many/other, zh
// only other. It asks go-i18n's own rules, so it is exactly what
// [Localizer.N] will look for. Safe for concurrent use.
func PluralForms(tag language.Tag) []string {
	pluralMu.Lock()
	defer pluralMu.Unlock()
	if f, ok := pluralCache[tag]; ok {
		return f
	}
	f := probeForms(tag)
	pluralCache[tag] = f
	return f
}

var (
	pluralMu    sync.Mutex
	pluralCache = map[language.Tag][]string{}
)

// pluralProbes are counts that between them reach every category CLDR
// gives whole numbers, including the "many" of a million in fr/es/pt.
var pluralProbes = func() []int {
	var n []int
	for i := 0; i <= 200; i++ {
		n = append(n, i)
	}
	return append(n, 1000, 1001, 10000, 100000, 1000000, 2000000)
}()

var categoryOrder = []string{"zero", "one", "two", "few", "many", "other"}

func probeForms(tag language.Tag) []string {
	b := i18n.NewBundle(language.English)
	m := &i18n.Message{ID: "p", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
	if err := b.AddMessages(tag, m); err != nil {
		return []string{"other"}
	}
	l := i18n.NewLocalizer(b, tag.String())
	seen := map[string]bool{"other": true}
	for _, n := range pluralProbes {
		s, err := l.Localize(&i18n.LocalizeConfig{MessageID: "p", PluralCount: n})
		if err == nil {
			seen[strings.TrimSpace(s)] = true
		}
	}
	var out []string
	for _, c := range categoryOrder {
		if seen[c] {
			out = append(out, c)
		}
	}
	return out
}

// PluralExample returns a whole number that selects category in tag's
// language, for messages to translators ("few, as in 3"), or -1.
func PluralExample(tag language.Tag, category string) int {
	b := i18n.NewBundle(language.English)
	m := &i18n.Message{ID: "p", Zero: "zero", One: "one", Two: "two", Few: "few", Many: "many", Other: "other"}
	if err := b.AddMessages(tag, m); err != nil {
		return -1
	}
	l := i18n.NewLocalizer(b, tag.String())
	for _, n := range pluralProbes {
		if s, err := l.Localize(&i18n.LocalizeConfig{MessageID: "p", PluralCount: n}); err == nil && s == category {
			return n
		}
	}
	return -1
}
