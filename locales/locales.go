// Package locales holds Fieldbook's message files (go-i18n TOML, one per
// language, embedded in the binary) and the localizer every screen reads its
// strings from. A translator can add or override a language by dropping an
// active.<tag>.toml file into the app's locale folder.
package locales

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed active.*.toml
var embedded embed.FS

// Default is the language every message exists in and the fallback.
var Default = language.English

// Bundle is the set of loaded languages. It is safe for concurrent reads once
// built; build a new one to reload.
type Bundle struct {
	b     *i18n.Bundle
	langs []language.Tag
}

// FileError reports a message file that could not be loaded.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("locales: %s: %v", e.File, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// Load builds a bundle from the embedded files, then from every
// active.*.toml in overrideDir (if not empty), whose messages override the
// embedded ones. A broken file is skipped and reported in the returned
// errors; the bundle is usable regardless.
func Load(overrideDir string) (*Bundle, []error) {
	b := &Bundle{b: i18n.NewBundle(Default)}
	b.b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var errs []error
	names, _ := fs.Glob(embedded, "active.*.toml")
	for _, name := range names {
		data, err := embedded.ReadFile(name)
		if err == nil {
			_, err = b.b.ParseMessageFileBytes(data, name)
		}
		if err != nil {
			errs = append(errs, &FileError{File: name, Err: err})
		}
	}
	if overrideDir != "" {
		files, _ := filepath.Glob(filepath.Join(overrideDir, "active.*.toml"))
		sort.Strings(files)
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err == nil {
				_, err = b.b.ParseMessageFileBytes(data, filepath.Base(path))
			}
			if err != nil {
				errs = append(errs, &FileError{File: path, Err: err})
			}
		}
	}
	b.langs = b.b.LanguageTags()
	return b, errs
}

// Languages returns the loaded languages.
func (b *Bundle) Languages() []language.Tag { return append([]language.Tag(nil), b.langs...) }

// Localizer returns a localizer for the first of prefs that the bundle
// has, falling back to English.
func (b *Bundle) Localizer(prefs ...string) *Localizer {
	tag := Default
	if len(prefs) > 0 {
		matcher := language.NewMatcher(append([]language.Tag{Default}, b.langs...))
		if t, _, conf := matcher.Match(parseAll(prefs)...); conf != language.No {
			tag = t
		}
	}
	base, _ := tag.Base()
	_ = base
	return &Localizer{tag: tag, l: i18n.NewLocalizer(b.b, tag.String(), Default.String())}
}

func parseAll(prefs []string) []language.Tag {
	var tags []language.Tag
	for _, p := range prefs {
		if t, err := language.Parse(p); err == nil {
			tags = append(tags, t)
		}
	}
	return tags
}

// Localizer turns message ids into text in one language. It is safe for
// concurrent use.
type Localizer struct {
	tag language.Tag
	l   *i18n.Localizer
}

// Tag returns the localizer's language.
func (l *Localizer) Tag() language.Tag { return l.tag }

// T returns message id filled with data (key/value pairs: "Count", 3). A
// missing message returns the id itself so the gap is visible, never blank.
func (l *Localizer) T(id string, data ...any) string {
	return l.localize(id, nil, data)
}

// N returns the plural form of message id for count, which is also passed to
// the template as .Count.
func (l *Localizer) N(id string, count int, data ...any) string {
	return l.localize(id, count, append([]any{"Count", count}, data...))
}

func (l *Localizer) localize(id string, count any, data []any) string {
	td := map[string]any{}
	for i := 0; i+1 < len(data); i += 2 {
		td[fmt.Sprint(data[i])] = data[i+1]
	}
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: td, PluralCount: count})
	if err != nil {
		var nf *i18n.MessageNotFoundErr
		if s != "" && errors.As(err, &nf) {
			return s // fell back to English
		}
		return id
	}
	return strings.TrimSpace(s)
}
