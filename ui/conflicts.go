package ui

import (
	"context"
	"encoding/json"
	"errors"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// conflictsScreen is the inbox of fields two people changed differently:
// both values side by side, a button on each side that says which value
// it keeps, and a way to open the record. A resolved card turns into a
// "Resolved — Undo" line of the same height in its place, so the next card
// never slides under the pointer; the notice bar offers Undo too.
type conflictsScreen struct {
	u     *UI
	box   *fyne.Container
	count *widget.Label
	// keep holds the buttons of the conflicts shown, by conflict id: [0]
	// keeps the value shown now, [1] the kept-aside one.
	keep map[string][2]*widget.Button
	// open holds the "Open record" button of each card, by conflict id.
	open map[string]*widget.Button
	// cards holds each conflict's card, by id, and resolved what took the
	// place of the ones resolved since the list was last read.
	cards, resolved map[string]fyne.CanvasObject
}

func newConflictsScreen(u *UI) *conflictsScreen { return &conflictsScreen{u: u} }

func (s *conflictsScreen) build() fyne.CanvasObject {
	l := s.u.l
	s.box = container.NewVBox()
	s.count = &widget.Label{}
	s.refresh()
	return container.NewVScroll(container.NewVBox(heading(l.T("conflicts.title")), wrapped(l, l.T("conflicts.explain")), s.count, s.box))
}

// refresh reads the open conflicts again.
func (s *conflictsScreen) refresh() {
	if s.box == nil {
		return
	}
	l := s.u.l
	ctx := context.Background()
	cs, err := s.u.deps.Store.Conflicts(ctx, true)
	if err != nil {
		s.u.showError(err)
		return
	}
	s.keep = map[string][2]*widget.Button{}
	s.open = map[string]*widget.Button{}
	s.cards, s.resolved = map[string]fyne.CanvasObject{}, map[string]fyne.CanvasObject{}
	s.box.RemoveAll()
	setText(l, s.count, l.N("conflicts.count", len(cs)))
	if len(cs) == 0 {
		s.box.Add(&widget.Label{Text: l.T("conflicts.none"), Importance: widget.LowImportance})
	}
	for _, c := range cs {
		card := s.card(ctx, c)
		s.cards[c.ID] = card
		s.box.Add(card)
	}
	mirrorLabels(l, s.box)
	s.box.Refresh()
}

// keepValueLen is how many characters of a value a keep button shows.
const keepValueLen = 40

func (s *conflictsScreen) card(ctx context.Context, c store.Conflict) fyne.CanvasObject {
	l := s.u.l
	title := s.recordTitle(ctx, c)
	id := c.ID
	winner, loser := displayValue(l, c.Field, c.Winner), displayValue(l, c.Field, c.Loser)
	keepWinner := &widget.Button{Text: l.T("conflicts.keep_shown", "Value", clip(winner, keepValueLen)),
		Importance: widget.HighImportance, OnTapped: func() { s.onResolve(id, false, winner) }}
	keepLoser := &widget.Button{Text: l.T("conflicts.keep_aside", "Value", clip(loser, keepValueLen), "By", c.LoserBy),
		Importance: widget.HighImportance, OnTapped: func() { s.onResolve(id, true, loser) }}
	s.keep[id] = [2]*widget.Button{keepWinner, keepLoser}
	side := func(headingText, value string, b *widget.Button) fyne.CanvasObject {
		return container.NewVBox(&widget.Label{Text: headingText, TextStyle: fyne.TextStyle{Bold: true}}, wrapped(l, value), b)
	}
	content := container.NewVBox(gridOf(isRTL(l), 2,
		side(l.T("conflicts.shown_now"), winner, keepWinner),
		side(l.T("conflicts.kept_aside", "By", c.LoserBy), loser, keepLoser),
	))
	if c.Entity == model.EntityActivity || c.Entity == model.EntityResource {
		open := &widget.Button{Text: l.T("conflicts.open_record"), Icon: theme.DocumentIcon(), OnTapped: func() { s.onOpen(c) }}
		s.open[id] = open
		content.Add(rowOf(isRTL(l), open))
	}
	return widget.NewCard(title, fieldLabel(l, c.Field), content)
}

// clip shortens s to at most n characters, ending it with "…" if cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// recordTitle names the record a conflict is about.
func (s *conflictsScreen) recordTitle(ctx context.Context, c store.Conflict) string {
	l := s.u.l
	st := s.u.deps.Store
	switch c.Entity {
	case model.EntityActivity:
		if a, err := st.Activity(ctx, c.RecordID); err == nil {
			return l.T("conflicts.record", "Entity", l.T("entity.activity"), "Title", a.Title)
		}
	case model.EntityResource:
		if r, err := st.Resource(ctx, c.RecordID); err == nil {
			return l.T("conflicts.record", "Entity", l.T("entity.resource"), "Title", r.Title)
		}
	case model.EntityOrganization:
		if o, err := st.Organization(ctx, c.RecordID); err == nil {
			return l.T("conflicts.record", "Entity", l.T("entity.organization"), "Title", o.Name)
		}
	}
	return l.T("conflicts.record", "Entity", l.T("entity."+c.Entity), "Title", c.RecordID)
}

// onResolve keeps one value of conflict id (value is what it reads as),
// puts a "Resolved — Undo" line of the card's height in its place and
// offers Undo in the notice bar. A second tap on a resolved card does
// nothing.
func (s *conflictsScreen) onResolve(id string, keepLoser bool, value string) {
	card, ok := s.cards[id]
	if !ok || s.resolved[id] != nil {
		return
	}
	if err := s.u.deps.Store.ResolveConflict(context.Background(), id, keepLoser); err != nil {
		s.u.showError(err)
		return
	}
	l := s.u.l
	undo := &widget.Button{Text: l.T("conflicts.undo"), Icon: theme.ContentUndoIcon(), OnTapped: func() { s.onUndo(id) }}
	line := borderOf(isRTL(l), nil, nil, nil, undo, &widget.Label{Text: l.T("conflicts.resolved", "Value", value), Wrapping: fyne.TextWrapWord})
	mirrorLabels(l, line)
	size := card.Size()
	if size.Height == 0 {
		size = card.MinSize()
	}
	hold := canvas.NewRectangle(color.Transparent)
	hold.SetMinSize(fyne.NewSize(0, size.Height))
	placeholder := container.NewStack(hold, container.NewVBox(line))
	s.resolved[id] = placeholder
	for i, o := range s.box.Objects {
		if o == card {
			s.box.Objects[i] = placeholder
		}
	}
	s.box.Refresh()
	s.recount()
	s.u.notice.show(s.u, l.T("notice.conflict_resolved"), l.T("conflicts.undo"), func() { s.onUndo(id) })
	if s.u.activities != nil {
		s.u.activities.refresh()
	}
}

// recount shows how many conflicts are still open.
func (s *conflictsScreen) recount() {
	cs, err := s.u.deps.Store.Conflicts(context.Background(), true)
	if err != nil {
		s.u.showError(err)
		return
	}
	setText(s.u.l, s.count, s.u.l.N("conflicts.count", len(cs)))
}

// onUndo opens conflict id again as it was; once its resolution has been
// sent to the hub it says so and changes nothing.
func (s *conflictsScreen) onUndo(id string) {
	l := s.u.l
	err := s.u.deps.Store.UndoResolveConflict(context.Background(), id)
	switch {
	case errors.Is(err, store.ErrAlreadySent):
		s.u.notice.show(s.u, l.T("conflicts.undo_too_late"), "", nil)
		return
	case err != nil:
		s.u.showError(err)
		return
	}
	s.u.notice.show(s.u, l.T("notice.conflict_reopened"), "", nil)
	s.refresh()
	if s.u.activities != nil {
		s.u.activities.refresh()
	}
}

// onOpen shows the record conflict c is about in its form, on its tab.
func (s *conflictsScreen) onOpen(c store.Conflict) {
	switch c.Entity {
	case model.EntityActivity:
		s.u.SelectTab(TabActivities)
		s.u.activities.open(c.RecordID)
	case model.EntityResource:
		s.u.SelectTab(TabResources)
		s.u.resources.open(c.RecordID)
	}
}

// displayValue turns a field's JSON value into what a person reads: codes
// become labels, lists are joined, empty values say so.
func displayValue(l *locales.Localizer, field string, raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return l.T("value.empty")
	}
	label := func(s string) string {
		switch field {
		case "kind":
			if codes.ActivityKinds.Has(s) {
				return l.T(codes.ActivityKinds.MessageID(s))
			}
			if codes.ResourceKinds.Has(s) {
				return l.T(codes.ResourceKinds.MessageID(s))
			}
		case "status":
			return l.T(codes.Statuses.MessageID(s))
		case "visibility":
			return l.T(codes.Visibilities.MessageID(s))
		case "country", "countries":
			return countryName(l, s)
		case "themes":
			return l.T(codes.Themes.MessageID(s))
		}
		return s
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return l.T("value.empty")
		}
		return label(x)
	case float64:
		if field == "deleted" {
			if x != 0 {
				return l.T("value.deleted")
			}
			return l.T("value.not_deleted")
		}
		return locales.FormatDecimal(l.Tag(), x, 0, maxValueDecimals)
	case []any:
		if len(x) == 0 {
			return l.T("value.empty")
		}
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				parts = append(parts, label(s))
			}
		}
		return strings.Join(parts, ", ")
	}
	return string(raw)
}
