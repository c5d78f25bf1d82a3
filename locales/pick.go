package locales

import (
	"io/fs"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// Pick chooses the app's language: the saved choice if it names a shipped
// language or a pseudo-locale, else the first of the system's languages
// (most preferred first, as [SystemLanguages] returns them) that a shipped
// language serves, else English. Unparsable entries such as "C" or "POSIX"
// are skipped without complaint. Use [Bundle.Pick] to include languages
// added through the locale folder.
func Pick(saved string, system []string) language.Tag {
	return pick(saved, system, shippedTags())
}

// Pick is like the package-level [Pick] but also serves languages that
// were added through the bundle's locale folder.
func (b *Bundle) Pick(saved string, system []string) language.Tag {
	return pick(saved, system, b.langs)
}

func pick(saved string, system []string, supported []language.Tag) language.Tag {
	if len(supported) == 0 {
		return Default
	}
	if saved != "" {
		if tag, ok := parseLocale(saved); ok {
			if p, ok := pseudoTag(tag); ok {
				return p
			}
			if t, ok := match(supported, tag); ok {
				return t
			}
		}
	}
	var tags []language.Tag
	for _, s := range system {
		if tag, ok := parseLocale(s); ok {
			tags = append(tags, tag)
		}
	}
	if t, ok := match(supported, tags...); ok {
		return t
	}
	return Default
}

// match returns the supported tag best serving prefs. A match of low
// confidence counts (zh-TW is better served by zh-Hans than by English).
func match(supported []language.Tag, prefs ...language.Tag) (language.Tag, bool) {
	if len(prefs) == 0 {
		return language.Und, false
	}
	m := language.NewMatcher(supported)
	_, i, conf := m.Match(prefs...)
	if conf == language.No {
		return language.Und, false
	}
	return supported[i], true
}

// parseLocale reads a system or saved locale: BCP 47 ("pt-BR") or POSIX
// ("pt_BR.UTF-8@euro"). "C", "POSIX" and garbage give false.
func parseLocale(s string) (language.Tag, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	s = strings.ReplaceAll(s, "_", "-")
	if s == "" || strings.EqualFold(s, "C") || strings.EqualFold(s, "POSIX") {
		return language.Und, false
	}
	tag, err := language.Parse(s)
	if err != nil || tag == language.Und {
		return language.Und, false
	}
	return tag, true
}

var (
	shippedOnce sync.Once
	shipped     []language.Tag
)

// Shipped returns the languages embedded in the binary, English first.
func Shipped() []language.Tag { return append([]language.Tag(nil), shippedTags()...) }

func shippedTags() []language.Tag {
	shippedOnce.Do(func() {
		names, _ := fs.Glob(embedded, "active.*.toml")
		sort.Strings(names)
		for _, n := range names {
			if tag, err := TagFromFileName(n); err == nil {
				shipped = append(shipped, tag)
			}
		}
		sortTags(shipped)
	})
	return shipped
}

// Serves reports whether the bundle has messages for the language want
// names (a saved choice or a --lang value): the language itself or a
// variant of it (zh-TW is served by zh-Hans), or a pseudo-locale. An
// unparsable or empty want is served by nothing.
func (b *Bundle) Serves(want string) bool {
	tag, ok := parseLocale(want)
	if !ok {
		return false
	}
	if _, ok := pseudoTag(tag); ok {
		return true
	}
	got, ok := match(b.langs, tag)
	if !ok {
		return false
	}
	wb, _ := tag.Base()
	gb, _ := got.Base()
	return wb == gb
}

// Named returns the language want names, as parsed from a saved choice
// or a --lang value; [language.Und] if it names none.
func Named(want string) language.Tag {
	tag, _ := parseLocale(want)
	return tag
}
