package filelabel_test

import (
	"testing"

	"github.com/a20-network/fieldbook/internal/filelabel"
	"github.com/a20-network/fieldbook/locales"
)

func TestSizeAndTypeInTheLanguage(t *testing.T) {
	t.Parallel()
	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cases := []struct {
		lang       string
		size       int64
		mime       string
		size1, typ string
	}{
		{"en", 840, "application/pdf", "840 B", "PDF"},
		{"en", 330 << 10, "image/jpeg", "330 KB", "Image"},
		{"en", 4_823_450, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "4.6 MB", "Document"},
		{"en", 1 << 10, "application/vnd.ms-excel", "1 KB", "Spreadsheet"},
		{"en", 1_500_000, "application/vnd.oasis.opendocument.presentation", "1.4 MB", "Presentation"},
		{"en", 12, "application/octet-stream", "12 B", "File"},
		{"fr", 4_823_450, "text/plain", "4,6 Mo", "Texte"},
		{"ar", 4_823_450, "audio/ogg", "٤٫٦ م.ب", ""},
	}
	for _, c := range cases {
		t.Run(c.lang+" "+c.size1, func(t *testing.T) {
			l := bundle.Localizer(c.lang)
			if got := filelabel.Size(l, c.size); got != c.size1 {
				t.Errorf("Size(%d) = %q, want %q", c.size, got, c.size1)
			}
			if got := filelabel.Type(l, c.mime); c.typ != "" && got != c.typ {
				t.Errorf("Type(%s) = %q, want %q", c.mime, got, c.typ)
			}
		})
	}
}
