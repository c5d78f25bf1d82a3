package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	xbidi "golang.org/x/text/unicode/bidi"

	"github.com/a20-network/fieldbook/internal/bidi"
	"github.com/a20-network/fieldbook/locales"
)

// Right-to-left languages (Arabic, the ar-XB pseudo-locale) get mirrored
// screens. Every layout whose order carries meaning is built through the
// helpers here, in reading order, and they mirror it:
//
//   - newForm lays out label/field pairs with the label on the reading
//     side (left in English, right in Arabic);
//   - rowOf and gridOf lay out rows (buttons, filters, the reach table)
//     starting on the reading side, borderOf and splitOf swap sides;
//   - newCheck puts a check box's box on the reading side of its text;
//   - mirrorLabels aligns every label of a built screen to the reading side
//     and prepares its texts;
//   - shown puts text, mixed Arabic and Latin (names, numbers, dates) or
//     not, in the order Fyne needs to show it right, and setText does so
//     for texts set after a screen is built.

// isRTL reports whether l's language is written right to left.
func isRTL(l *locales.Localizer) bool { return bidi.IsRTL(l.Tag()) }

// align is the alignment of text in l's language: trailing (right) in a
// right-to-left language, leading otherwise.
func align(l *locales.Localizer) fyne.TextAlign {
	if isRTL(l) {
		return fyne.TextAlignTrailing
	}
	return fyne.TextAlignLeading
}

// shown prepares text for a Fyne text widget in l's language.
//
// Fyne 2.7 splits a line into runs the way the bidi algorithm does for a
// left-to-right paragraph, then splits them again wherever the font
// changes (an ASCII full stop or middle dot comes from another font than
// the Arabic letters around it), shapes each piece (drawing a right-to-left
// one reversed) and places the pieces left to right in the order of the
// string. So a whole Arabic phrase comes out right, but "زيارة مدرسية ·
// تنزانيا, Mwanza" does not: the Latin word, the numbers and the
// punctuation stay in typing order, and a right-to-left run cut by a font
// change reads backwards piece by piece. Embedding marks do not help: the
// run splitting ignores them.
//
// In a right-to-left language the text is therefore put in visual order
// (bidi.Visual: the first rune is the leftmost on screen), and then each
// word of right-to-left letters is turned back to typing order, for Fyne to
// shape and draw right to left, and fenced with LEFT-TO-RIGHT MARKs. The
// marks draw nothing; they make every space, digit and punctuation mark
// between the words left to right to Fyne, so each Arabic word is a run of
// its own, drawn where the visual order puts it, and spaces stay where they
// are.
//
// Each prepared line starts with a LEFT-TO-RIGHT MARK, and a line that
// starts with one is taken as already prepared and kept as it is: shown
// may be applied twice (when a screen built with prepared texts is
// mirrored by [mirrorLabels]), and prepared lines can be joined with "\n"
// and shown again.
//
// Text with no right-to-left letter at all (a folder, a version, a hub
// address, an English text not yet translated) is left as it is: it reads
// left to right, and reordering it in a right-to-left paragraph would only
// move its leading slash or final full stop to the other end.
func shown(l *locales.Localizer, s string) string {
	if s == "" || !isRTL(l) || !strings.ContainsFunc(s, rtlText) {
		return s
	}
	return fyneOrder(s)
}

// lrm is LEFT-TO-RIGHT MARK: a strong left-to-right character to the bidi
// algorithm, drawn as nothing.
const lrm = '\u200E'

// fyneOrder is s (or each line of it) in visual order for a right-to-left
// screen, with each word of right-to-left letters back in typing order and
// fenced by [lrm], and so is each run of Arabic-Indic digits (see [shown]). Lines that are already prepared (they
// start with lrm) or have no right-to-left letter are kept as they are.
func fyneOrder(s string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, string(lrm)) || !strings.ContainsFunc(line, rtlText) {
			continue
		}
		lines[i] = fyneLine(line)
	}
	return strings.Join(lines, "\n")
}

// fyneLine is fyneOrder for one line holding a right-to-left letter.
func fyneLine(line string) string {
	v := []rune(bidi.Visual(line, true))
	out := make([]rune, 0, len(v)+8)
	out = append(out, lrm)
	for i := 0; i < len(v); {
		end := rtlRunEnd(v, i)
		letters, digits := end > i, arabicDigit(v[i])
		if !letters && !digits {
			out = append(out, v[i])
			i++
			continue
		}
		j := end
		for !letters && j < len(v) && arabicDigit(v[j]) {
			j++
		}
		if out[len(out)-1] != lrm {
			out = append(out, lrm)
		}
		if letters {
			for k := j - 1; k >= i; k-- {
				out = append(out, v[k])
			}
		} else {
			// Arabic-Indic digits draw left to right, but count as
			// right-to-left for the punctuation beside them: fenced too.
			out = append(out, v[i:j]...)
		}
		if j < len(v) {
			out = append(out, lrm)
		}
		i = j
	}
	return string(out)
}

