package filetype

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// Reason says why a file was refused, as a code the UI localizes (the
// message key "file.refused.<reason>"). The list is append-only.
type Reason string

// The reasons a file is refused.
const (
	// ReasonEmpty: the file has no bytes.
	ReasonEmpty Reason = "empty"
	// ReasonProgram: an executable program, library or installer.
	ReasonProgram Reason = "program"
	// ReasonScript: a script that a computer may run (shell, Python, JavaScript…).
	ReasonScript Reason = "script"
	// ReasonMacros: an office document that carries macros (a program inside).
	ReasonMacros Reason = "macros"
	// ReasonWebPage: HTML, SVG or other markup that may run scripts when opened.
	ReasonWebPage Reason = "web-page"
	// ReasonArchive: an archive (ZIP, RAR, 7z…), whose content cannot be checked.
	ReasonArchive Reason = "archive"
	// ReasonVideo: a video, too large for the network's links.
	ReasonVideo Reason = "video"
	// ReasonNotUTF8: text that is not UTF-8 (or binary data that starts like text).
	ReasonNotUTF8 Reason = "not-utf8"
	// ReasonOther: any other type that is not on the allow-list.
	ReasonOther Reason = "other"
	// ReasonHEIC: a HEIC/HEIF photo (what many phones take by default),
	// which many computers cannot open; saved as JPEG it can be attached.
	ReasonHEIC Reason = "heic"
)

// Reasons returns every reason a file may be refused for, in a stable
// order: each needs its message "file.refused.<reason>" in every language.
func Reasons() []Reason {
	out := make([]Reason, 0, len(describe))
	for r := range describe {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// describe is the English words for each reason, as [RefusedError.Error]
// writes them before the type found.
var describe = map[Reason]string{
	ReasonEmpty:   "an empty file",
	ReasonProgram: "an executable program",
	ReasonScript:  "a script",
	ReasonMacros:  "an office document with macros",
	ReasonWebPage: "a web page or markup that can run scripts",
	ReasonArchive: "an archive",
	ReasonVideo:   "a video",
	ReasonNotUTF8: "text that is not UTF-8",
	ReasonOther:   "a file of a type that is not allowed",
	ReasonHEIC:    "a HEIC photo, which many computers cannot open (save it as JPEG)",
}

// AllowedText is the allow-list in English words, as error messages end.
const AllowedText = "PDF, images, office documents, plain text, audio"

// RefusedError is the error [Detect] returns for a file that may not be
// attached. The UI shows a localized message from Reason and Found (the
// type's name is not translated); Error gives the English one.
type RefusedError struct {
	// Name is the file's name as given, without folders ("" if none).
	Name string
	// Found is the media type found in the content ("" for an empty file).
	Found string
	// Reason is why it was refused.
	Reason Reason
}

// Error returns the reason in English: "report.pdf: an executable program
// (application/vnd.microsoft.portable-executable) cannot be attached;
// allowed: PDF, images, office documents, plain text, audio".
func (e *RefusedError) Error() string {
	var b strings.Builder
	if e.Name != "" && e.Name != "." {
		b.WriteString(e.Name)
		b.WriteString(": ")
	}
	b.WriteString(describe[e.Reason])
	if e.Found != "" {
		fmt.Fprintf(&b, " (%s)", e.Found)
	}
	b.WriteString(" cannot be attached; allowed: " + AllowedText)
	return b.String()
}

// IsRefused reports whether err is or wraps a [*RefusedError], and returns it.
func IsRefused(err error) (*RefusedError, bool) {
	var r *RefusedError
	ok := errors.As(err, &r)
	return r, ok
}

var errNotUTF8 = errors.New("not UTF-8 text")

// refusedFamilies maps a media type, or one of its parents in mimetype's
// tree, to the reason a file of it is refused; the first match walking up
// from the type found wins.
var refusedFamilies = map[string]Reason{
	"application/vnd.microsoft.portable-executable": ReasonProgram,
	"application/x-executable":                      ReasonProgram,
	"application/x-elf":                             ReasonProgram,
	"application/x-sharedlib":                       ReasonProgram,
	"application/x-object":                          ReasonProgram,
	"application/x-mach-binary":                     ReasonProgram,
	"application/x-ms-installer":                    ReasonProgram,
	"application/x-installshield":                   ReasonProgram,
	"application/vnd.android.package-archive":       ReasonProgram,
	"application/java-archive":                      ReasonProgram,
	"application/x-java-applet":                     ReasonProgram,
	"application/wasm":                              ReasonProgram,
	"application/x-ms-shortcut":                     ReasonProgram,
	"application/vnd.debian.binary-package":         ReasonProgram,
	"application/x-rpm":                             ReasonProgram,
	"application/x-chrome-extension":                ReasonProgram,
	"application/x-bytecode.python":                 ReasonProgram,
	"application/x-shockwave-flash":                 ReasonProgram,
	"application/vnd.ms-htmlhelp":                   ReasonProgram,

	"text/x-shellscript": ReasonScript,
	"text/x-python":      ReasonScript,
	"text/x-perl":        ReasonScript,
	"text/x-ruby":        ReasonScript,
	"text/x-lua":         ReasonScript,
	"text/x-php":         ReasonScript,
	"text/x-tcl":         ReasonScript,
	"text/javascript":    ReasonScript,

	"text/html":     ReasonWebPage,
	"text/xml":      ReasonWebPage,
	"image/svg+xml": ReasonWebPage,

	"image/heic":          ReasonHEIC,
	"image/heic-sequence": ReasonHEIC,
	"image/heif":          ReasonHEIC,
	"image/heif-sequence": ReasonHEIC,

	"application/zip":                   ReasonArchive,
	"application/x-7z-compressed":       ReasonArchive,
	"application/vnd.rar":               ReasonArchive,
	"application/x-tar":                 ReasonArchive,
	"application/gzip":                  ReasonArchive,
	"application/x-bzip2":               ReasonArchive,
	"application/x-xz":                  ReasonArchive,
	"application/zstd":                  ReasonArchive,
	"application/vnd.ms-cab-compressed": ReasonArchive,
	"application/x-ole-storage":         ReasonArchive,
}

// reasonFor returns why a type not on the allow-list is refused.
func reasonFor(m *mimetype.MIME) Reason {
	for p := m; p != nil; p = p.Parent() {
		name, _, _ := strings.Cut(p.String(), ";")
		if r, ok := refusedFamilies[name]; ok {
			return r
		}
		if strings.HasPrefix(name, "video/") {
			return ReasonVideo
		}
	}
	return ReasonOther
}

// hasMacros reports whether an Office Open XML or OpenDocument file carries
// macros: a VBA project (vbaProject.bin) or a Basic folder. A file that is
// not a readable ZIP has none that an office program would run.
func hasMacros(content []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if path.Base(name) == "vbaproject.bin" || strings.HasPrefix(name, "basic/") {
			return true
		}
	}
	return false
}
