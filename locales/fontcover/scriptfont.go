package fontcover

import (
	"cmp"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/fontscan"
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

// weightScripts are the shipped scripts that Fyne's bundled fonts do not
// draw and whose installed fonts come as collections (Korean, Chinese).
// Fyne 2.7 asks the system for a font for each such letter without the
// text's weight, so bold Hangul and Han came out regular (or, letter by
// letter, half of them bold); with the script's own regular and bold faces
// in front, bold is bold.
var weightScripts = []*unicode.RangeTable{unicode.Hangul, unicode.Han}

// ownFontScripts are the scripts [Set.ScriptFonts] chooses a font for.
var ownFontScripts = slices.Concat(markScripts, weightScripts)

// ScriptFonts returns where the installed fonts are, regular and bold,
// that each draw every letter and mark of texts that the added (bundled)
// fonts do not, when those letters are of a script that takes combining
// marks (Khmer, Lao, Thai, Bengali, Devanagari) or of Korean or Chinese
// (their bold must be chosen by the app: see weightScripts). A font whose
// family is the one [Suggest] names is preferred (Noto Sans CJK KR for
// Hangul, SC for Han: the faces of one collection differ in the shapes of
// Han characters), then the weight nearest regular (or bold), then the
// family name, so the choice is the same on every start. A face of a
// collection (.ttc) is named by its index; [Face] reads it out. It returns
// zero locations when texts need no such font, and a zero location for a
// weight when no single installed font covers them.
func (s *Set) ScriptFonts(texts []string) (regular, bold fontscan.Location) {
	needed := s.ownScriptRunes(texts)
	if len(needed) == 0 {
		return fontscan.Location{}, fontscan.Location{}
	}
	suggested := familyKey(Suggest(needed[0]))
	var covering []*fontscan.Footprint
	for i := range s.system {
		fp := &s.system[i]
		ext := strings.ToLower(filepath.Ext(fp.Location.File))
		if ext != ".ttf" && ext != ".otf" && ext != ".ttc" && ext != ".otc" {
			continue
		}
		if fp.Aspect.Style != 0 && fp.Aspect.Style != font.StyleNormal {
			continue
		}
		if !slices.ContainsFunc(needed, func(r rune) bool { return !fp.Runes.Contains(r) }) {
			covering = append(covering, fp)
		}
	}
	if len(covering) == 0 {
		return fontscan.Location{}, fontscan.Location{}
	}
	nearest := func(want font.Weight) fontscan.Location {
		distance := func(fp *fontscan.Footprint) float32 {
			w := fp.Aspect.Weight
			if w == 0 { // unknown weight: treat as regular
				w = font.WeightNormal
			}
			return float32(max(w-want, want-w))
		}
		return slices.MinFunc(covering, func(a, b *fontscan.Footprint) int {
			as, bs := familyKey(a.Family) == suggested, familyKey(b.Family) == suggested
			if as != bs {
				if as {
					return -1
				}
				return 1
			}
			return cmp.Or(cmp.Compare(distance(a), distance(b)), cmp.Compare(a.Family, b.Family),
				cmp.Compare(a.Location.File, b.Location.File), cmp.Compare(a.Location.Index, b.Location.Index))
		}).Location
	}
	return nearest(font.WeightNormal), nearest(font.WeightBold)
}

// ownScriptRunes returns, in order of first appearance and without
// repeats, the letters and marks of texts that are of a script in
// ownFontScripts and that no added font draws.
func (s *Set) ownScriptRunes(texts []string) []rune {
	var needed []rune
	seen := map[rune]bool{}
	for _, t := range texts {
		for _, r := range t {
			if seen[r] || !(unicode.IsLetter(r) || unicode.IsMark(r)) {
				continue
			}
			seen[r] = true
			if inOwnFontScript(r) && !s.bundled(r) {
				needed = append(needed, r)
			}
		}
	}
	return needed
}

// bundled reports whether an added font draws r.
func (s *Set) bundled(r rune) bool { return s.added.Contains(r) }

func inOwnFontScript(r rune) bool {
	for _, t := range ownFontScripts {
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
