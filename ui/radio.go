package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
)

// radioList is a vertical list of options of which one is chosen.
// widget.RadioGroup always draws its circles left of the texts; in a
// right-to-left language the circle belongs right of its text and the
// texts are aligned right, so there the list is made of [radioRow]s.
type radioList struct {
	options []string // as written
	group   *widget.RadioGroup
	rows    []*radioRow
	obj     fyne.CanvasObject
	// OnChanged is called with the chosen option (as written).
	OnChanged func(option string)
}

// newRadioList returns a radio list of options for l's language.
func newRadioList(l *locales.Localizer, options []string) *radioList {
	r := &radioList{options: options}
	if !isRTL(l) {
		r.group = &widget.RadioGroup{Options: options, OnChanged: func(o string) {
			if r.OnChanged != nil {
				r.OnChanged(o)
			}
		}}
		r.group.ExtendBaseWidget(r.group)
		r.obj = r.group
		return r
	}
	box := container.NewVBox()
	for _, o := range options {
		row := newRadioRow(shown(l, o), func() { r.SetSelected(o) })
		r.rows = append(r.rows, row)
		box.Add(row)
	}
	r.obj = box
	return r
}

// Selected is the chosen option, "" for none.
func (r *radioList) Selected() string {
	if r.group != nil {
		return r.group.Selected
	}
	for i, row := range r.rows {
		if row.selected {
			return r.options[i]
		}
	}
	return ""
}

// SetSelected chooses option and calls OnChanged if the choice changed.
func (r *radioList) SetSelected(option string) {
	if r.group != nil {
		r.group.SetSelected(option)
		return
	}
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

// radioRow is one option of a right-to-left [radioList]: its text with the
// circle on its right. Tapping it chooses it; it takes the keyboard focus
// (Tab) and Space chooses it, as widget.RadioGroup's items do.
type radioRow struct {
	widget.BaseWidget
	text     string
	selected bool
	focused  bool
	onTap    func()
}

func newRadioRow(text string, onTap func()) *radioRow {
	r := &radioRow{text: text, onTap: onTap}
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer draws the text, right-aligned, and the circle right of it.
func (r *radioRow) CreateRenderer() fyne.WidgetRenderer {
	icon := canvas.NewImageFromResource(theme.RadioButtonIcon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(theme.IconInlineSize()))
	focus := canvas.NewRectangle(theme.Color(theme.ColorNameFocus))
	focus.CornerRadius = theme.InputRadiusSize()
	label := &widget.Label{Text: r.text, Alignment: fyne.TextAlignTrailing}
	iconBox := container.NewStack(focus, container.NewPadded(icon))
	rr := &radioRowRenderer{r: r, icon: icon, focus: focus, label: label}
	rr.WidgetRenderer = widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, iconBox, label))
	rr.Refresh()
	return rr
}

type radioRowRenderer struct {
	fyne.WidgetRenderer
	r     *radioRow
	icon  *canvas.Image
	focus *canvas.Rectangle
	label *widget.Label
}

// Refresh shows the choice and the focus.
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
	rr.label.Text = rr.r.text
	rr.label.Refresh()
	rr.WidgetRenderer.Refresh()
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
