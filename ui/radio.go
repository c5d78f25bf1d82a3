package ui

import (
	"bytes"
	"log/slog"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/fontscan"

	"github.com/a20-network/fieldbook/locales"
)

// radioList is a vertical list of options of which one is chosen, made of
// [radioRow]s. widget.RadioGroup draws its circles left of the texts and
// centres them on the text's line box; in a right-to-left language the
// circle belongs right of its text, and a script with a tall line box
// (Thai, Khmer, Chinese) leaves a centred circle above its letters.
type radioList struct {
	options []string // as written
	rows    []*radioRow
	obj     fyne.CanvasObject
	// OnChanged is called with the chosen option (as written).
	OnChanged func(option string)
}

// newRadioList returns a radio list of options for l's language.
func newRadioList(l *locales.Localizer, options []string) *radioList {
	r := &radioList{options: options}
	box := container.NewVBox()
	for _, o := range options {
		row := newRadioRow(shown(l, o), isRTL(l), func() { r.SetSelected(o) })
		r.rows = append(r.rows, row)
		box.Add(row)
	}
	r.obj = box
	return r
}

// Selected is the chosen option, "" for none.
func (r *radioList) Selected() string {
	for i, row := range r.rows {
		if row.selected {
			return r.options[i]
		}
	}
	return ""
}

// SetSelected chooses option and calls OnChanged if the choice changed.
func (r *radioList) SetSelected(option string) {
	if r.Selected() == option {
		return
	}
	for i, row := range r.rows {
		if row.selected != (r.options[i] == option) {
			row.selected = r.options[i] == option
			row.Refresh()
		}
	}
	if r.OnChanged != nil {
		r.OnChanged(option)
	}
}

// circleAboveBaseline is where the centre of a radio circle goes, above
// its text's baseline, in text sizes: the middle of the letters' body in
// every shipped script (Latin x-height and capitals, Thai and Khmer
// consonants, Han and Hangul), whatever room the script's font keeps above
// and below them.
const circleAboveBaseline = 0.35

// radioRow is one option of a [radioList]: its text with the circle
// beside it (left, or right in a right-to-left language), the circle level
// with the middle of the letters. Tapping it chooses it; it takes the
// keyboard focus (Tab) and Space chooses it, as widget.RadioGroup's items
// do.
type radioRow struct {
	widget.BaseWidget
	text     string
	rtl      bool
	selected bool
	focused  bool
	onTap    func()
}

