// Package fontcover answers whether any installed or bundled font can draw
// a character, for checking translations before users see empty boxes.
package fontcover

import (
	"bytes"
	"fmt"
	"unicode"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/fontscan"
)

// Set is the characters a group of fonts covers. It is immutable once built
// and safe for concurrent use.
type Set struct {
	system []fontscan.Footprint
	added  fontscan.RuneSet // the characters of the added fonts
	faces  int              // how many faces were added
}

// System scans the operating system's fonts (as Fyne's own font lookup
// does), keeping the index in cacheDir ("" = the user's cache folder).
// Bundled fonts are added with [Set.AddFont].
func System(cacheDir string) (*Set, error) {
	fps, err := fontscan.SystemFonts(quiet{}, cacheDir)
	if err != nil {
		return nil, fmt.Errorf("fontcover: scan system fonts: %w", err)
	}
	return &Set{system: fps}, nil
}

// AddFont adds a font file's contents (TrueType or OpenType; a collection
// adds every face). name is used in errors. Only the characters the font
// maps are kept, not the parsed font (a few kilobytes, not megabytes).
func (s *Set) AddFont(name string, data []byte) error {
	faces, err := font.ParseTTC(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("fontcover: font %s: %w", name, err)
	}
	for _, f := range faces {
		for it := f.Cmap.Iter(); it.Next(); {
			r, _ := it.Char()
			s.added.Add(r)
		}
		s.faces++
	}
	return nil
}

// Covers reports whether some font of the set has a glyph for r.
func (s *Set) Covers(r rune) bool {
	if s.bundled(r) {
		return true
	}
	for i := range s.system {
		if s.system[i].Runes.Contains(r) {
			return true
		}
	}
	return false
}

// Fonts returns how many system and added fonts the set holds.
func (s *Set) Fonts() (system, added int) { return len(s.system), s.faces }

// quiet drops fontscan's progress messages.
type quiet struct{}

func (quiet) Printf(string, ...any) {}

// Suggest names a free font that draws r's script, for telling a user what
// to install; "" when r is in no script this table knows.
func Suggest(r rune) string {
	for _, s := range suggestions {
		if unicode.Is(s.script, r) {
			return s.font
		}
	}
	return ""
}

var suggestions = []struct {
	script *unicode.RangeTable
	font   string
}{
	{unicode.Khmer, "Noto Sans Khmer"},
	{unicode.Lao, "Noto Sans Lao"},
	{unicode.Thai, "Noto Sans Thai"},
	{unicode.Bengali, "Noto Sans Bengali"},
	{unicode.Devanagari, "Noto Sans Devanagari"},
	{unicode.Arabic, "Noto Sans Arabic"},
	{unicode.Hangul, "Noto Sans CJK KR"},
	{unicode.Han, "Noto Sans CJK SC"},
	{unicode.Mongolian, "Noto Sans Mongolian"},
	{unicode.Cyrillic, "Noto Sans"},
	{unicode.Latin, "Noto Sans"},
}

// Missing returns, in order of first appearance and without repeats, the
// letters of texts that covered cannot draw. Spaces and controls are
// ignored.
func Missing(covered func(rune) bool, texts ...string) []rune {
	seen := map[rune]bool{}
	var out []rune
	for _, t := range texts {
		for _, r := range t {
			if seen[r] || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				continue
			}
			seen[r] = true
			if !covered(r) {
				out = append(out, r)
			}
		}
	}
	return out
}
