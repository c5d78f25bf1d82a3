// Package filetype tells what an attached file is from its content, against
// the allow-list of what Fieldbook carries (PDF, images, office documents,
// plain text, audio), and makes photos small and free of metadata before they
// leave the device.
//
// Everything here is a pure function over bytes: no database, no disk, no
// network, safe to call from any goroutine. The device calls [Detect] before
// it stores or sends a file, the hub calls it again on the whole file; a photo
// ([Kind.Photo]) is sent as [Reduce] makes it, and every image carries a
// [Thumbnail] in its record.
package filetype

import (
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
)

// Category is the broad kind of an allowed file, as the UI groups and names
// it ("pdf", "image", "office", "text", "audio"). The list is append-only.
type Category string

// The categories of files that may be attached, in the order the UI lists them.
const (
	CategoryPDF    Category = "pdf"
	CategoryImage  Category = "image"
	CategoryOffice Category = "office"
	CategoryText   Category = "text"
	CategoryAudio  Category = "audio"
)

// Categories returns the categories of files that may be attached, in the
// order the UI lists them; each call returns a new slice.
func Categories() []Category {
	return []Category{CategoryPDF, CategoryImage, CategoryOffice, CategoryText, CategoryAudio}
}

// Kind is what [Detect] found a file to be.
type Kind struct {
	// MIME is the media type without parameters ("application/pdf",
	// "image/jpeg"): what protocol.FileRef.Type carries.
	MIME string
	// Category is the allowed category the type belongs to.
	Category Category
	// Photo is true for an image that [Reduce] can make smaller (JPEG, PNG,
	// WebP); GIFs are sent as they are (often animated, and small).
	Photo bool
	// Exts are the file name endings that fit the type, first the usual one
	// (".pdf"); see [Kind.FitName].
	Exts []string
}

// allowed is the allow-list: every media type that may be attached, as
// mimetype names it, with its category. A type's aliases match through
// mimetype's own alias table; a type not listed here (its parent included:
// text/html is a kind of text/plain for mimetype, and is refused) is refused.
var allowed = []Kind{
	{MIME: "application/pdf", Category: CategoryPDF, Exts: []string{".pdf"}},

	{MIME: "image/jpeg", Category: CategoryImage, Photo: true, Exts: []string{".jpg", ".jpeg", ".jpe"}},
	{MIME: "image/png", Category: CategoryImage, Photo: true, Exts: []string{".png"}},
	{MIME: "image/webp", Category: CategoryImage, Photo: true, Exts: []string{".webp"}},
	{MIME: "image/gif", Category: CategoryImage, Exts: []string{".gif"}},

	{MIME: "application/msword", Category: CategoryOffice, Exts: []string{".doc"}},
	{MIME: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Category: CategoryOffice, Exts: []string{".docx"}},
	{MIME: "application/vnd.ms-excel", Category: CategoryOffice, Exts: []string{".xls"}},
	{MIME: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Category: CategoryOffice, Exts: []string{".xlsx"}},
	{MIME: "application/vnd.ms-powerpoint", Category: CategoryOffice, Exts: []string{".ppt"}},
	{MIME: "application/vnd.openxmlformats-officedocument.presentationml.presentation", Category: CategoryOffice, Exts: []string{".pptx"}},
	{MIME: "application/vnd.oasis.opendocument.text", Category: CategoryOffice, Exts: []string{".odt"}},
	{MIME: "application/vnd.oasis.opendocument.spreadsheet", Category: CategoryOffice, Exts: []string{".ods"}},
	{MIME: "application/vnd.oasis.opendocument.presentation", Category: CategoryOffice, Exts: []string{".odp"}},

	{MIME: "text/plain", Category: CategoryText, Exts: []string{".txt", ".text", ".md", ".log", ".csv", ".tsv"}},
	{MIME: "text/csv", Category: CategoryText, Exts: []string{".csv", ".txt"}},
	{MIME: "text/tab-separated-values", Category: CategoryText, Exts: []string{".tsv", ".txt"}},

	{MIME: "audio/mpeg", Category: CategoryAudio, Exts: []string{".mp3"}},
	{MIME: "audio/x-m4a", Category: CategoryAudio, Exts: []string{".m4a"}},
	{MIME: "audio/mp4", Category: CategoryAudio, Exts: []string{".m4a", ".mp4"}},
	{MIME: "audio/aac", Category: CategoryAudio, Exts: []string{".aac"}},
	{MIME: "audio/ogg", Category: CategoryAudio, Exts: []string{".ogg", ".oga", ".opus"}},
	{MIME: "application/ogg", Category: CategoryAudio, Exts: []string{".ogg", ".oga"}},
	{MIME: "audio/wav", Category: CategoryAudio, Exts: []string{".wav"}},
	{MIME: "audio/amr", Category: CategoryAudio, Exts: []string{".amr"}},
}

// Detect returns what content is, found from the bytes alone and checked
// against the allow-list. name (the file's name as the person chose it) never
// decides the type: it only appears in the error. Anything not on the list,
// an empty file, or text that is not UTF-8 returns a [*RefusedError] whose
// Reason the UI localizes. Detect reads content and keeps nothing of it.
func Detect(content []byte, name string) (Kind, error) {
	base := filepath.Base(name)
	if len(content) == 0 {
		return Kind{}, &RefusedError{Name: base, Reason: ReasonEmpty}
	}
	m := mimetype.Detect(content)
	found, _, _ := strings.Cut(m.String(), ";")
	for _, k := range allowed {
		if !m.Is(k.MIME) {
			continue
		}
		if k.Category == CategoryText {
			if err := checkText(content); err != nil {
				return Kind{}, &RefusedError{Name: base, Found: found, Reason: ReasonNotUTF8}
			}
		}
		if k.Category == CategoryOffice && hasMacros(content) {
			return Kind{}, &RefusedError{Name: base, Found: found, Reason: ReasonMacros}
		}
		k.Exts = append([]string(nil), k.Exts...)
		return k, nil
	}
	return Kind{}, &RefusedError{Name: base, Found: found, Reason: reasonFor(m)}
}

// ByMIME returns the allowed kind whose media type is mime
// ("application/pdf"), as [Detect] names it, or false for a type not on
// the allow-list.
func ByMIME(mime string) (Kind, bool) {
	for _, k := range allowed {
		if k.MIME == mime {
			k.Exts = append([]string(nil), k.Exts...)
			return k, true
		}
	}
	return Kind{}, false
}

// checkText returns an error unless content is UTF-8 text: mimetype looks
// at the first few KB only, and a file that is text at its start may carry
// anything further on.
func checkText(content []byte) error {
	body := bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
		return errNotUTF8
	}
	return nil
}

// FitName returns name when its ending fits the kind, else name with the
// kind's usual ending added ("cleanup.bat" holding text becomes
// "cleanup.bat.txt"), so that opening a file with the computer's own
// program opens it as what its content is, never runs it.
func (k Kind) FitName(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range k.Exts {
		if ext == e {
			return name
		}
	}
	if len(k.Exts) == 0 {
		return name
	}
	return name + k.Exts[0]
}
