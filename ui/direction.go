package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	xbidi "golang.org/x/text/unicode/bidi"

	"github.com/a20-network/fieldbook/bidi"
	"github.com/a20-network/fieldbook/locales"
)

// Right-to-left languages (Arabic, the ar-XB pseudo-locale) get mirrored
// screens. Every layout whose order carries meaning is built through the
// helpers here, in reading order, and they mirror it:
//
//   - newForm lays out label/field pairs with the label on the reading
//     side (left in English, right in Arabic);
//   - rowOf lays out a row of buttons starting on the reading side;
//   - mirrorLabels aligns every label of a built screen to the reading side;
//   - shown puts mixed Arabic and Latin text (names, numbers, dates) in
//     the order Fyne needs to show it right (see shown).

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

// shown prepares text for a Fyne text widget in l's language. Fyne 2.7
// shapes each word of Arabic letters itself (joining the letters and
// drawing them right to left) but places words, numbers and punctuation
// left to right in the order of the string, and it ignores embedding
// marks: with bidi.Embedded, "23/11/2026 · زيارة مدرسية · تنزانيا, Mwanza"
// came out with its Arabic words and their punctuation in typing order. So
// in a right-to-left language the text is put in visual order
// (bidi.Visual), and then each run of right-to-left letters is turned back
// to typing order, for Fyne's shaper to join and draw right to left.
//
// Text with no right-to-left letter at all (a folder, a version, a hub
// address, an English text not yet translated) is left as it is: it reads
// left to right, and reordering it in a right-to-left paragraph would only
// move its leading slash or final full stop to the other end.
func shown(l *locales.Localizer, s string) string {
	if s == "" || !isRTL(l) || !strings.ContainsFunc(s, rtlLetter) {
		return s
	}
	return fyneOrder(s)
}

// fyneOrder is s in visual order for a right-to-left screen, except that
// runs of right-to-left letters stay in typing order (see shown).
func fyneOrder(s string) string {
	v := []rune(bidi.Visual(s, true))
	for i := 0; i < len(v); {
		if !rtlLetter(v[i]) {
			i++
			continue
		}
		j := i
		for j < len(v) && rtlLetter(v[j]) {
			j++
		}
		slices.Reverse(v[i:j])
		i = j
	}
	return string(v)
}

// rtlLetter reports whether r is a right-to-left letter (or a mark on
// one), which Fyne's shaper draws right to left.
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
	rev := slices.Clone(objs)
	slices.Reverse(rev)
	hasSpacer := false
	for _, o := range rev {
		if _, ok := o.(layout.SpacerObject); ok {
			hasSpacer = true
		}
	}
	if !hasSpacer {
		rev = append([]fyne.CanvasObject{layout.NewSpacer()}, rev...)
	}
	return container.NewHBox(rev...)
}

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
// row is filled from the right in a right-to-left language.
func gridOf(rtl bool, cols int, objs ...fyne.CanvasObject) *fyne.Container {
	if rtl {
		objs = slices.Clone(objs)
		for i := 0; i < len(objs); i += cols {
			slices.Reverse(objs[i:min(i+cols, len(objs))])
		}
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
// label is aligned to the reading side, and the texts of labels, buttons
// and check boxes are put in the order Fyne needs ([shown]). It walks
// containers, scrolls, splits and cards once, right after the screen is
// built; lists fill their rows themselves, and texts set later go through
// shown where they are set.
func mirrorLabels(l *locales.Localizer, obj fyne.CanvasObject) {
	if !isRTL(l) || obj == nil {
		return
	}
	switch o := obj.(type) {
	case *widget.Label:
		o.Alignment = fyne.TextAlignTrailing
		o.Text = shown(l, o.Text)
		o.Refresh()
	case *widget.Button:
		o.SetText(shown(l, o.Text))
	case *widget.Check:
		o.SetText(shown(l, o.Text))
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
		mirrorLabels(l, o.Content)
	}
}
