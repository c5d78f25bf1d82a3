package ui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
)

// dateField is a date typed as year-month-day or picked from a calendar.
// It shows and takes the year in the person's era (the Buddhist era in
// Thai, see [locales.EraOffset]) and gives the record ISO Gregorian dates;
// a text that cannot be a date says why on a line under the field.
type dateField struct {
	l      *locales.Localizer
	entry  *widget.Entry
	button *widget.Button
	popup  *widget.PopUp
	err    *paraLabel
	win    fyne.Window
	now    func() time.Time
	// onChanged, if set, is called after the text changes.
	onChanged func(string)
}

func newDateField(win fyne.Window, now func() time.Time, l *locales.Localizer, placeholder string) *dateField {
	d := &dateField{l: l, win: win, now: now, err: newErrorText(l)}
	d.entry = &widget.Entry{PlaceHolder: dateHint(l, placeholder), OnChanged: func(s string) {
		setError(d.err, dateProblem(d.l, s))
		if d.onChanged != nil {
			d.onChanged(s)
		}
	}}
	d.button = &widget.Button{Icon: theme.Icon(theme.IconNameCalendar), Importance: widget.LowImportance, OnTapped: d.onPick}
	return d
}

func (d *dateField) build() fyne.CanvasObject {
	return container.NewVBox(container.NewBorder(nil, nil, nil, d.button, d.entry), d.err)
}

// onPick shows a calendar at the field, starting from the typed date.
func (d *dateField) onPick() {
	start := d.now()
	if t, err := locales.ParseDate(d.l.Tag(), d.entry.Text); err == nil {
		start = t
	}
	cal := widget.NewCalendar(start, func(t time.Time) {
		d.entry.SetText(locales.FormatDateInput(d.l.Tag(), t))
		if d.popup != nil {
			d.popup.Hide()
		}
	})
	d.popup = widget.NewPopUp(cal, d.win.Canvas())
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(d.entry)
	d.popup.ShowAtPosition(pos.Add(fyne.NewPos(0, d.entry.Size().Height)))
}

// text returns the date as the record holds it (ISO, Gregorian), or, when
// it is not a date, what was typed, for validation to refuse. In an era
// language the typed text is given its era ("พ.ศ. 2026-11-01"), as the
// person meant it: a Gregorian-looking year never passes as Gregorian.
func (d *dateField) text() string {
	typed := strings.TrimSpace(d.entry.Text)
	t, err := locales.ParseDate(d.l.Tag(), typed)
	switch {
	case err == nil:
		return t.Format(store.DateLayout)
	case typed == "" || locales.EraOffset(d.l.Tag()) == 0:
		return typed
	}
	return strings.Replace(d.l.T("date.era_format"), dateFormatHint, typed, 1)
}

// setISO shows a record's date (ISO, Gregorian) in the person's era; any
// other text is shown as it is.
func (d *dateField) setISO(v string) {
	if t, err := time.Parse(store.DateLayout, v); err == nil {
		v = locales.FormatDateInput(d.l.Tag(), t)
	}
	d.entry.SetText(v)
}

// dateFormatHint is how the hints of date fields write the form a date
// takes, in every language's messages.
const dateFormatHint = "YYYY-MM-DD"

// dateHint is a date field's hint in l's language, naming the era where
// the year is not Gregorian ("พ.ศ. YYYY-MM-DD" in Thai).
func dateHint(l *locales.Localizer, hint string) string {
	if locales.EraOffset(l.Tag()) == 0 {
		return hint
	}
	return strings.Replace(hint, dateFormatHint, l.T("date.era_format"), 1)
}

// dateProblem says why typed text is not a date in l's language, or ""
// when it is one or is empty.
func dateProblem(l *locales.Localizer, typed string) string {
	if strings.TrimSpace(typed) == "" {
		return ""
	}
	_, err := locales.ParseDate(l.Tag(), typed)
	if errors.Is(err, locales.ErrGregorianYear) {
		if t, gerr := locales.ParseDate(language.English, typed); gerr == nil {
			return l.T("date.gregorian_year", "Year", strconv.Itoa(t.Year()), "Example", locales.FormatDateInput(l.Tag(), t))
		}
	}
	if err != nil {
		return l.T("date.not_a_date", "Value", strings.TrimSpace(typed), "Format", dateHint(l, dateFormatHint))
	}
	return ""
}

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
