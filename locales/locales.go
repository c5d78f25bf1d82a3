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
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/internal/bidi"
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

// Bundle is the set of languages. It is safe for concurrent use and does
// not change once built; [Bundle.Reload] builds a new one.
//
// A language's messages are read when it is first asked for (a
// [Bundle.Localizer], [Bundle.Messages] or [Bundle.Check]), not at [Load]:
// the window uses two of the shipped languages, English and the user's, and
// reading all of them at every start took a tenth of a second and kept
// about 5 MB. English and the override files are read at Load, so a
// translator's mistakes are reported at once; the shipped files are checked
// by the tests and by `fieldbook locales check` ([Bundle.ReadAll]).
type Bundle struct {
	dir   string
	langs []language.Tag // real languages, English first, then sorted
	files map[language.Tag][]source

	mu       sync.Mutex
	catalogs map[language.Tag]*catalog
}

// source is one message file of a language.
type source struct {
	name  string // base name, active.<tag>.toml
	shown string // what errors call the file
	file  *File  // nil: a shipped file, parsed when the language is first used
}

// data returns the text of the source: a shipped file is read again from
// the binary. Nil if it cannot be read.
func (s source) data() []byte {
	if s.file != nil {
		return s.file.data
	}
	data, _ := embedded.ReadFile(s.name)
	return data
}

// FromDir reports whether some of tag's messages come from the override
// folder (a translator's file) rather than the binary.
func (b *Bundle) FromDir(tag language.Tag) bool {
	for _, src := range b.files[tag] {
		if src.file != nil && src.shown != src.name {
			return true
		}
	}
	return false
}

