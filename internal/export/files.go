package export

import (
	"strings"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// A record's attached files are listed by name in one cell: the names in
// the record's order, separated by [FileSeparator], a ";" or "\" inside a
// name escaped by a backslash ("minutes\; May.pdf"). [SplitFileNames]
// reads back exactly the names [JoinFileNames] wrote. The record model
// refuses a backslash in a file name, so in practice only ";" is escaped
// and a backslash in a cell always escapes what follows.

// FileSeparator separates the names of a record's files in one cell.
const FileSeparator = "; "

// FileNames returns the names of refs, in order.
func FileNames(refs []protocol.FileRef) []string {
	if len(refs) == 0 {
		return nil
	}
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.Name
	}
	return out
}

// fileNameEscaper escapes what would end a name early.
var fileNameEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`)

// JoinFileNames writes names as one cell: separated by [FileSeparator],
// with ";" and "\" inside a name escaped by a backslash.
func JoinFileNames(names []string) string {
	var sb strings.Builder
	for i, n := range names {
		if i > 0 {
			sb.WriteString(FileSeparator)
		}
		fileNameEscaper.WriteString(&sb, n)
	}
	return sb.String()
}

// SplitFileNames reads a cell of file names as [JoinFileNames] writes
// them, or as a person types them ("a.pdf;b.jpg"): split at every ";" that
// no backslash escapes, each name trimmed of spaces and unescaped, empty
// names left out. A backslash at the very end is kept as it is. It never
// fails: any text reads as some list of names.
func SplitFileNames(cell string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if n := strings.TrimSpace(cur.String()); n != "" {
			out = append(out, n)
		}
		cur.Reset()
	}
	for i := 0; i < len(cell); i++ {
		switch c := cell[i]; {
		case c == '\\' && i+1 < len(cell):
			i++
			cur.WriteByte(cell[i])
		case c == ';':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}
