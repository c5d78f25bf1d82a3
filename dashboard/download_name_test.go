package dashboard

import (
	"mime"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestSafeFileName: the name a download is saved under has no folders,
// control or reordering characters, no leading dot, a bounded length, and
// an ending that fits the type the hub found in the content.
func TestSafeFileName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 300) + ".pdf"
	cases := []struct {
		name, kind, want string
	}{
		{"guide.pdf", "application/pdf", "guide.pdf"},
		{"Guide.PDF", "application/pdf", "Guide.PDF"},
		{"تقرير الزيارة.jpg", "image/jpeg", "تقرير الزيارة.jpg"},
		{"page.html", "text/plain", "page.html.txt"},
		{"cleanup.bat", "text/plain", "cleanup.bat.txt"},
		{"../../etc/passwd", "text/plain", "passwd.txt"},
		{`C:\Users\officer\report.docx`, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "report.docx"},
		{"invoice\u202efdp.exe", "application/pdf", "invoicefdp.exe.pdf"},
		{"a\x00b\nc\td.pdf", "application/pdf", "abcd.pdf"},
		{".hidden", "text/plain", "hidden.txt"},
		{" . ", "application/pdf", "file.pdf"},
		{"", "application/octet-stream", "file"},
		{"data.bin", "application/octet-stream", "data.bin"},
		{"bad\xffutf8.txt", "text/plain", "bad_utf8.txt"},
		{long, "application/pdf", strings.Repeat("é", maxDownloadName-4) + ".pdf"},
	}
	for _, c := range cases {
		if got := safeFileName(c.name, c.kind); got != c.want {
			t.Errorf("safeFileName(%q, %s) = %q, want %q", c.name, c.kind, got, c.want)
		}
	}
}

// TestContentDisposition: an ASCII name is sent as it is; any other name
// with an ASCII stand-in and its RFC 5987 encoding, which a standard
// parser reads back whole.
func TestContentDisposition(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, want string }{
		{"guide.pdf", `attachment; filename="guide.pdf"`},
		{"minutes; May=final.pdf", `attachment; filename="minutes; May=final.pdf"`},
		{`say "hi".txt`, `attachment; filename="say _hi_.txt"; filename*=UTF-8''say%20%22hi%22.txt`},
		{"100%.txt", `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`},
		{"école.pdf", `attachment; filename="_cole.pdf"; filename*=UTF-8''%C3%A9cole.pdf`},
	}
	for _, c := range cases {
		got := contentDisposition(c.name)
		if got != c.want {
			t.Errorf("contentDisposition(%q) = %s, want %s", c.name, got, c.want)
		}
		if _, params, err := mime.ParseMediaType(got); err != nil || params["filename"] != c.name {
			t.Errorf("%s reads back as %q, %v", got, params["filename"], err)
		}
	}
}

// FuzzDownloadName: whatever name a record gives a file and whatever type
// the hub found, the download's name is safe (see [safeFileName]) and its
// Content-Disposition reads back as exactly that name.
func FuzzDownloadName(f *testing.F) {
	for _, s := range []string{"guide.pdf", "../x", "a\u202e\u2066b", "\x00", "é\"%;\\", strings.Repeat("ملف", 100), ".", "x.html"} {
		f.Add(s, "text/plain")
		f.Add(s, "application/pdf")
	}
	f.Fuzz(func(t *testing.T, name, kind string) {
		got := safeFileName(name, kind)
		switch {
		case got == "" || !utf8.ValidString(got):
			t.Fatalf("safeFileName(%q) = %q", name, got)
		case strings.ContainsAny(got, `/\`) || strings.ContainsAny(got, bidiControls) || strings.IndexFunc(got, unicode.IsControl) >= 0:
			t.Fatalf("safeFileName(%q) = %q holds a folder, control or reordering character", name, got)
		case strings.HasPrefix(got, ".") || utf8.RuneCountInString(got) > maxDownloadName:
			t.Fatalf("safeFileName(%q) = %q: hidden or too long", name, got)
		}
		cd := contentDisposition(got)
		if _, params, err := mime.ParseMediaType(cd); err != nil || params["filename"] != got {
			t.Fatalf("%s reads back as %q, %v; want %q", cd, params["filename"], err, got)
		}
	})
}