// catalog is one language's messages, ready to localize.
type catalog struct {
	messages map[string]*i18n.Message
	header   string       // the leading comment block of the last file
	bundle   *i18n.Bundle // this language's messages only
	errs     []error      // problems of shipped files read late
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
// usable. A missing overrideDir is not an error. Shipped languages other
// than English are read on first use (see [Bundle]).
func Load(overrideDir string) (*Bundle, []error) {
	b := &Bundle{
		dir:      overrideDir,
		files:    map[language.Tag][]source{},
		catalogs: map[language.Tag]*catalog{},
	}
	// rules only answers whether go-i18n knows a language's plural rules.
	rules := i18n.NewBundle(Default)
	var errs []error
	names, _ := fs.Glob(embedded, "active.*.toml")
	sort.Strings(names)
	for _, name := range names {
		tag, err := TagFromFileName(name)
		if err != nil {
			errs = append(errs, &FileError{File: name, Err: err})
			continue
		}
		src := source{name: name, shown: name}
		if tag == Default {
			f, ferrs := parseEmbedded(name)
			errs = append(errs, ferrs...)
			if f == nil {
				continue
			}
			src.file = f
		}
		b.files[tag] = append(b.files[tag], src)
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
			f, ferrs := parse(data, filepath.Base(path), path)
			errs = append(errs, ferrs...)
			if f == nil {
				continue
			}
			if err := rules.AddMessages(f.Tag); err != nil {
				// go-i18n knows plural rules for CLDR's languages only.
				errs = append(errs, &FileError{File: path, Err: fmt.Errorf("cannot load language %s: the plural rules it needs are unknown (%w)", f.Tag, err)})
				continue
			}
			b.files[f.Tag] = append(b.files[f.Tag], source{name: filepath.Base(path), shown: path, file: f})
		}
	}
	if _, ok := b.files[Default]; !ok {
		errs = append(errs, &FileError{File: "active.en.toml", Err: errors.New("English messages are missing")})
	}
	for tag := range b.files {
		b.langs = append(b.langs, tag)
	}
	sortTags(b.langs)
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

// parse parses one message file; name is its base name (it carries the
// language), shown is what errors call it.
func parse(data []byte, name, shown string) (*File, []error) {
	f, ferrs := ParseFile(data, name)
	errs := make([]error, len(ferrs))
	for i, e := range ferrs {
		e.File = shown
		errs[i] = e
	}
	return f, errs
}

// parseEmbedded parses a shipped message file.
func parseEmbedded(name string) (*File, []error) {
	data, err := embedded.ReadFile(name)
	if err != nil {
		return nil, []error{&FileError{File: name, Err: err}}
	}
	return parse(data, name, name)
}

// catalog returns tag's messages, reading its files on first use; nil for
// a language the bundle does not have.
func (b *Bundle) catalog(tag language.Tag) *catalog {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.catalogLocked(tag)
}

func (b *Bundle) catalogLocked(tag language.Tag) *catalog {
	if c, ok := b.catalogs[tag]; ok {
		return c
	}
	c := &catalog{messages: map[string]*i18n.Message{}}
	if pt, ok := pseudoTag(tag); ok {
		c.messages = pseudoMessages(pt, b.catalogLocked(Default).messages)
	} else {
		srcs, ok := b.files[tag]
		if !ok && tag != Default { // English is there even when its file is not
			return nil
		}
		for _, src := range srcs {
			f := src.file
			if f == nil {
				var errs []error
				f, errs = parseEmbedded(src.name)
				for _, err := range errs {
					slog.Warn("localeFileSkipped", "err", err)
				}
				c.errs = append(c.errs, errs...)
				if f == nil {
					continue
				}
			}
			for _, m := range f.Messages {
				c.messages[m.ID] = m
			}
			if f.Header != "" {
				c.header = f.Header
			}
		}
	}
	c.bundle = i18n.NewBundle(Default)
	list := make([]*i18n.Message, 0, len(c.messages))
	for _, m := range c.messages {
		list = append(list, m)
	}
	if err := c.bundle.AddMessages(tag, list...); err != nil {
		c.errs = append(c.errs, fmt.Errorf("locales: %s: %w", tag, err))
	}
	b.catalogs[tag] = c
	return c
}

// ReadAll reads every language now and returns the problems found in
// shipped files read on first use (Load reports those of English and of
// override files), for `fieldbook locales check`.
func (b *Bundle) ReadAll() []error {
	var errs []error
	for _, tag := range b.langs {
		errs = append(errs, b.catalog(tag).errs...)
	}
	return errs
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

// Languages returns the bundle's languages, English first. Pseudo-locales
// are not included; see [PseudoLocales].
func (b *Bundle) Languages() []language.Tag { return append([]language.Tag(nil), b.langs...) }

// Messages returns a copy of the messages of tag (nil if none), keyed by
// id. Pseudo-locales have messages too.
func (b *Bundle) Messages(tag language.Tag) map[string]*i18n.Message {
	c := b.catalog(tag)
	if c == nil {
		return nil
	}
	out := make(map[string]*i18n.Message, len(c.messages))
	for id, msg := range c.messages {
		out[id] = msg
	}
	return out
}

// Files returns the files tag's messages come from, in load order.
func (b *Bundle) Files(tag language.Tag) []string {
	var out []string
	for _, src := range b.files[tag] {
		out = append(out, src.shown)
	}
	return out
}

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
	c := b.catalog(tag)
	if c == nil {
		tag, c = Default, b.catalog(Default)
	}
	en := b.catalog(Default)
	return &Localizer{
		tag:      tag,
		l:        i18n.NewLocalizer(c.bundle, tag.String()),
		fallback: i18n.NewLocalizer(en.bundle, Default.String()),
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
	rtl := bidi.IsRTL(l.tag)
	td := map[string]any{}
	for i := 0; i+1 < len(data); i += 2 {
		v := data[i+1]
		if s, ok := v.(string); ok && rtl {
			// A device name, address or Latin number inside Arabic text
			// keeps its own order ([bidi.Isolate]).
			v = bidi.Isolate(s)
		}
		td[fmt.Sprint(data[i])] = v
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: td, PluralCount: count}
	s, err := l.l.Localize(cfg)
	if err != nil || strings.TrimSpace(s) == "" {
		if s, err = l.fallback.Localize(cfg); err != nil || strings.TrimSpace(s) == "" {
			return id
		}
	}
	s = strings.TrimSpace(s)
	if rtl && !bidi.HasRTL(s) {
		// Left to right as a whole: nothing to isolate from.
		s = bidi.Unisolate(s)
	}
	return s
}
