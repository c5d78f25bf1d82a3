package locales

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// File is one parsed message file.
type File struct {
	Name     string
	Tag      language.Tag
	Messages []*i18n.Message
	// Header is the comment block at the top of the file (without "# ").
	Header string
	// data is the file's text, to find a message's line in.
	data []byte
}

var fileName = regexp.MustCompile(`^active\.([A-Za-z0-9-]+)\.toml$`)

// TagFromFileName returns the language of a file named active.<tag>.toml.
func TagFromFileName(name string) (language.Tag, error) {
	m := fileName.FindStringSubmatch(name)
	if m == nil {
		return language.Und, fmt.Errorf("file name %q is not active.<language>.toml", name)
	}
	tag, err := language.Parse(m[1])
	if err != nil || tag == language.Und {
		return language.Und, fmt.Errorf("file name %q: %q is not a language tag (like fr, pt-BR or zh-Hans)", name, m[1])
	}
	return tag, nil
}

// ParseFile parses the message file data named name (active.<tag>.toml).
// Problems come back as FileErrors with the line and reason: a file that is
// not TOML gives a nil File; a message that is broken (bad template, wrong
// value type) is left out and the rest are returned.
func ParseFile(data []byte, name string) (*File, []*FileError) {
	tag, err := TagFromFileName(name)
	if err != nil {
		return nil, []*FileError{{File: name, Err: err}}
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		return nil, []*FileError{{File: name, Line: line, Err: errors.New("text is not UTF-8; save the file as UTF-8")}}
	}
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			reason := pe.Message
			if pe.LastKey != "" {
				reason += " (after key " + pe.LastKey + ")"
			}
			return nil, []*FileError{{File: name, Line: pe.Position.Line, Err: errors.New(reason)}}
		}
		return nil, []*FileError{{File: name, Err: err}}
	}
	f := &File{Name: name, Tag: tag, Header: header(data), data: data}
	var errs []*FileError
	for _, id := range sortedKeys(raw) {
		msgs, err := messagesOf(id, raw[id])
		if err != nil {
			errs = append(errs, &FileError{File: name, Line: keyLine(data, id), Err: err})
			continue
		}
		for _, m := range msgs {
			if form, err := checkTemplates(m); err != nil {
				errs = append(errs, &FileError{File: name, Line: formLine(data, m.ID, form), Err: fmt.Errorf("message %q: %w", m.ID, err)})
				continue
			}
			f.Messages = append(f.Messages, m)
		}
	}
	return f, errs
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// messagesOf turns one top-level TOML entry into messages. go-i18n allows
// nesting ([group] key = "…" makes "group.key"), which we follow.
func messagesOf(id string, v any) ([]*i18n.Message, error) {
	switch v := v.(type) {
	case string:
		return []*i18n.Message{{ID: id, Other: v}}, nil
	case map[string]any:
		if isMessageMap(v) {
			m, err := i18n.NewMessage(v)
			if err != nil {
				return nil, fmt.Errorf("message %q: %w", id, err)
			}
			m.ID = id
			return []*i18n.Message{m}, nil
		}
		var out []*i18n.Message
		for _, k := range sortedKeys(v) {
			sub, err := messagesOf(id+"."+k, v[k])
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("message %q: value is a %T, want text in quotes or a table of plural forms", id, v)
	}
}

// messageKeys are the keys a go-i18n message table may hold.
var messageKeys = map[string]bool{
	"id": true, "hash": true, "description": true, "leftdelim": true, "rightdelim": true,
	"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true,
}

func isMessageMap(v map[string]any) bool {
	if len(v) == 0 {
		return false
	}
	for k, val := range v {
		if !messageKeys[strings.ToLower(k)] {
			return false
		}
		if _, ok := val.(string); !ok {
			return false
		}
	}
	return true
}

// checkTemplates parses every form of m as a Go template, as go-i18n will,
// and returns the first broken form's name with the error.
func checkTemplates(m *i18n.Message) (string, error) {
	left, right := m.LeftDelim, m.RightDelim
	if left == "" {
		left = "{{"
	}
	if right == "" {
		right = "}}"
	}
	for _, f := range forms(m) {
		if f.text == "" {
			continue
		}
		if _, err := template.New(m.ID).Delims(left, right).Parse(f.text); err != nil {
			return f.name, fmt.Errorf("form %q: placeholder is broken: %w", f.name, err)
		}
	}
	return "", nil
}

type form struct{ name, text string }

// forms returns the plural forms of m that have text, in CLDR order.
func forms(m *i18n.Message) []form {
	all := []form{{"zero", m.Zero}, {"one", m.One}, {"two", m.Two}, {"few", m.Few}, {"many", m.Many}, {"other", m.Other}}
	out := all[:0]
	for _, f := range all {
		if f.text != "" {
			out = append(out, f)
		}
	}
	return out
}

// keyLine finds the line where id is defined: "id" = …, id = …, [id], or,
// failing that, a nested key's last part. 0 if not found.
func keyLine(data []byte, id string) int {
	if n := findKey(data, []string{`"` + id + `"`, `[` + id + `]`, `["` + id + `"]`, id + " ", id + "="}); n > 0 {
		return n
	}
	last := id
	if i := strings.LastIndex(id, "."); i >= 0 {
		last = id[i+1:]
	}
	return findKey(data, []string{`"` + last + `"`, last + " ", last + "="})
}

// formLine finds the line of plural form (one, few, …) of message id in
// its table, or else the message's line.
func formLine(data []byte, id, form string) int {
	start := keyLine(data, id)
	if start == 0 || form == "" {
		return start
	}
	lines := strings.Split(string(data), "\n")
	for i := start; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "[") {
			break
		}
		if strings.HasPrefix(t, form+" ") || strings.HasPrefix(t, form+"=") {
			return i + 1
		}
	}
	return start
}

// exactKeyLine is keyLine without the last-part guess.
func exactKeyLine(data []byte, id string) int {
	return findKey(data, []string{`"` + id + `"`, `[` + id + `]`, `["` + id + `"]`, id + " ", id + "="})
}

func findKey(data []byte, prefixes []string) int {
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		for _, p := range prefixes {
			if strings.HasPrefix(t, p) {
				return i + 1
			}
		}
	}
	return 0
}

// header returns the leading comment block of a file.
func header(data []byte) string {
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "#") {
			break
		}
		out = append(out, strings.TrimSpace(strings.TrimPrefix(t, "#")))
	}
	return strings.Join(out, "\n")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
