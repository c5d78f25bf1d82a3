package fontcover

import (
	"cmp"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/go-text/typesetting/font"
)

// markScripts are the shipped scripts whose letters take combining marks
// (vowel signs, viramas, tone marks) that must be drawn from the same font
// as the letter they sit on. Fyne picks a font for every character on its
// own, first font first: once a font that has some of a script's marks but
// not its letters is in use (Noto Looped Thai carries several Khmer signs,
// for one), those marks come from it and are drawn apart from their letters.
var markScripts = []*unicode.RangeTable{
	unicode.Khmer, unicode.Lao, unicode.Thai, unicode.Bengali, unicode.Devanagari,
}

// ScriptFont returns the file of one installed font that draws every
// letter and mark of texts that the added (bundled) fonts do not, when
// those letters are of a script that takes combining marks (Khmer, Lao,
// Thai, Bengali, Devanagari). A font whose family is the one [Suggest]
// names is preferred, then the weight nearest regular (or bold), then
// the family name, so the choice is the same on every start. It returns
// "" when texts need no such font or no single installed font covers
// them; font collections (.ttc) are not returned.
func (s *Set) ScriptFont(texts []string, bold bool) string {
	var needed []rune
	seen := map[rune]bool{}
	var first rune
	for _, t := range texts {
		for _, r := range t {
			if seen[r] || !(unicode.IsLetter(r) || unicode.IsMark(r)) {
				continue
			}
			seen[r] = true
			if !inMarkScript(r) || s.bundled(r) {
				continue
			}
			if first == 0 {
				first = r
			}
			needed = append(needed, r)
		}
	}
	if len(needed) == 0 {
		return ""
	}
	want := font.WeightNormal
	if bold {
		want = font.WeightBold
	}
	suggested := familyKey(Suggest(first))
	type candidate struct {
		file      string
		family    string
		suggested bool
		distance  float32
	}
	var cands []candidate
	for i := range s.system {
		fp := &s.system[i]
		ext := strings.ToLower(filepath.Ext(fp.Location.File))
		if fp.Location.Index != 0 || (ext != ".ttf" && ext != ".otf") {
			continue
		}
		if fp.Aspect.Style != 0 && fp.Aspect.Style != font.StyleNormal {
			continue
		}
		if !slices.ContainsFunc(needed, func(r rune) bool { return !fp.Runes.Contains(r) }) {
			d := float32(fp.Aspect.Weight - want)
			if d < 0 {
				d = -d
			}
			if fp.Aspect.Weight == 0 { // unknown weight: treat as regular
				d = float32(font.WeightNormal - want)
				if d < 0 {
					d = -d
				}
			}
			cands = append(cands, candidate{fp.Location.File, fp.Family, familyKey(fp.Family) == suggested, d})
		}
	}
	if len(cands) == 0 {
		return ""
	}
	best := slices.MinFunc(cands, func(a, b candidate) int {
		if a.suggested != b.suggested {
			if a.suggested {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.distance, b.distance), cmp.Compare(a.family, b.family), cmp.Compare(a.file, b.file))
	})
	return best.file
}

// bundled reports whether an added font draws r.
func (s *Set) bundled(r rune) bool {
	for _, f := range s.fonts {
		if _, ok := f.NominalGlyph(r); ok {
			return true
		}
	}
	return false
}

func inMarkScript(r rune) bool {
	for _, t := range markScripts {
		if unicode.Is(t, r) {
			return true
		}
	}
	return false
}

// familyKey folds a family name for comparison: fontscan keeps names
// lower-cased without spaces.
func familyKey(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", ""))
}