// arabicDigit reports whether r is an Arabic number character (bidi class
// AN: Arabic-Indic digits and separators).
func arabicDigit(r rune) bool {
	p, _ := xbidi.LookupRune(r)
	return p.Class() == xbidi.AN
}

// rtlRunEnd returns where the run of right-to-left letters and their marks
// that starts at v[i] ends, or i when v[i] starts none. Marks (bidi class
// NSM) count only in a run with a right-to-left letter: a Devanagari virama
// or a Khmer coeng is a mark too, and belongs to its left-to-right letter.
func rtlRunEnd(v []rune, i int) int {
	j, strong := i, false
	for j < len(v) && rtlLetter(v[j]) {
		strong = strong || strongRTL(v[j])
		j++
	}
	if !strong {
		return i
	}
	return j
}

// strongRTL reports whether r is a right-to-left letter (bidi class R or
// AL), not a mark.
func strongRTL(r rune) bool {
	p, _ := xbidi.LookupRune(r)
	return p.Class() == xbidi.R || p.Class() == xbidi.AL
}

// rtlText reports whether r makes a line right to left to lay out: a
// right-to-left letter, or an Arabic-Indic digit ("٠–٥" alone reads from
// the right too).
func rtlText(r rune) bool { return strongRTL(r) || arabicDigit(r) }

// rtlLetter reports whether r is a right-to-left letter or a mark (which
// may sit on one); see [rtlRunEnd] for when a mark is drawn right to left.
func rtlLetter(r rune) bool {
	p, _ := xbidi.LookupRune(r)
	switch p.Class() {
	case xbidi.R, xbidi.AL, xbidi.NSM:
		return true
	}
	return false
}

// newForm returns label/field pairs (given label first, in reading order)
// laid out as a form; in a right-to-left language the label sits right of
// its field.
func newForm(rtl bool, pairs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&formLayout{rtl: rtl}, pairs...)
}

// formLayout is Fyne's form layout (a column of labels sized to the widest,
// and a column of fields taking the rest) that can be mirrored.
type formLayout struct{ rtl bool }

func (f *formLayout) widths(objs []fyne.CanvasObject) float32 {
	var w float32
	for i := 0; i+1 < len(objs); i += 2 {
		if objs[i].Visible() {
			w = max(w, objs[i].MinSize().Width)
		}
	}
	return w
}

// Layout places each pair on one row.
func (f *formLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	lw := f.widths(objs)
	fw := max(size.Width-lw-pad, 0)
	var y float32
	for i := 0; i+1 < len(objs); i += 2 {
		lbl, fld := objs[i], objs[i+1]
		if !lbl.Visible() && !fld.Visible() {
			continue
		}
		h := max(lbl.MinSize().Height, fld.MinSize().Height)
		lx, fx := float32(0), lw+pad
		if f.rtl {
			lx, fx = fw+pad, 0
		}
		lbl.Move(fyne.NewPos(lx, y))
		lbl.Resize(fyne.NewSize(lw, lbl.MinSize().Height))
		fld.Move(fyne.NewPos(fx, y))
		fld.Resize(fyne.NewSize(fw, h))
		y += h + pad
	}
}

// MinSize is the widest label and field side by side, rows stacked.
func (f *formLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var fw, h float32
	rows := 0
	for i := 0; i+1 < len(objs); i += 2 {
		lbl, fld := objs[i], objs[i+1]
		if !lbl.Visible() && !fld.Visible() {
			continue
		}
		fw = max(fw, fld.MinSize().Width)
		h += max(lbl.MinSize().Height, fld.MinSize().Height)
		rows++
	}
	if rows > 1 {
		h += pad * float32(rows-1)
	}
	return fyne.NewSize(f.widths(objs)+pad+fw, h)
}

// rowOf lays objs out in a row in reading order: from the left in a
// left-to-right language, from the right (first object rightmost) in a
// right-to-left one. Spacers keep their meaning on both sides.
func rowOf(rtl bool, objs ...fyne.CanvasObject) *fyne.Container {
	if !rtl {
		return container.NewHBox(objs...)
	}
	return container.New(mirrored{layout.NewHBoxLayout()}, objs...)
}

// mirrored is inner's layout flipped left to right. The objects keep their
// order, so Tab still moves through them in reading order, first object
// rightmost.
type mirrored struct{ inner fyne.Layout }

// Layout lays objs out with inner, then flips each one's place.
func (m mirrored) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	m.inner.Layout(objs, size)
	for _, o := range objs {
		p := o.Position()
		o.Move(fyne.NewPos(size.Width-p.X-o.Size().Width, p.Y))
	}
}

