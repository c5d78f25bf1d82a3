package ui

import (
	"context"
	"encoding/json"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
)

// conflictsScreen is the inbox of fields two people changed differently:
// both values side by side, and a button to keep either.
type conflictsScreen struct {
	u     *UI
	box   *fyne.Container
	count *widget.Label
	// keep holds the buttons of the conflicts shown, by conflict id: [0]
	// keeps the value shown now, [1] the kept-aside one.
	keep map[string][2]*widget.Button
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
	s.box.RemoveAll()
	setText(l, s.count, l.N("conflicts.count", len(cs)))
	if len(cs) == 0 {
		s.box.Add(&widget.Label{Text: l.T("conflicts.none"), Importance: widget.LowImportance})
	}
	for _, c := range cs {
		s.box.Add(s.card(ctx, c))
	}
	mirrorLabels(l, s.box)
	s.box.Refresh()
}

func (s *conflictsScreen) card(ctx context.Context, c store.Conflict) fyne.CanvasObject {
	l := s.u.l
	title := s.recordTitle(ctx, c)
	id := c.ID
	keepWinner := &widget.Button{Text: l.T("conflicts.keep_this"), Importance: widget.HighImportance, OnTapped: func() { s.onResolve(id, false) }}
	keepLoser := &widget.Button{Text: l.T("conflicts.keep_that"), Importance: widget.HighImportance, OnTapped: func() { s.onResolve(id, true) }}
	s.keep[id] = [2]*widget.Button{keepWinner, keepLoser}
	side := func(headingText, value string, b *widget.Button) fyne.CanvasObject {
		return container.NewVBox(&widget.Label{Text: headingText, Importance: widget.LowImportance}, wrapped(l, value), b)
	}
	loserBy := c.LoserBy
	return widget.NewCard(title, fieldLabel(l, c.Field),
		gridOf(isRTL(l), 2,
			side(l.T("conflicts.shown_now"), displayValue(l, c.Field, c.Winner), keepWinner),
			side(l.T("conflicts.kept_aside", "By", loserBy), displayValue(l, c.Field, c.Loser), keepLoser),
		))
}

// recordTitle names the record a conflict is about.
func (s *conflictsScreen) recordTitle(ctx context.Context, c store.Conflict) string {
	l := s.u.l
	st := s.u.deps.Store
	switch c.Entity {
	case store.EntityActivity:
		if a, err := st.Activity(ctx, c.RecordID); err == nil {
			return l.T("conflicts.record", "Entity", l.T("entity.activity"), "Title", a.Title)
		}
	case store.EntityResource:
		if r, err := st.Resource(ctx, c.RecordID); err == nil {
			return l.T("conflicts.record", "Entity", l.T("entity.resource"), "Title", r.Title)
		}
	case store.EntityOrganization:
		if o, err := st.Organization(ctx, c.RecordID); err == nil {
			return l.T("conflicts.record", "Entity", l.T("entity.organization"), "Title", o.Name)
		}
	}
	return l.T("conflicts.record", "Entity", l.T("entity."+c.Entity), "Title", c.RecordID)
}

func (s *conflictsScreen) onResolve(id string, keepLoser bool) {
	if err := s.u.deps.Store.ResolveConflict(context.Background(), id, keepLoser); err != nil {
		s.u.showError(err)
		return
	}
	s.u.notice.show(s.u, s.u.l.T("notice.conflict_resolved"), "", nil)
	s.refresh()
	if s.u.activities != nil {
		s.u.activities.refresh()
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
