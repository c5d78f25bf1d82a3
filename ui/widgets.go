package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
)

// dateField is a date typed as YYYY-MM-DD or picked from a calendar. Dates
// stay in the record format whatever the language, so what is typed is what
// is stored.
type dateField struct {
	entry  *widget.Entry
	button *widget.Button
	popup  *widget.PopUp
	win    fyne.Window
	now    func() time.Time
	// onChanged, if set, is called after the text changes.
	onChanged func(string)
}

func newDateField(win fyne.Window, now func() time.Time, placeholder string) *dateField {
	d := &dateField{win: win, now: now}
	d.entry = &widget.Entry{PlaceHolder: placeholder, OnChanged: func(s string) {
		if d.onChanged != nil {
			d.onChanged(s)
		}
	}}
	d.button = &widget.Button{Icon: theme.Icon(theme.IconNameCalendar), Importance: widget.LowImportance, OnTapped: d.onPick}
	return d
}

func (d *dateField) build() fyne.CanvasObject {
	return container.NewBorder(nil, nil, nil, d.button, d.entry)
}

// onPick shows a calendar at the field, starting from the typed date.
func (d *dateField) onPick() {
	start := d.now()
	if t, err := time.Parse(store.DateLayout, d.entry.Text); err == nil {
		start = t
	}
	cal := widget.NewCalendar(start, func(t time.Time) {
		d.entry.SetText(t.Format(store.DateLayout))
		if d.popup != nil {
			d.popup.Hide()
		}
	})
	d.popup = widget.NewPopUp(cal, d.win.Canvas())
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(d.entry)
	d.popup.ShowAtPosition(pos.Add(fyne.NewPos(0, d.entry.Size().Height)))
}

// text returns the date as typed, trimmed.
func (d *dateField) text() string { return d.entry.Text }

// errorText is a red line under a field that says what is wrong with it;
// hidden while there is nothing to say.
func newErrorText(l *locales.Localizer) *paraLabel {
	p := newParaLabel(l, "")
	p.Importance = widget.DangerImportance
	p.Hide()
	return p
}

// setError shows msg under a field, prepared for l's screens, or hides
// the line when msg is empty.
func setError(lbl *paraLabel, msg string) {
	lbl.SetText(msg)
	if msg == "" {
		lbl.Hide()
	} else {
		lbl.Show()
	}
}

// heading is a bold label for section titles.
func heading(text string) *widget.Label {
	return &widget.Label{Text: text, TextStyle: fyne.TextStyle{Bold: true}}
}

// wrapped is a label of text in l's language that wraps at word
// boundaries.
func wrapped(l *locales.Localizer, text string) *paraLabel {
	return newParaLabel(l, text)
}

// detailPane is the side of a list screen that shows the record opened
// from the list: a centred hint until one is, then its form and, for a
// saved record, its comments. Lay out its box.
type detailPane struct {
	box *fyne.Container // a stack holding what is shown
}

func newDetailPane() detailPane { return detailPane{box: container.NewStack()} }

// showPlaceholder shows hint in the middle of the pane.
func (d detailPane) showPlaceholder(l *locales.Localizer, hint string) {
	// Not wrapped: a wrapping label in a centring container has no width to
	// wrap to and would ask for a window as tall as its words.
	msg := &widget.Label{Text: hint, Alignment: fyne.TextAlignCenter, Truncation: fyne.TextTruncateEllipsis}
	mirrorLabels(l, msg)
	d.show(container.NewVBox(layout.NewSpacer(), msg, layout.NewSpacer()))
}

// showForm shows form, scrolling, followed by the comments on record id
// when it is saved (id not "").
func (d detailPane) showForm(l *locales.Localizer, form fyne.CanvasObject, id string, comments *commentsPanel) {
	content := container.NewVBox(form)
	if id != "" {
		content.Add(widget.NewSeparator())
		c := comments.build(id)
		mirrorLabels(l, c)
		content.Add(c)
	}
	d.show(container.NewVScroll(content))
}

func (d detailPane) show(o fyne.CanvasObject) {
	d.box.Objects = []fyne.CanvasObject{o}
	d.box.Refresh()
}

// showsForm reports whether the pane shows a form rather than the hint.
func (d detailPane) showsForm() bool {
	if d.box == nil || len(d.box.Objects) == 0 {
		return false
	}
	_, ok := d.box.Objects[0].(*container.Scroll)
	return ok
}
