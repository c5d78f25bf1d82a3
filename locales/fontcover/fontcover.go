// Package fontcover answers whether any installed or bundled font can draw
// a character, for checking translations before users see empty boxes.
package fontcover

import (
	"bytes"
	"fmt"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/fontscan"
)

// Set is the characters a group of fonts covers. It is immutable once built
// and safe for concurrent use.
type Set struct {
	system []fontscan.Footprint
	fonts  []*font.Font
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
// adds every face). name is used in errors.
func (s *Set) AddFont(name string, data []byte) error {
	faces, err := font.ParseTTC(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("fontcover: font %s: %w", name, err)
	}
	for _, f := range faces {
		s.fonts = append(s.fonts, f.Font)
	}
	return nil
}

// Covers reports whether some font of the set has a glyph for r.
func (s *Set) Covers(r rune) bool {
	for _, f := range s.fonts {
		if _, ok := f.NominalGlyph(r); ok {
			return true
		}
	}
	for i := range s.system {
		if s.system[i].Runes.Contains(r) {
			return true
		}
	}
	return false
}

// Fonts returns how many system and added fonts the set holds.
func (s *Set) Fonts() (system, added int) { return len(s.system), len(s.fonts) }

// quiet drops fontscan's progress messages.
type quiet struct{}

func (quiet) Printf(string, ...any) {}
