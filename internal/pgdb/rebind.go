package pgdb

import (
	"fmt"
	"strconv"
	"strings"
)

// maxPlaceholder is the highest placeholder number PostgreSQL's protocol
// can carry (a statement has at most 65535 parameters).
const maxPlaceholder = 65535

// Rebind rewrites a query written for SQLite's placeholders, ? and ?NNN,
// with PostgreSQL's $NNN, so that SQL that is otherwise portable can serve
// both databases. It numbers them as SQLite does: ?NNN is parameter NNN, and
// a bare ? is one more than the highest number before it, so the same
// arguments go with both. A ? inside a quoted string ('…', E'…', $tag$…$tag$),
// a quoted name ("…") or a comment (-- …, /* … */, nested as PostgreSQL
// nests them) is left as it is. PostgreSQL's own $1 and its ?-operators on
// jsonb have no place in a query given to Rebind.
//
// A space is put between a placeholder and a letter, digit, _ or $ next to
// it, which PostgreSQL would otherwise read as part of one word ("a?" is
// "a $1", not the name "a$1").
//
// An unterminated quote or comment, ?0 or a number past 65535 is an error
// that says where. A query with no ? at all is returned as it is, unread.
// Strings are read as PostgreSQL reads them with standard_conforming_strings
// on, its default: a backslash escapes only in E'…'.
func Rebind(query string) (string, error) {
	if !strings.Contains(query, "?") {
		return query, nil
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	highest := 0
	// word says the last plain byte was part of a word; identifier, that
	// the word began with a letter or _ (so a $ in it is a letter too,
	// not the start of a dollar quote).
	word, identifier := false, false
	for i := 0; i < len(query); {
		c := query[i]
		end := i + 1
		var err error
		switch {
		case c == '\'':
			end, err = skipString(query, i, isEscapeString(query, i))
		case c == '"':
			end, err = skipString(query, i, false)
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end = strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query)
			} else {
				end += i + 1
			}
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end, err = skipComment(query, i)
		case c == '$' && !(word && identifier):
			if tag := dollarTag(query[i:]); tag != "" {
				close := strings.Index(query[i+len(tag):], tag)
				if close < 0 {
					return "", fmt.Errorf("pgdb: rebind: the dollar-quoted string at byte %d has no closing %s", i, tag)
				}
				end = i + len(tag) + close + len(tag)
			}
		case c == '?':
			for end < len(query) && isDigit(query[end]) {
				end++
			}
			n := highest + 1
			if end > i+1 {
				if n, err = strconv.Atoi(query[i+1 : end]); err != nil || n < 1 || n > maxPlaceholder {
					return "", fmt.Errorf("pgdb: rebind: placeholder %s at byte %d: numbers go from 1 to %d", query[i:end], i, maxPlaceholder)
				}
			}
			highest = max(highest, n)
			if word {
				b.WriteByte(' ')
			}
			b.WriteString("$" + strconv.Itoa(n))
			// "$N" reads as a word that is not a name, as a parameter of
			// PostgreSQL's own would, unless a space must end it.
			word, identifier = true, false
			if end < len(query) && isWordByte(query[end]) {
				b.WriteByte(' ')
				word = false
			}
			i = end
			continue
		}
		if err != nil {
			return "", err
		}
		if end == i+1 && isWordByte(c) {
			if !word {
				identifier = !isDigit(c) && c != '$'
			}
			word = true
		} else {
			word = false
		}
		b.WriteString(query[i:end])
		i = end
	}
	return b.String(), nil
}

// isEscapeString says whether the quote at i opens an E'…' string, in which
// a backslash escapes the next character: E or e just before it, not the
// end of a longer word.
func isEscapeString(q string, i int) bool {
	if i == 0 || q[i-1]|0x20 != 'e' {
		return false
	}
	return i == 1 || !isWordByte(q[i-2])
}

// skipString returns the end of the string or quoted name opening at i,
// where a doubled quote stands for one (and with backslash, a backslash
// escapes the next byte).
func skipString(q string, i int, backslash bool) (int, error) {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		switch {
		case backslash && q[j] == '\\':
			j++
		case q[j] == quote:
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1, nil
		}
	}
	what := "string"
	if quote == '"' {
		what = "quoted name"
	}
	return 0, fmt.Errorf("pgdb: rebind: the %s at byte %d has no closing %c", what, i, quote)
}

// skipComment returns the end of the /* comment */ opening at i; comments
// nest in PostgreSQL.
func skipComment(q string, i int) (int, error) {
	depth := 0
	for j := i; j+1 < len(q); j++ {
		switch {
		case q[j] == '/' && q[j+1] == '*':
			depth++
			j++
		case q[j] == '*' && q[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("pgdb: rebind: the comment at byte %d has no closing */", i)
}

// dollarTag is the $tag$ that opens a dollar-quoted string at the start of
// s, or "" if s does not start with one. A tag is empty or a name that does
// not start with a digit.
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '$':
			return s[:j+1]
		case isDigit(c) && j == 1, !isWordByte(c) || c == '$':
			return ""
		}
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWordByte says whether c may be part of a name or number in
// PostgreSQL: letters, digits, _, $ and every byte of a non-ASCII letter.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '$' || c >= 0x80
}
