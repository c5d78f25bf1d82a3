package filetype

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestDetectAllowed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		content  []byte
		mime     string
		category Category
		photo    bool
	}{
		{"guide.pdf", samplePDF(), "application/pdf", CategoryPDF, false},
		{"meeting.jpg", encodeJPEGTest(t, halves(16, 16), 80), "image/jpeg", CategoryImage, true},
		{"sheet.png", encodePNGTest(t, halves(16, 16)), "image/png", CategoryImage, true},
		{"icon.webp", webpLossless(t), "image/webp", CategoryImage, true},
		{"poster.gif", gifTest(t), "image/gif", CategoryImage, false},
		{"policy.docx", ooxml(t, "word"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", CategoryOffice, false},
		{"budget.xlsx", ooxml(t, "xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", CategoryOffice, false},
		{"training.pptx", ooxml(t, "ppt"), "application/vnd.openxmlformats-officedocument.presentationml.presentation", CategoryOffice, false},
		{"policy.odt", odf(t, "application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text", CategoryOffice, false},
		{"budget.ods", odf(t, "application/vnd.oasis.opendocument.spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet", CategoryOffice, false},
		{"training.odp", odf(t, "application/vnd.oasis.opendocument.presentation"), "application/vnd.oasis.opendocument.presentation", CategoryOffice, false},
		{"policy.doc", ole([]byte{0x06, 0x09, 0x02, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}), "application/msword", CategoryOffice, false},
		{"budget.xls", ole([]byte{0x10, 0x08, 0x02, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}), "application/vnd.ms-excel", CategoryOffice, false},
		{"training.ppt", ole([]byte{0x10, 0x8d, 0x81, 0x64, 0x9b, 0x4f, 0xcf, 0x11, 0x86, 0xea, 0x00, 0xaa, 0x00, 0xb9, 0x29, 0xe8}), "application/vnd.ms-powerpoint", CategoryOffice, false},
		{"notes.txt", []byte("Visite de l'école de Chimwala — 42 enfants.\nمدرسة\n"), "text/plain", CategoryText, false},
		{"bom.txt", []byte("\xef\xbb\xbfnotes with a byte-order mark\n"), "text/plain", CategoryText, false},
		{"reach.csv", []byte("district,girls,boys\nLilongwe,12,9\nZomba,7,11\nMzuzu,4,5\n"), "text/csv", CategoryText, false},
		{"voice.mp3", append([]byte("ID3\x03\x00\x00\x00\x00\x00\x20"), make([]byte, 64)...), "audio/mpeg", CategoryAudio, false},
		{"frames.mp3", append([]byte{0xFF, 0xFB, 0x90, 0x64}, make([]byte, 413)...), "audio/mpeg", CategoryAudio, false},
		{"voice.m4a", append([]byte("\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A mp42"), make([]byte, 64)...), "audio/x-m4a", CategoryAudio, false},
		{"voice.aac", append([]byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC}, make([]byte, 64)...), "audio/aac", CategoryAudio, false},
		{"voice.ogg", append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x1e\x01vorbis"), make([]byte, 64)...), "audio/ogg", CategoryAudio, false},
		{"voice.wav", wav(), "audio/wav", CategoryAudio, false},
		{"voice.amr", append([]byte("#!AMR\n"), make([]byte, 64)...), "audio/amr", CategoryAudio, false},
		// The name never decides: a PNG named .pdf is a PNG.
		{"report.pdf", encodePNGTest(t, halves(4, 4)), "image/png", CategoryImage, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			k, err := Detect(c.content, "/home/officer/"+c.name)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if k.MIME != c.mime || k.Category != c.category || k.Photo != c.photo {
				t.Errorf("Detect = %+v, want %s %s photo=%v", k, c.mime, c.category, c.photo)
			}
			if !slices.Contains(Categories(), k.Category) {
				t.Errorf("category %q not in Categories()", k.Category)
			}
			// The hub names a file's type by what Detect found; ByMIME
			// finds the same kind again from that name.
			if b, ok := ByMIME(k.MIME); !ok || b.MIME != k.MIME || b.Category != k.Category || !slices.Equal(b.Exts, k.Exts) {
				t.Errorf("ByMIME(%s) = %+v, %v; want Detect's %+v", k.MIME, b, ok, k)
			}
		})
	}
	for _, mime := range []string{"", "text/html", "image/svg+xml", "application/octet-stream"} {
		if k, ok := ByMIME(mime); ok {
			t.Errorf("ByMIME(%q) = %+v, want not allowed", mime, k)
		}
	}
}

// TestDetectRefused: what is not on the allow-list is refused with a reason
// the UI can show, whatever its name says. HTML, SVG and scripts are refused
// even named .txt: opened with the computer's own program they run code (a
// browser runs a page's scripts, a double-clicked .bat or .js runs), and a
// guide or toolkit never needs to be one; such a text is sent as PDF or as
// plain text without markup.
func TestDetectRefused(t *testing.T) {
	t.Parallel()
	exe := append([]byte("MZ\x90\x00"), make([]byte, 0x80)...)
	copy(exe[0x3c:], []byte{0x40, 0, 0, 0})
	copy(exe[0x40:], "PE\x00\x00")
	cases := []struct {
		name    string
		content []byte
		reason  Reason
		found   string
	}{
		{"empty.pdf", nil, ReasonEmpty, ""},
		{"guide.pdf", exe, ReasonProgram, "application/vnd.microsoft.portable-executable"},
		{"guide.pdf", zipOf(t, [2]string{"guide.txt", "hello"}), ReasonArchive, "application/zip"},
		{"tool.txt", append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...), ReasonProgram, ""},
		{"notes.txt", []byte("<!DOCTYPE html><html><body><script>fetch('x')</script></body></html>"), ReasonWebPage, "text/html"},
		{"logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ReasonWebPage, "image/svg+xml"},
		{"notes.txt", []byte("#!/bin/sh\nrm -rf ~\n"), ReasonScript, "text/x-shellscript"},
		{"notes.txt", []byte("#!/usr/bin/env python3\nimport os\n"), ReasonScript, "text/x-python"},
		{"latin1.txt", []byte("caf\xe9 cr\xe8me, \xe9t\xe9 \xe0 Lom\xe9\n"), ReasonNotUTF8, "text/plain"},
		{"late-binary.txt", append([]byte(strings.Repeat("plain text line\n", 400)), 0xff, 0xfe, 0x00), ReasonNotUTF8, "text/plain"},
		{"macro.docx", ooxml(t, "word", [2]string{"word/vbaProject.bin", "\xd0\xcf\x11\xe0"}), ReasonMacros, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"clip.mp4", append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), make([]byte, 64)...), ReasonVideo, "video/mp4"},
		{"IMG_0412.HEIC", append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 64)...), ReasonHEIC, "image/heic"},
		{"IMG_0413.jpg", append([]byte("\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic"), make([]byte, 64)...), ReasonHEIC, "image/heif"},
		{"data.bin", []byte{0x01, 0x02, 0x03, 0x04, 0x00, 0xff}, ReasonOther, "application/octet-stream"},
	}
	for _, c := range cases {
		t.Run(c.name+"/"+string(c.reason), func(t *testing.T) {
			t.Parallel()
			k, err := Detect(c.content, c.name)
			if err == nil {
				t.Fatalf("Detect = %+v, want refused", k)
			}
			r, ok := IsRefused(fmt.Errorf("attach: %w", err))
			if !ok {
				t.Fatalf("error %v is not a *RefusedError", err)
			}
			if r.Reason != c.reason || (c.found != "" && r.Found != c.found) {
				t.Errorf("refused %q (found %q), want %q (found %q)", r.Reason, r.Found, c.reason, c.found)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, c.name+": ") || !strings.Contains(msg, "cannot be attached; allowed: "+AllowedText) {
				t.Errorf("message %q does not name the file and the allow-list", msg)
			}
			if c.found != "" && !strings.Contains(msg, "("+c.found+")") {
				t.Errorf("message %q does not name the type found", msg)
			}
		})
	}
}

