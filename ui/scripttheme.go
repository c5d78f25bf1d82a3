package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/locales"
)

// scriptTheme is the default theme with the text font of the interface's
// script in front of Fyne's own. Fyne picks a font for each character on
// its own; for scripts whose marks sit on letters (Khmer, Lao, Thai,
// Bengali, Devanagari) that can take a mark from another font than its
// letter, which then draws it apart. With one font for the whole script
// first in line, letters and marks come from it; Latin text still falls
// back to Fyne's font.
type scriptTheme struct {
	fyne.Theme
	regular, bold fyne.Resource
}

// Font returns the script's font for plain, bold and italic text, and the
// default theme's for monospace and symbols.
func (t *scriptTheme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Monospace || s.Symbol:
		return t.Theme.Font(s)
	case s.Bold && t.bold != nil:
		return t.bold
	case !s.Bold && t.regular != nil:
		return t.regular
	}
	return t.Theme.Font(s)
}

// applyScriptFont asks, off the UI goroutine, for the font of the script
// of the current language's texts (Deps.ScriptFonts) and puts it in front
// of Fyne's; a language that needs none gets the default theme back.
func (u *UI) applyScriptFont(texts []string) {
	pick, tag := u.deps.ScriptFonts, u.l.Tag()
	if pick == nil {
		return
	}
	u.run.async(func() func() {
		regular, bold := pick(texts)
		return func() {
			if u.l.Tag() != tag {
				return // the language changed meanwhile
			}
			current, isScript := u.app.Settings().Theme().(*scriptTheme)
			switch {
			case regular == nil && bold == nil && isScript:
				u.app.Settings().SetTheme(theme.DefaultTheme())
			case regular == nil && bold == nil:
				// nothing to change: Fyne's own fonts serve this language
			case isScript && current.regular == regular && current.bold == bold:
				// already in front
			default:
				u.app.Settings().SetTheme(&scriptTheme{Theme: theme.DefaultTheme(), regular: regular, bold: bold})
			}
		}
	})
}

// messageTexts is every form of every message of tag's language.
func messageTexts(bundle *locales.Bundle, tag language.Tag) []string {
	var texts []string
	for _, m := range bundle.Messages(tag) {
		texts = append(texts, m.Zero, m.One, m.Two, m.Few, m.Many, m.Other)
	}
	return texts
}