// MinSize is inner's.
func (m mirrored) MinSize(objs []fyne.CanvasObject) fyne.Size { return m.inner.MinSize(objs) }

// splitOf is container.NewHSplit with the leading side (a list) given
// first and taking offset of the width: on the right in a right-to-left
// language.
func splitOf(rtl bool, leading, trailing fyne.CanvasObject, offset float64) *container.Split {
	if rtl {
		s := container.NewHSplit(trailing, leading)
		s.Offset = 1 - offset
		return s
	}
	s := container.NewHSplit(leading, trailing)
	s.Offset = offset
	return s
}

// gridOf is container.NewGridWithColumns with objs in reading order: each
// row is filled from the right in a right-to-left language (and Tab moves
// from right to left).
func gridOf(rtl bool, cols int, objs ...fyne.CanvasObject) *fyne.Container {
	if rtl {
		return container.New(mirrored{layout.NewGridLayoutWithColumns(cols)}, objs...)
	}
	return container.NewGridWithColumns(cols, objs...)
}

// borderOf is container.NewBorder with leading and trailing given in
// reading order: swapped in a right-to-left language.
func borderOf(rtl bool, top, bottom, leading, trailing fyne.CanvasObject, center ...fyne.CanvasObject) *fyne.Container {
	if rtl {
		leading, trailing = trailing, leading
	}
	return container.NewBorder(top, bottom, leading, trailing, center...)
}

// mirrorLabels readies a built screen for a right-to-left language: every
// left-aligned label and every select is aligned to the reading side, and
// the texts of labels, buttons, check boxes, selects (placeholder and
// options), entry placeholders, radio groups and card titles are prepared
// for Fyne ([shown]). It walks containers, scrolls, splits and cards, right
// after the screen is built; lists fill their rows themselves, and texts
// set later go through [setText] or shown where they are set. Since shown
// does not prepare a text twice, walking a screen again is harmless.
func mirrorLabels(l *locales.Localizer, obj fyne.CanvasObject) {
	if !isRTL(l) || obj == nil {
		return
	}
	switch o := obj.(type) {
	case *widget.Label:
		if o.Alignment == fyne.TextAlignLeading {
			o.Alignment = fyne.TextAlignTrailing
		}
		o.Text = shown(l, o.Text)
		o.Refresh()
	case *widget.Button:
		o.SetText(shown(l, o.Text))
	case *widget.Check:
		o.SetText(shown(l, o.Text))
	case *widget.Select:
		o.Alignment = fyne.TextAlignTrailing
		o.PlaceHolder = shown(l, o.PlaceHolder)
		for i, opt := range o.Options {
			o.Options[i] = shown(l, opt)
		}
		o.Selected = shown(l, o.Selected)
		o.Refresh()
	case *widget.Entry:
		o.PlaceHolder = shown(l, o.PlaceHolder)
		o.Refresh()
	case *entry:
		o.PlaceHolder = shown(l, o.PlaceHolder)
		o.Refresh()
	case *widget.RadioGroup:
		for i, opt := range o.Options {
			o.Options[i] = shown(l, opt)
		}
		o.Selected = shown(l, o.Selected)
		o.Refresh()
	case *fyne.Container:
		for _, c := range o.Objects {
			mirrorLabels(l, c)
		}
	case *container.Scroll:
		mirrorLabels(l, o.Content)
	case *container.Split:
		mirrorLabels(l, o.Leading)
		mirrorLabels(l, o.Trailing)
	case *widget.Card:
		o.Title = shown(l, o.Title)
		o.Subtitle = shown(l, o.Subtitle)
		mirrorLabels(l, o.Content)
		o.Refresh()
	}
}

// setText sets lbl's text to s prepared for l's screens ([shown]), and in
// a right-to-left language aligns a left-aligned label to the right. Text
// set on a label after its screen was built (counts, statuses, outcomes,
// list rows) goes through it.
func setText(l *locales.Localizer, lbl *widget.Label, s string) {
	if isRTL(l) && lbl.Alignment == fyne.TextAlignLeading {
		lbl.Alignment = fyne.TextAlignTrailing
	}
	lbl.SetText(shown(l, s))
}

// newCheck returns a check box labelled text, and the object to lay out
// for it. widget.Check always draws its box left of its text; in a
// right-to-left language the box belongs right of it, so there the check
// has no text and a label left of it carries the text and toggles the box
// when tapped. The check itself keeps the keyboard focus (Tab, Space) in
// both directions.
func newCheck(l *locales.Localizer, text string, changed func(bool)) (*widget.Check, fyne.CanvasObject) {
	c := &widget.Check{OnChanged: changed}
	if !isRTL(l) {
		c.Text = text
		c.ExtendBaseWidget(c)
		return c, c
	}
	c.ExtendBaseWidget(c)
	lbl := &checkLabel{check: c}
	lbl.Text, lbl.Alignment, lbl.Truncation = shown(l, text), fyne.TextAlignTrailing, fyne.TextTruncateEllipsis
	lbl.ExtendBaseWidget(lbl)
	return c, container.NewBorder(nil, nil, nil, c, lbl)
}