func newRadioRow(text string, rtl bool, onTap func()) *radioRow {
	r := &radioRow{text: text, rtl: rtl, onTap: onTap}
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer draws the circle and the text.
func (r *radioRow) CreateRenderer() fyne.WidgetRenderer {
	icon := canvas.NewImageFromResource(theme.RadioButtonIcon())
	icon.FillMode = canvas.ImageFillContain
	focus := canvas.NewRectangle(theme.Color(theme.ColorNameFocus))
	focus.CornerRadius = theme.InputRadiusSize()
	text := &canvas.Text{Text: r.text, Alignment: fyne.TextAlignLeading}
	if r.rtl {
		text.Alignment = fyne.TextAlignTrailing
	}
	rr := &radioRowRenderer{r: r, icon: icon, focus: focus, text: text}
	rr.Refresh()
	return rr
}

type radioRowRenderer struct {
	r     *radioRow
	icon  *canvas.Image
	focus *canvas.Rectangle
	text  *canvas.Text
}

// iconSide is the width the circle and its focus ring take.
func iconSide() float32 { return theme.IconInlineSize() + 2*theme.InnerPadding() }

// Layout puts the circle on its side with its centre [circleAboveBaseline]
// above the text's baseline; Fyne draws the text centred in its box.
func (rr *radioRowRenderer) Layout(size fyne.Size) {
	side := iconSide()
	pad := theme.Padding()
	textX, iconX := side+pad, float32(0)
	if rr.r.rtl {
		textX, iconX = 0, size.Width-side
	}
	rr.text.Move(fyne.NewPos(textX, 0))
	rr.text.Resize(fyne.NewSize(max(size.Width-side-pad, 0), size.Height))
	centre := rr.circleCentre(size.Height)
	icon := theme.IconInlineSize()
	rr.icon.Resize(fyne.NewSquareSize(icon))
	rr.icon.Move(fyne.NewPos(iconX+(side-icon)/2, centre-icon/2))
	ring := icon + theme.InnerPadding()
	rr.focus.Resize(fyne.NewSquareSize(ring))
	rr.focus.Move(fyne.NewPos(iconX+(side-ring)/2, centre-ring/2))
}

// circleCentre is the height of the circle's centre in a row height tall.
// Fyne centres a text's box (the line height of the theme's font) in the
// row, and draws the letters on the baseline of the font of the text's
// first letter: another font's when the theme's has no such letter (a
// Latin name in a Bengali interface), whose baseline lies elsewhere.
func (rr *radioRowRenderer) circleCentre(height float32) float32 {
	t := rr.text
	size, baseline := fyne.CurrentApp().Driver().RenderedTextSize(t.Text, t.TextSize, t.TextStyle, t.FontSource)
	if ascent, ok := drawnAscent(t.Text, t.TextStyle); ok {
		baseline = ascent * t.TextSize
	}
	return (height-size.Height)/2 + baseline - circleAboveBaseline*t.TextSize
}

// drawnAscent returns the ascent, in text sizes, of the font Fyne draws
// text's first letter with: the current theme's font for style, else
// Fyne's bundled one, else the system's sans-serif font that has it, as
// Fyne looks them up. false when none is found.
func drawnAscent(text string, style fyne.TextStyle) (float32, bool) {
	if text == "" {
		return 0, false
	}
	r := []rune(text)[0]
	for _, res := range []fyne.Resource{fyne.CurrentApp().Settings().Theme().Font(style), theme.DefaultTextFont()} {
		if f := parsedFont(res); f != nil {
			if _, ok := f.NominalGlyph(r); ok {
				return ascentOf(f)
			}
		}
	}
	systemFonts.mu.Lock()
	defer systemFonts.mu.Unlock()
	if systemFonts.fm == nil {
		systemFonts.fm = fontscan.NewFontMap(quietFontLog{})
		if err := systemFonts.fm.UseSystemFonts(""); err != nil {
			slog.Warn("systemFontsForMetrics", "err", err)
		}
	}
	systemFonts.fm.SetQuery(fontscan.Query{Families: []string{fontscan.SansSerif}})
	if f := systemFonts.fm.ResolveFace(r); f != nil {
		return ascentOf(f)
	}
	return 0, false
}

// systemFonts finds system fonts by letter, as Fyne's fallback does.
var systemFonts struct {
	mu sync.Mutex // guards fm
	fm *fontscan.FontMap
}

// quietFontLog drops the font map's messages.
type quietFontLog struct{}

// Printf drops a message.
func (quietFontLog) Printf(string, ...any) {}

// parsedFonts holds the fonts read by parsedFont, by resource.
var parsedFonts sync.Map

// parsedFont reads a font resource once; nil if it is no font.
func parsedFont(res fyne.Resource) *font.Face {
	if res == nil {
		return nil
	}
	if f, ok := parsedFonts.Load(res); ok {
		return f.(*font.Face)
	}
	f, err := font.ParseTTF(bytes.NewReader(res.Content()))
	if err != nil {
		f = nil
	}
	parsedFonts.Store(res, f)
	return f
}

// ascentOf is f's ascent in text sizes.
func ascentOf(f *font.Face) (float32, bool) {
	e, ok := f.FontHExtents()
	if !ok || f.Upem() == 0 {
		return 0, false
	}
	return e.Ascender / float32(f.Upem()), true
}

// MinSize has room for the text and, level with its letters, the circle.
func (rr *radioRowRenderer) MinSize() fyne.Size {
	text := rr.text.MinSize()
	side := iconSide()
	h := text.Height + 2*theme.InnerPadding()
	// The circle may sit lower than the middle of a short line box.
	if c := rr.circleCentre(h); c+side/2 > h {
		h += 2 * (c + side/2 - h)
	}
	return fyne.NewSize(side+theme.Padding()+text.Width, h)
}

// Objects are the focus ring, the circle and the text.
func (rr *radioRowRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{rr.focus, rr.icon, rr.text}
}

// Destroy does nothing: the row holds no resources.
func (rr *radioRowRenderer) Destroy() {}

// Refresh shows the choice, the focus and the theme's colours and size.
func (rr *radioRowRenderer) Refresh() {
	if rr.r.selected {
		rr.icon.Resource = theme.NewPrimaryThemedResource(theme.RadioButtonCheckedIcon())
	} else {
		rr.icon.Resource = theme.RadioButtonIcon()
	}
	rr.icon.Refresh()
	rr.focus.Hidden = !rr.r.focused
	rr.focus.FillColor = theme.Color(theme.ColorNameFocus)
	rr.focus.Refresh()
	rr.text.Text = rr.r.text
	rr.text.Color = theme.Color(theme.ColorNameForeground)
	rr.text.TextSize = theme.TextSize()
	rr.text.Refresh()
	rr.Layout(rr.r.Size())
}

// Tapped chooses the option and takes the focus.
func (r *radioRow) Tapped(*fyne.PointEvent) {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(r); cv != nil {
		cv.Focus(r)
	}
	r.onTap()
}

// FocusGained shows the focus.
func (r *radioRow) FocusGained() { r.focused = true; r.Refresh() }

// FocusLost hides the focus.
func (r *radioRow) FocusLost() { r.focused = false; r.Refresh() }

// TypedRune chooses the option on Space.
func (r *radioRow) TypedRune(c rune) {
	if c == ' ' {
		r.onTap()
	}
}

// TypedKey does nothing: Tab moves the focus, Space is a rune.
func (r *radioRow) TypedKey(*fyne.KeyEvent) {}
