package ui

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
)

// dateField is a date typed as year-month-day or picked from a calendar.
// It shows and takes the year in the person's era (the Buddhist era in
// Thai, see [locales.EraOffset]) and gives the record ISO Gregorian dates;
// a text that cannot be a date says why on a line under the field.
type dateField struct {
	l      *locales.Localizer
	entry  *entry
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
	d.entry = newEntry(dateHint(l, placeholder), func(s string) {
		setError(d.err, dateProblem(d.l, s))
		if d.onChanged != nil {
			d.onChanged(s)
		}
	})
	// The hint says how to write the date: it is worth its width.
	d.entry.fitHint = true
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
		return t.Format(model.DateLayout)
	case typed == "" || locales.EraOffset(d.l.Tag()) == 0:
		return typed
	}
	return strings.Replace(d.l.T("date.era_format"), dateFormatHint, typed, 1)
}

// setISO shows a record's date (ISO, Gregorian) in the person's era; any
// other text is shown as it is.
func (d *dateField) setISO(v string) {
	if t, err := time.Parse(model.DateLayout, v); err == nil {
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
// saved record, its comments, scrolling above a bar that stays in view.
// Lay out its box.
type detailPane struct {
	box    *fyne.Container   // a stack holding what is shown
	scroll *container.Scroll // the scrolled form, while one is shown
}

func newDetailPane() detailPane { return detailPane{box: container.NewStack()} }

// showPlaceholder shows hint in the middle of the pane.
func (d *detailPane) showPlaceholder(l *locales.Localizer, hint string) {
	// Not wrapped: a wrapping label in a centring container has no width to
	// wrap to and would ask for a window as tall as its words.
	msg := &widget.Label{Text: hint, Alignment: fyne.TextAlignCenter, Truncation: fyne.TextTruncateEllipsis}
	mirrorLabels(l, msg)
	d.scroll = nil
	d.show(container.NewVBox(layout.NewSpacer(), msg, layout.NewSpacer()))
}

// showForm shows form, scrolling, followed by the comments on record id
// when it is saved (id not ""), and bar (Save and the other buttons) fixed
// below, so it is in view however long the form is.
func (d *detailPane) showForm(l *locales.Localizer, form, bar fyne.CanvasObject, id string, comments *commentsPanel) {
	content := container.NewVBox(form)
	if id != "" {
		content.Add(widget.NewSeparator())
		c := comments.build(id)
		mirrorLabels(l, c)
		content.Add(c)
	}
	d.scroll = container.NewVScroll(clearOfScrollBar(content))
	d.show(container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), bar), nil, nil, d.scroll))
}

// clearOfScrollBar pads content so its fields keep clear of the vertical
// scroll bar. Fyne draws the bar over the right edge of the content in
// every language, Arabic too, so the room is made on the right.
func clearOfScrollBar(content fyne.CanvasObject) fyne.CanvasObject {
	pad := theme.Padding()
	return container.New(layout.NewCustomPaddedLayout(0, 0, 0, theme.ScrollBarSize()+pad), content)
}

func (d *detailPane) show(o fyne.CanvasObject) {
	d.box.Objects = []fyne.CanvasObject{o}
	d.box.Refresh()
}

// showsForm reports whether the pane shows a form rather than the hint.
func (d *detailPane) showsForm() bool { return d.scroll != nil }

// reveal scrolls the form so that obj, which must be inside it, is in
// view near the top, and reports whether it found obj.
func (d *detailPane) reveal(obj fyne.CanvasObject) bool {
	if d.scroll == nil {
		return false
	}
	pos, ok := offsetIn(d.scroll.Content, obj)
	if !ok {
		return false
	}
	limit := max(d.scroll.Content.MinSize().Height-d.scroll.Size().Height, 0)
	y := min(max(pos.Y-theme.Padding()*4, 0), limit)
	d.scroll.ScrollToOffset(fyne.NewPos(d.scroll.Offset.X, y))
	return true
}

// offsetIn returns where obj lies inside root (root's own position
// excluded), looking through containers, and whether it is there.
func offsetIn(root, obj fyne.CanvasObject) (fyne.Position, bool) {
	if root == obj {
		return fyne.Position{}, true
	}
	c, ok := root.(*fyne.Container)
	if !ok {
		return fyne.Position{}, false
	}
	for _, child := range c.Objects {
		if p, ok := offsetIn(child, obj); ok {
			return child.Position().Add(p), true
		}
	}
	return fyne.Position{}, false
}

// appShortcuts are the window's own shortcuts ([UI.registerShortcuts]),
// which an [entry] passes on instead of swallowing.
var appShortcuts = []fyne.KeyName{fyne.KeyN, fyne.KeyF, fyne.KeyS}

// entry is a text entry that passes the window's own shortcuts (Ctrl+S,
// Ctrl+F, Ctrl+N) on to the window: Fyne gives a shortcut typed in an entry
// to the entry alone, which drops the ones it does not know, and the cursor
// is nearly always in an entry.
type entry struct {
	widget.Entry
	// fitHint makes the entry ask for the width of its placeholder, for a
	// hint that must be read whole (a date's format).
	fitHint bool
}

// newEntry returns a one-line entry with placeholder, calling onChanged
// (if not nil) after each change of its text.
func newEntry(placeholder string, onChanged func(string)) *entry {
	e := &entry{}
	e.PlaceHolder, e.OnChanged = placeholder, onChanged
	e.ExtendBaseWidget(e)
	return e
}

// newMultiLineEntry returns an entry of rows visible lines that wraps at
// words.
func newMultiLineEntry(rows int, onChanged func(string)) *entry {
	e := newEntry("", onChanged)
	e.MultiLine, e.Wrapping = true, fyne.TextWrapWord
	e.SetMinRowsVisible(rows)
	return e
}

// TypedShortcut lets the entry handle s, and passes the window's own
// shortcuts on to the window's canvas.
func (e *entry) TypedShortcut(s fyne.Shortcut) {
	if !isAppShortcut(s) {
		e.Entry.TypedShortcut(s)
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(e)
	if h, ok := c.(interface{ TypedShortcut(fyne.Shortcut) }); ok {
		h.TypedShortcut(s)
	}
}

// isAppShortcut reports whether s is one of [appShortcuts].
func isAppShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	return slices.Contains(appShortcuts, cs.KeyName)
}

// MinSize is the entry's, widened to its placeholder's text when fitHint
// is set.
func (e *entry) MinSize() fyne.Size {
	min := e.Entry.MinSize()
	if !e.fitHint || e.MultiLine || e.PlaceHolder == "" {
		return min
	}
	th := e.Theme()
	text := fyne.MeasureText(e.PlaceHolder, th.Size(theme.SizeNameText), e.TextStyle)
	pad := th.Size(theme.SizeNameInnerPadding)*2 + th.Size(theme.SizeNameInputBorder)*2
	return fyne.NewSize(max(min.Width, text.Width+pad), min.Height)
}
