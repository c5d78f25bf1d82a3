package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
)

// paraLabel is a label whose text may wrap onto several lines.
//
// Fyne breaks a wrapping label's lines in the order of the string it is
// given. A right-to-left text prepared by [shown] is in visual order, so
// Fyne's breaks would put the end of an Arabic sentence on the first line
// and its beginning on the last. In a right-to-left language a paraLabel
// therefore breaks the text itself, in reading order, at the width it is
// laid out at, and prepares each line on its own; elsewhere it is a plain
// word-wrapping label.
type paraLabel struct {
	widget.Label
	l     *locales.Localizer
	text  string  // as written, in reading order
	width float32 // the width the lines were last broken for
}

// newParaLabel returns a word-wrapping label of text for l's language,
// aligned to its reading side.
func newParaLabel(l *locales.Localizer, text string) *paraLabel {
	p := &paraLabel{l: l, text: text}
	p.Wrapping = fyne.TextWrapWord
	p.Alignment = align(l)
	p.Label.Text = shown(l, text)
	p.ExtendBaseWidget(p)
	return p
}

// SetText changes the text (as written, in reading order).
func (p *paraLabel) SetText(text string) {
	p.text = text
	p.Label.Text = p.prepare(p.Size().Width)
	p.width = p.Size().Width
	p.Refresh()
}

// Resize lays the label out at size, breaking its lines again when the
// width changed.
func (p *paraLabel) Resize(size fyne.Size) {
	if !isRTL(p.l) || size.Width == p.width {
		p.Label.Resize(size)
		return
	}
	p.width = size.Width
	p.Label.Text = p.prepare(size.Width)
	p.Label.Resize(size)
	p.Refresh()
}

// prepare is the text to give Fyne at width: prepared whole, or, in a
// right-to-left language, broken into lines that fit and each prepared.
func (p *paraLabel) prepare(width float32) string {
	if !isRTL(p.l) || width <= 0 {
		return shown(p.l, p.text)
	}
	avail := width - 2*theme.InnerPadding() - 2 // 2: rounding, so Fyne never breaks a line again
	size := theme.TextSize()
	if p.SizeName != "" {
		size = theme.Size(p.SizeName)
	}
	fits := func(s string) bool { return fyne.MeasureText(s, size, p.TextStyle).Width <= avail }
	var out []string
	for _, para := range strings.Split(p.text, "\n") {
		for _, line := range breakLines(para, fits) {
			out = append(out, shown(p.l, line))
		}
	}
	return strings.Join(out, "\n")
}

// breakLines splits text at spaces into lines, in reading order, each as
// long as fits allows; a word too long for a line has a line of its own.
func breakLines(text string, fits func(string) bool) []string {
	words := strings.Split(text, " ")
	var lines []string
	line := words[0]
	for _, w := range words[1:] {
		if try := line + " " + w; fits(try) {
			line = try
			continue
		}
		lines = append(lines, line)
		line = w
	}
	return append(lines, line)
}
