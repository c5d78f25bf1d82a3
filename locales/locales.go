// Package locales holds Fieldbook's message files (go-i18n TOML, one per
// language, embedded in the binary) and the localizer every screen reads its
// strings from. A translator can add or override a language by dropping an
// active.<tag>.toml file into the app's locale folder (<data dir>/locales);
// the app picks it up on start or on "Reload languages" ([Bundle.Reload]).
//
// Loading never fails as a whole: a broken file is reported with its name,
// line and reason ([FileError]) and the rest of the languages still load, so
// the window is never blank. Two pseudo-locales, en-XA and ar-XB, are made
// from English at load time for developers ([PseudoAccented], [PseudoBidi]).
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

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed active.*.toml
var embedded embed.FS

// Default is the language every message exists in and the fallback.
var Default = language.English

// DirName is the name of the locale folder inside the app's data folder.
const DirName = "locales"

// OverrideDir returns the locale folder inside the app's data folder, where
// translators drop active.<tag>.toml files; pass it to [Load].
func OverrideDir(dataDir string) string { return filepath.Join(dataDir, DirName) }

// maxFileSize bounds an override file; anything larger is refused, not read.
const maxFileSize = 4 << 20

// Bundle is the set of loaded languages. It is immutable once built and safe
// for concurrent use; [Bundle.Reload] builds a new one.
type Bundle struct {
	b        *i18n.Bundle
	dir      string
	langs    []language.Tag // real languages, English first, then sorted
	messages map[language.Tag]map[string]*i18n.Message
	files    map[language.Tag][]string // where each language's messages came from
	headers  map[language.Tag]string   // the leading comment block of the last file
}

// FileError reports a message file, or one message in it, that could not be
// loaded. Line is 1-based, or 0 when the problem is not tied to a line.
type FileError struct {
	File string
	Line int
	Err  error
}

// Error says file:line: reason, as editors and compilers do.
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("locales: %s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("locales: %s: %v", e.File, e.Err)
}

// Unwrap returns the reason.
func (e *FileError) Unwrap() error { return e.Err }

// Load builds a bundle from the embedded files, then from every
// active.*.toml in overrideDir (if not empty), whose messages override the
// embedded ones message by message. A broken file, or a broken message in a
// file, is skipped and reported in the returned errors; the bundle is always
// usable. A missing overrideDir is not an error.
func Load(overrideDir string) (*Bundle, []error) {
	b := &Bundle{
		b:        i18n.NewBundle(Default),
		dir:      overrideDir,
		messages: map[language.Tag]map[string]*i18n.Message{},
		files:    map[language.Tag][]string{},
		headers:  map[language.Tag]string{},
	}
	var errs []error
	names, _ := fs.Glob(embedded, "active.*.toml")
	sort.Strings(names)
	for _, name := range names {
		data, err := embedded.ReadFile(name)
		if err != nil {
			errs = append(errs, &FileError{File: name, Err: err})
			continue
		}
		errs = append(errs, b.addFile(data, name, name)...)
	}
	if overrideDir != "" {
		files, err := filepath.Glob(filepath.Join(overrideDir, "active.*.toml"))
		if err != nil {
			errs = append(errs, &FileError{File: overrideDir, Err: err})
		}
		sort.Strings(files)
		for _, path := range files {
			data, err := readLimited(path)
			if err != nil {
				errs = append(errs, &FileError{File: path, Err: err})
				continue
			}
			errs = append(errs, b.addFile(data, filepath.Base(path), path)...)
		}
	}
	if _, ok := b.messages[Default]; !ok {
		errs = append(errs, &FileError{File: "active.en.toml", Err: errors.New("English messages are missing")})
	}
	for tag := range b.messages {
		b.langs = append(b.langs, tag)
	}
	sortTags(b.langs)
	b.addPseudo()
	return b, errs
}

func readLimited(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("file is %d bytes, more than the %d a message file may have", st.Size(), maxFileSize)
	}
	return os.ReadFile(path)
}