// checkLabel is the text of a right-to-left check box (see [newCheck]):
// tapping it taps the box.
type checkLabel struct {
	widget.Label
	check *widget.Check
}

// Tapped toggles the check box, as tapping a widget.Check's own text does,
// and gives it the focus.
func (c *checkLabel) Tapped(*fyne.PointEvent) {
	if c.check.Disabled() {
		return
	}
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c.check); cv != nil {
		cv.Focus(c.check)
	}
	c.check.SetChecked(!c.check.Checked)
}

// flowOf lays objs out in rows of as many equal columns as fit the width
// (at most cols), each at least as wide as the widest object asks, in
// reading order: a row fills from the right in a right-to-left language.
// On a narrow window the filters of a list wrap onto more rows instead of
// forcing the window wider or cutting their hints.
func flowOf(rtl bool, cols int, objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&flowLayout{rtl: rtl, cols: cols}, objs...)
}

// flowLayout is the layout of [flowOf]. Its height depends on its width;
// MinSize answers for the width it was last laid out at, and Fyne lays the
// parent out again when that changes.
type flowLayout struct {
	rtl   bool
	cols  int
	width float32 // the width last laid out at
}

// columns returns how many columns of the widest object fit in width.
func (f *flowLayout) columns(objs []fyne.CanvasObject, width float32) int {
	pad := theme.Padding()
	var cell float32
	for _, o := range objs {
		cell = max(cell, o.MinSize().Width)
	}
	n := int((width + pad) / (cell + pad))
	return max(1, min(n, f.cols, len(objs)))
}

// Layout places the objects row by row.
func (f *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	f.width = size.Width
	pad := theme.Padding()
	cols := f.columns(objs, size.Width)
	w := (size.Width - pad*float32(cols-1)) / float32(cols)
	var y float32
	for start := 0; start < len(objs); start += cols {
		row := objs[start:min(start+cols, len(objs))]
		h := rowHeight(row)
		for i, o := range row {
			x := float32(i) * (w + pad)
			if f.rtl {
				x = size.Width - x - w
			}
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w, h))
		}
		y += h + pad
	}
}

// MinSize is one column wide and as tall as the rows at the last width.
func (f *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	cols := f.columns(objs, f.width)
	var w, h float32
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	for start := 0; start < len(objs); start += cols {
		if start > 0 {
			h += pad
		}
		h += rowHeight(objs[start:min(start+cols, len(objs))])
	}
	return fyne.NewSize(w, h)
}

func rowHeight(row []fyne.CanvasObject) float32 {
	var h float32
	for _, o := range row {
		h = max(h, o.MinSize().Height)
	}
	return h
}

// tableOf lays objs out in a table of cols columns, row by row in reading
// order (from the right in a right-to-left language). Unlike a grid, each
// column is as wide as its widest cell asks, and the width left over is
// shared out evenly, so one long row name does not widen every column.
func tableOf(rtl bool, cols int, objs ...fyne.CanvasObject) *fyne.Container {
	l := &tableLayout{cols: cols}
	if rtl {
		return container.New(mirrored{l}, objs...)
	}
	return container.New(l, objs...)
}

// tableLayout is the layout of [tableOf], before mirroring.
type tableLayout struct{ cols int }

func (t *tableLayout) widths(objs []fyne.CanvasObject) []float32 {
	w := make([]float32, t.cols)
	for i, o := range objs {
		w[i%t.cols] = max(w[i%t.cols], o.MinSize().Width)
	}
	return w
}

// Layout places each cell in its column and row.
func (t *tableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	w := t.widths(objs)
	extra := (size.Width - t.MinSize(objs).Width) / float32(t.cols)
	var y float32
	for start := 0; start < len(objs); start += t.cols {
		row := objs[start:min(start+t.cols, len(objs))]
		h := rowHeight(row)
		var x float32
		for i, o := range row {
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w[i]+extra, h))
			x += w[i] + extra + pad
		}
		y += h + pad
	}
}

// MinSize is the columns' widths side by side and the rows stacked.
func (t *tableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var width, h float32
	for _, c := range t.widths(objs) {
		width += c
	}
	width += pad * float32(t.cols-1)
	for start := 0; start < len(objs); start += t.cols {
		if start > 0 {
			h += pad
		}
		h += rowHeight(objs[start:min(start+t.cols, len(objs))])
	}
	return fyne.NewSize(width, h)
}
