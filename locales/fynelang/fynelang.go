// Package fynelang makes Fyne's own texts — dialog buttons (OK, Cancel,
// Yes, No), the file dialog, the text entry menu — follow the language the
// user chose in Fieldbook, not only the operating system's.
//
// Fyne (fyne.io/fyne/v2/lang) picks its translation by matching the
// system's locales against the languages it has. It has no call to choose
// a language, so [Apply] registers the chosen language's texts under the
// system's locales (and English, Fyne's fallback), which Fyne then matches
// first. Texts come from translations/base.<tag>.json: Fyne's own files for
// the languages it ships (BSD-3-Clause, Fyne.io developers) and Fieldbook's
// drafts for the others.
package fynelang

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"github.com/jeandeaual/go-locale"
	"golang.org/x/text/language"
)

//go:embed translations/base.*.json
var translations embed.FS

// mu serializes Apply: Fyne's translation bundle is not safe for
// concurrent registration.
var mu sync.Mutex

// Languages returns the languages this package has Fyne texts for.
func Languages() []language.Tag {
	names, _ := fs.Glob(translations, "translations/base.*.json")
	var out []language.Tag
	for _, n := range names {
		code := strings.TrimSuffix(strings.TrimPrefix(n, "translations/base."), ".json")
		if t, err := language.Parse(code); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// Texts returns the Fyne translation file (JSON) serving tag: the file of
// its language, or English when there is none.
func Texts(tag language.Tag) []byte {
	m := language.NewMatcher(Languages())
	_, i, conf := m.Match(tag)
	name := "translations/base.en.json"
	if conf != language.No {
		name = "translations/base." + Languages()[i].String() + ".json"
	}
	data, err := translations.ReadFile(name)
	if err != nil { // cannot happen: the name came from the embedded list
		panic(fmt.Sprintf("fynelang: %s: %v", name, err))
	}
	return data
}

// Apply makes Fyne show its own texts in tag's language (English when this
// package has none for it). Call it when the app starts and whenever the
// user changes language; it is safe to call from any goroutine, before or
// after the window is shown (texts already on screen keep theirs until
// redrawn).
func Apply(tag language.Tag) error {
	mu.Lock()
	defer mu.Unlock()
	data := Texts(tag)
	targets := map[string]bool{"en": true}
	if sys, err := locale.GetLocales(); err == nil {
		for _, s := range sys {
			if t, err := language.Parse(s); err == nil && t != language.Und {
				targets[fyneLocale(t)] = true
			}
		}
	}
	for t := range targets {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(t)); err != nil {
			return fmt.Errorf("fynelang: texts for %s under %s: %w", tag, t, err)
		}
	}
	return nil
}

// fyneLocale writes tag as Fyne matches it: language-Region only.
func fyneLocale(t language.Tag) string {
	b, _ := t.Base()
	r, conf := t.Region()
	if conf == language.Exact {
		return b.String() + "-" + r.String()
	}
	return b.String()
}