// addFile parses one message file and adds its good messages. name is the
// base name (it carries the language), shown is what errors call the file.
func (b *Bundle) addFile(data []byte, name, shown string) []error {
	f, errs := ParseFile(data, name)
	for _, e := range errs {
		e.File = shown
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	if f == nil {
		return out
	}
	if err := b.b.AddMessages(f.Tag, f.Messages...); err != nil {
		// go-i18n knows plural rules for CLDR's languages only.
		return append(out, &FileError{File: shown, Err: fmt.Errorf("cannot load language %s: the plural rules it needs are unknown (%w)", f.Tag, err)})
	}
	m := b.messages[f.Tag]
	if m == nil {
		m = map[string]*i18n.Message{}
		b.messages[f.Tag] = m
	}
	for _, msg := range f.Messages {
		m[msg.ID] = msg
	}
	b.files[f.Tag] = append(b.files[f.Tag], shown)
	if f.Header != "" {
		b.headers[f.Tag] = f.Header
	}
	return out
}

// sortTags puts English first and the rest in tag order.
func sortTags(tags []language.Tag) {
	sort.Slice(tags, func(i, j int) bool {
		if (tags[i] == Default) != (tags[j] == Default) {
			return tags[i] == Default
		}
		return tags[i].String() < tags[j].String()
	})
}

// Reload builds a new bundle from the embedded files and the same override
// folder, for the app's "Reload languages". The receiver is unchanged.
func (b *Bundle) Reload() (*Bundle, []error) { return Load(b.dir) }

// Dir returns the override folder the bundle was loaded from ("" if none).
func (b *Bundle) Dir() string { return b.dir }

// Languages returns the loaded languages, English first. Pseudo-locales are
// not included; see [PseudoLocales].
func (b *Bundle) Languages() []language.Tag { return append([]language.Tag(nil), b.langs...) }

// Messages returns a copy of the messages loaded for tag (nil if none),
// keyed by id. Pseudo-locales have messages too.
func (b *Bundle) Messages(tag language.Tag) map[string]*i18n.Message {
	m, ok := b.messages[tag]
	if !ok {
		return nil
	}
	out := make(map[string]*i18n.Message, len(m))
	for id, msg := range m {
		out[id] = msg
	}
	return out
}

// Files returns the files tag's messages were loaded from, in load order.
func (b *Bundle) Files(tag language.Tag) []string { return append([]string(nil), b.files[tag]...) }

// Localizer returns a localizer for the first of prefs that the bundle has
// (a pseudo-locale only when asked for by its exact tag), falling back to
// English. Unparsable preferences such as "C" are ignored.
func (b *Bundle) Localizer(prefs ...string) *Localizer {
	tag := b.Pick("", prefs)
	for _, p := range prefs {
		if t, ok := parseLocale(p); ok {
			if pt, ok := pseudoTag(t); ok {
				tag = pt
			}
			break
		}
	}
	return &Localizer{
		tag:      tag,
		l:        i18n.NewLocalizer(b.b, tag.String(), Default.String()),
		fallback: i18n.NewLocalizer(b.b, Default.String()),
	}
}

// Localizer turns message ids into text in one language. It is safe for
// concurrent use.
type Localizer struct {
	tag      language.Tag
	l        *i18n.Localizer
	fallback *i18n.Localizer
}

// Tag returns the localizer's language.
func (l *Localizer) Tag() language.Tag { return l.tag }

// T returns message id filled with data (key/value pairs: "Count", 3). A
// message missing in the language, or broken in it, falls back to English; a
// message missing in English too returns the id itself so the gap is
// visible, never blank.
func (l *Localizer) T(id string, data ...any) string {
	return l.localize(id, nil, data)
}

// N returns the plural form of message id for count, which is also passed to
// the template as .Count, written the language's way ([FormatNumber]: "1,234"
// in English, "١٬٢٣٤" in Arabic). Falls back like [Localizer.T], also when
// the language's file lacks the plural form count needs.
func (l *Localizer) N(id string, count int, data ...any) string {
	return l.localize(id, count, append([]any{"Count", FormatNumber(l.tag, count)}, data...))
}

func (l *Localizer) localize(id string, count any, data []any) string {
	td := map[string]any{}
	for i := 0; i+1 < len(data); i += 2 {
		td[fmt.Sprint(data[i])] = data[i+1]
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: td, PluralCount: count}
	s, err := l.l.Localize(cfg)
	if err == nil && strings.TrimSpace(s) != "" {
		return strings.TrimSpace(s)
	}
	if s, err := l.fallback.Localize(cfg); err == nil && strings.TrimSpace(s) != "" {
		return strings.TrimSpace(s)
	}
	return id
}
