package locales

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// ownNames are languages' names for themselves that CLDR data in x/text
// lacks, or that our users write differently.
var ownNames = map[string]string{
	"ny":    "Chichewa",
	"sn":    "chiShona",
	"fil":   "Filipino",
	"id":    "Bahasa Indonesia",
	"en-XA": "[Ëñĝļîšĥ (pseudo)]",
	"ar-XB": "Pseudo-Bidi (RTL)",
}

// OwnName returns tag's language named in that language ("Français",
// "العربية", "Chichewa"), for the language menu. Unknown languages give
// their tag.
func OwnName(tag language.Tag) string {
	if n, ok := ownNames[tag.String()]; ok {
		return n
	}
	name := display.Self.Name(tag)
	if name == "" {
		base, _ := tag.Base()
		if n, ok := ownNames[base.String()]; ok {
			return n
		}
		return tag.String()
	}
	// Menus show language names capitalized where the script has case.
	r, size := utf8.DecodeRuneInString(name)
	if unicode.IsLower(r) {
		name = string(unicode.ToTitle(r)) + name[size:]
	}
	return name
}

// englishName returns tag's language named in English.
func englishName(tag language.Tag) string {
	if n := display.English.Tags().Name(tag); n != "" {
		return n
	}
	return tag.String()
}

// EnglishName returns tag's language named in English ("Khmer"), or the tag
// when unknown.
func EnglishName(tag language.Tag) string { return englishName(tag) }
