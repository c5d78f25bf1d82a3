// Package filelabel names an attached file's size and type the way a
// person reads them, in their language: "4.6 MB", "PDF", "Image". The
// desktop app's Files section and the hub's dashboard show files with it,
// so that both say the same.
//
// Everything here is a pure function, safe for concurrent use.
package filelabel

import (
	"strings"

	"github.com/a20-network/fieldbook/locales"
)

// Size writes a size in bytes the language's way: bytes under a kilobyte,
// whole kilobytes under a megabyte, else megabytes with one decimal
// ("840 B", "330 KB", "4.6 MB"; "٤٫٦ م.ب" in Arabic).
func Size(l *locales.Localizer, n int64) string {
	switch {
	case n >= 1<<20:
		return l.T("files.size.mb", "N", locales.FormatDecimal(l.Tag(), float64(n)/(1<<20), 1, 1))
	case n >= 1<<10:
		return l.T("files.size.kb", "N", locales.FormatNumber(l.Tag(), int((n+512)>>10)))
	}
	return l.T("files.size.b", "N", locales.FormatNumber(l.Tag(), int(n)))
}

// Category is the short word a file's media type is shown as, as the end
// of its message id ("files.type.pdf"): pdf, image, document, spreadsheet,
// presentation, text, audio, or file for anything else.
func Category(mime string) string {
	switch {
	case mime == "application/pdf":
		return "pdf"
	case strings.HasPrefix(mime, "image/"):
		return "image"
	case strings.HasPrefix(mime, "audio/"), mime == "application/ogg":
		return "audio"
	case strings.HasPrefix(mime, "text/"):
		return "text"
	case strings.Contains(mime, "spreadsheet"), strings.Contains(mime, "excel"):
		return "spreadsheet"
	case strings.Contains(mime, "presentation"), strings.Contains(mime, "powerpoint"):
		return "presentation"
	case strings.Contains(mime, "word"), strings.Contains(mime, "opendocument.text"):
		return "document"
	}
	return "file"
}

// Type names a file's media type in l's language ("PDF", "Image").
func Type(l *locales.Localizer, mime string) string {
	return l.T("files.type." + Category(mime))
}
