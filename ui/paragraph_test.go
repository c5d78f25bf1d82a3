package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/a20-network/fieldbook/locales"
)

// An Arabic paragraph too long for its width is broken in reading order:
// its first line holds the first words, each line fits, and each line is
// prepared on its own (so Fyne, breaking nothing more, shows the beginning
// of the sentence on top). In English the label is Fyne's own wrapping.
func TestParaLabelBreaksArabicInReadingOrder(t *testing.T) {
	test.NewTempApp(t)
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ar, en := b.Localizer("ar"), b.Localizer("en")
	text := ar.T("settings.about_text") // a sentence of a dozen Arabic words
	words := strings.Fields(text)
	if len(words) < 8 {
		t.Fatalf("want a long sentence, got %q", text)
	}

	p := newParaLabel(ar, text)
	w := test.NewTempWindow(t, p)
	w.Resize(fyne.NewSize(260, 400))
	p.Resize(fyne.NewSize(220, p.MinSize().Height))

	lines := strings.Split(p.Label.Text, "\n")
	if len(lines) < 3 {
		t.Fatalf("a %d-word sentence at 220 px should take several lines, got %q", len(words), p.Label.Text)
	}
	// Undo the preparation of each line and read them top to bottom: the
	// sentence as written.
	var read []string
	avail := float32(220) - 2*theme.InnerPadding()
	for i, line := range lines {
		if !strings.HasPrefix(line, string(lrm)) {
			t.Errorf("line %d is not prepared for Fyne: %q", i, line)
		}
		logical := strings.Fields(strings.ReplaceAll(line, string(lrm), ""))
		// A prepared line holds its words right to left.
		for i, j := 0, len(logical)-1; i < j; i, j = i+1, j-1 {
			logical[i], logical[j] = logical[j], logical[i]
		}
		if got := fyne.MeasureText(strings.Join(logical, " "), theme.TextSize(), fyne.TextStyle{}).Width; got > avail && len(logical) > 1 {
			t.Errorf("line %d is %.0f px wide, more than the %.0f available", i, got, avail)
		}
		read = append(read, logical...)
	}
	// Punctuation sits on the visual side of its word; compare words.
	bare := func(ws []string) string {
		out := make([]string, len(ws))
		for i, w := range ws {
			out[i] = strings.Trim(w, ".،")
		}
		return strings.Join(out, " ")
	}
	if bare(read) != bare(words) {
		t.Errorf("lines top to bottom read\n%q\nwant\n%q", bare(read), bare(words))
	}

	// Wider: fewer lines; SetText keeps the width it was laid out at.
	p.Resize(fyne.NewSize(1200, p.MinSize().Height))
	if n := len(strings.Split(p.Label.Text, "\n")); n >= len(lines) {
		t.Errorf("at 1200 px still %d lines", n)
	}
	p.SetText(ar.T("welcome.offline_explain"))
	if !strings.HasPrefix(p.Label.Text, string(lrm)) || p.Alignment != fyne.TextAlignTrailing {
		t.Errorf("SetText in Arabic gave %q aligned %v", p.Label.Text, p.Alignment)
	}

	e := newParaLabel(en, en.T("settings.about_text"))
	e.Resize(fyne.NewSize(220, 400))
	if e.Label.Text != en.T("settings.about_text") || e.Wrapping != fyne.TextWrapWord {
		t.Errorf("English paragraph = %q (wrapping %v), want the text as is, wrapped by Fyne", e.Label.Text, e.Wrapping)
	}
}

func TestBreakLines(t *testing.T) {
	fits := func(s string) bool { return len(s) <= 10 }
	got := breakLines("one two three fourteen-long x", fits)
	want := []string{"one two", "three", "fourteen-long", "x"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("breakLines = %q, want %q", got, want)
	}
	if got := breakLines("", fits); len(got) != 1 || got[0] != "" {
		t.Errorf("breakLines(\"\") = %q", got)
	}
}
