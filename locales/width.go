package locales

import (
	"strings"

	"github.com/rivo/uniseg"
)

// DisplayWidth returns how many terminal columns s takes: a grapheme
// cluster is one column, or two for East Asian wide characters, whatever
// its combining marks (Devanagari, Thai and Khmer vowel signs take none).
func DisplayWidth(s string) int { return uniseg.StringWidth(s) }

// PadRight returns s followed by spaces up to width columns (s itself if
// it is as wide or wider), for tables printed in any script.
func PadRight(s string, width int) string {
	if n := width - DisplayWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// Wrap breaks words into lines no wider than width columns, each line's
// words joined by one space; a word wider than width stands alone.
func Wrap(words []string, width int) []string {
	var lines []string
	var cur strings.Builder
	curW := 0
	for _, w := range words {
		ww := DisplayWidth(w)
		if curW > 0 && curW+1+ww > width {
			lines = append(lines, cur.String())
			cur.Reset()
			curW = 0
		}
		if curW > 0 {
			cur.WriteByte(' ')
			curW++
		}
		cur.WriteString(w)
		curW += ww
	}
	if curW > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
