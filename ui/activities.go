package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// activityList is the generic list-and-form screen over activities.
type activityList = listScreen[model.Activity, store.ActivityFilter, *activityRow]

// activitiesScreen is the searchable, filterable list of activities with
// the selected (or new) activity's form beside it. The list pages through
// the activities by start date with page cursors.
type activitiesScreen struct {
	*activityList

	kind, theme, state *widget.Select
	country            *countryPicker
	from, to           *dateField

	kinds, themes, countries, statuses choices

	form *activityForm
}

// newActivitiesScreen returns the activities screen of u, not built yet.
func newActivitiesScreen(u *UI) *activitiesScreen {
	l := u.l
	s := &activitiesScreen{}
	all := l.T("filter.all")
	s.kinds = codeChoices(l, codes.ActivityKinds).withAll(l, all)
	s.themes = codeChoices(l, codes.Themes).withAll(l, all)
	s.countries = countryChoices(l).withAll(l, all)
	s.statuses = codeChoices(l, codes.Statuses).withAll(l, all)
	st := u.deps.Store
	s.activityList = newListScreen(u, listSpec[model.Activity, store.ActivityFilter, *activityRow]{
		newButton: "activities.new", searchHint: "activities.search", noneSelected: "activities.none_selected", countN: "activities.count",
		entity: model.EntityActivity, split: 0.42,
		records: recordStore[model.Activity]{get: st.Activity, create: st.CreateActivity, update: st.UpdateActivity,
			meta: func(a *model.Activity) *model.Meta { return &a.Meta }, files: func(a *model.Activity) *[]protocol.FileRef { return &a.Files }},
		count:      st.CountActivities,
		fetch:      fetchActivities(st),
		sortKey:    func(a model.Activity) string { return a.StartDate },
		newRow:     newActivityRow,
		fillRow:    s.fill,
		loadingRow: func(row *activityRow, text string) { setText(u.l, row.title, text); row.meta.SetText("") },
		filters:    s.buildFilters,
		readFilter: s.readFilter,
		clearFilters: func() {
			for _, sel := range []*widget.Select{s.kind, s.theme, s.state} {
				sel.ClearSelected()
			}
			s.country.SetCode("")
			s.from.entry.SetText("")
			s.to.entry.SetText("")
		},
	})
	s.form = newActivityForm(u, s)
	s.editor = s.form
	return s
}

// fetchActivities reads a page of the activity list from st: the page's
// cursor is the start date of its first row, bounding the dates from
// above.
func fetchActivities(st Store) func(context.Context, store.ActivityFilter, pageQuery) ([]model.Activity, error) {
	return func(ctx context.Context, f store.ActivityFilter, q pageQuery) ([]model.Activity, error) {
		f.Limit, f.Offset = q.limit, q.offset
		if c := q.after; c != nil {
			f.To, f.Offset = c.key, c.skip
		}
		return st.Activities(ctx, f)
	}
}

// buildFilters makes the kind, theme, country, status and date filters,
// and the button that clears them.
func (s *activitiesScreen) buildFilters() ([]fyne.CanvasObject, fyne.CanvasObject) {
	l := s.u.l
	s.kind = &widget.Select{Options: s.kinds.options, PlaceHolder: l.T("field.kind"), OnChanged: s.onFilter}
	s.theme = &widget.Select{Options: s.themes.options, PlaceHolder: l.T("field.themes"), OnChanged: s.onFilter}
	s.country = newCountryPicker(s.u, l.T("field.country"), l.T("filter.all"), s.onFilter)
	s.state = &widget.Select{Options: s.statuses.options, PlaceHolder: l.T("field.status"), OnChanged: s.onFilter}
	s.from = newDateField(s.u.win, s.u.now, l, l.T("filter.from"))
	s.to = newDateField(s.u.win, s.u.now, l, l.T("filter.to"))
	s.from.onChanged = func(string) { s.onFilter("") }
	s.to.onChanged = func(string) { s.onFilter("") }
	clear := &widget.Button{Text: l.T("filter.clear"), Importance: widget.LowImportance, OnTapped: s.onClearFilters}
	return []fyne.CanvasObject{s.kind, s.theme, s.country, s.state, s.from.build(), s.to.build()}, clear
}

// fill draws activity a into row: its title, and below it the date, kind
// and place.
func (s *activitiesScreen) fill(row *activityRow, a model.Activity) {
	l := s.u.l
	setText(l, row.title, a.Title)
	date := a.StartDate
	if t, err := time.Parse(model.DateLayout, a.StartDate); err == nil {
		date = locales.FormatDate(l.Tag(), t)
	}
	meta := date + " · " + s.kinds.label(a.Kind) + " · " + countryName(s.u.l, a.Country)
	if a.Place != "" {
		meta += ", " + a.Place
	}
	if a.Status == "draft" {
		meta += " · " + s.u.l.T("status.draft")
	}
	setText(l, row.meta, meta)
}

// reopen shows the form again with state, after the screens were rebuilt
// in another language.
func (s *activitiesScreen) reopen(state activityDraft) {
	a := model.Activity{}
	if state.ID != "" {
		var err error
		if a, err = s.u.deps.Store.Activity(context.Background(), state.ID); err != nil {
			s.u.showError(err)
			return
		}
	}
	s.form.edit(a)
	s.form.setState(state)
	s.showForm()
}

// readFilter returns the filter the search box and filters show.
func (s *activitiesScreen) readFilter(text string) store.ActivityFilter {
	f := store.ActivityFilter{
		Text:    text,
		Kind:    s.kinds.code(s.kind.Selected),
		Theme:   s.themes.code(s.theme.Selected),
		Country: s.country.Code(),
		Status:  s.statuses.code(s.state.Selected),
	}
	if validDate(s.from.text()) {
		f.From = s.from.text()
	}
	if validDate(s.to.text()) {
		f.To = s.to.text()
	}
	return f
}

func validDate(v string) bool {
	_, err := time.Parse(model.DateLayout, v)
	return err == nil
}

// activityRow is one entry of the activity list: the title, and below it
// the date, kind and place.
type activityRow struct {
	widget.BaseWidget
	title, meta *widget.Label
}

func newActivityRow(rtl bool) *activityRow {
	r := &activityRow{
		title: &widget.Label{Truncation: fyne.TextTruncateEllipsis, TextStyle: fyne.TextStyle{Bold: true}},
		meta:  &widget.Label{Truncation: fyne.TextTruncateEllipsis, SizeName: theme.SizeNameCaptionText},
	}
	if rtl {
		r.title.Alignment, r.meta.Alignment = fyne.TextAlignTrailing, fyne.TextAlignTrailing
	}
	r.ExtendBaseWidget(r)
	return r
}

func (r *activityRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(layout.NewCustomPaddedVBoxLayout(-12), r.title, r.meta))
}