func TestRefusedMessage(t *testing.T) {
	t.Parallel()
	err := error(&RefusedError{Name: "setup.pdf", Found: "application/x-msdownload", Reason: ReasonProgram})
	want := "setup.pdf: an executable program (application/x-msdownload) cannot be attached; allowed: PDF, images, office documents, plain text, audio"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err.Error(), want)
	}
	if _, ok := IsRefused(errors.New("other")); ok {
		t.Error("IsRefused(other error) = true")
	}
	for r := range describe {
		if describe[r] == "" {
			t.Errorf("reason %q has no words", r)
		}
	}
}

func TestFitName(t *testing.T) {
	t.Parallel()
	text, err := Detect([]byte("del /s /q C:\\\r\n"), "cleanup.bat")
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := Detect(samplePDF(), "x")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		k          Kind
		name, want string
	}{
		{text, "cleanup.bat", "cleanup.bat.txt"},
		{text, "notes.TXT", "notes.TXT"},
		{pdf, "Guide.PDF", "Guide.PDF"},
		{pdf, "guide", "guide.pdf"},
		{pdf, "guide.exe", "guide.exe.pdf"},
	} {
		if got := c.k.FitName(c.name); got != c.want {
			t.Errorf("%s FitName(%q) = %q, want %q", c.k.MIME, c.name, got, c.want)
		}
	}
}
