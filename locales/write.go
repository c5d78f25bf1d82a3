package locales

import (
	"fmt"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// NewFile returns the text of a new message file for tag, pre-filled with
// the bundle's English messages for a translator to overwrite. Plural
// messages get every form tag's language needs (from English "other").
func (b *Bundle) NewFile(tag language.Tag) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, "# Fieldbook — %s messages (%s).\n", englishName(tag), OwnName(tag))
	sb.WriteString("# Status: draft — not yet reviewed by a native speaker.\n")
	sb.WriteString("# Every text below is still English: replace it, keep the {{.Placeholders}}.\n")
	fmt.Fprintf(&sb, "# Plural forms for %s: %s. Test with: fieldbook --lang %s, fieldbook locales check\n\n", tag, strings.Join(PluralForms(tag), ", "), tag)
	en := b.catalog(Default).messages
	var plural []*i18n.Message
	for _, id := range sortedKeys(en) {
		m := en[id]
		if isPlural(m) {
			plural = append(plural, m)
			continue
		}
		fmt.Fprintf(&sb, "%s = %s\n", tomlString(id), tomlString(m.Other))
	}
	for _, m := range plural {
		sb.WriteString("\n")
		writePluralTable(&sb, tag, m)
	}
	return []byte(sb.String())
}

// AppendMissing returns file (the text of tag's message file) with every
// English message it lacks appended at the end as a table (["id"] other =
// …), in English, under a comment saying so. The file's existing text is
// kept byte for byte. added lists the appended ids; none leaves file as is.
// [Bundle.Check] counts the appended messages as untranslated until they
// are changed.
func (b *Bundle) AppendMissing(tag language.Tag, file []byte) (out []byte, added []string, err error) {
	f, errs := ParseFile(file, "active."+tag.String()+".toml")
	if f == nil {
		return nil, nil, errs[0]
	}
	have := map[string]bool{}
	for _, m := range f.Messages {
		have[m.ID] = true
	}
	var sb strings.Builder
	sb.Write(file)
	en := b.catalog(Default).messages
	for _, id := range sortedKeys(en) {
		// A message that is there but broken (keyLine finds it) is the
		// translator's to fix, not to duplicate.
		if have[id] || exactKeyLine(file, id) > 0 {
			continue
		}
		if len(added) == 0 {
			if len(file) > 0 && !strings.HasSuffix(string(file), "\n") {
				sb.WriteString("\n")
			}
			sb.WriteString("\n# New messages, still in English: translate them.\n")
		}
		sb.WriteString("\n")
		writePluralTable(&sb, tag, en[id])
		added = append(added, id)
	}
	if len(added) == 0 {
		return file, nil, nil
	}
	return []byte(sb.String()), added, nil
}

// writePluralTable writes m as a TOML table with the forms tag needs (or
// just "other" for a message without plural forms).
func writePluralTable(sb *strings.Builder, tag language.Tag, m *i18n.Message) {
	fmt.Fprintf(sb, "[%s]\n", tomlString(m.ID))
	if !isPlural(m) {
		fmt.Fprintf(sb, "other = %s\n", tomlString(m.Other))
		return
	}
	for _, f := range PluralForms(tag) {
		text := formText(m, f)
		if text == "" || (f != "one" && f != "other") {
			text = m.Other
		}
		fmt.Fprintf(sb, "%s = %s\n", f, tomlString(text))
	}
}

func isPlural(m *i18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			sb.WriteString(`\"`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\u%04X`, r)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
