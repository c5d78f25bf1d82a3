package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/codes"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
)

// The list fetches activities in pages as rows come into view and keeps only
// the pages near the one last asked for (two either side: the rows on
// screen span at most two pages), so scrolling through 100,000 records
// costs five pages of memory, about 1 MB.
const (
	pageSize  = 200
	keepPages = 2
)

// activitiesScreen is the searchable, filterable list of activities with
// the selected (or new) activity's form beside it.
type activitiesScreen struct {
	u *UI

	search             *widget.Entry
	kind, theme, state *widget.Select
	country            *countryPicker
	from, to           *dateField
	count              *widget.Label
	list               *widget.List

	kinds, themes, countries, statuses choices

	filter  store.ActivityFilter
	total   int
	gen     int // bumps when the filter changes; stale pages are dropped
	pages   map[int][]store.Activity
	loading map[int]bool
	// cursors says where a page starts, learned from the page before it,
	// so scrolling on reads from the index instead of skipping OFFSET
	// rows. They are tiny and outlive page eviction.
	cursors map[int]pageCursor
	// rowAt is the row each list position was last drawn into, and posOf
	// the position each row was last drawn for, so a page that arrives fills
	// the rows on screen in place: a list Refresh makes Fyne throw away
	// its spare rows and build new ones, thousands over a long scroll.
	rowAt map[widget.ListItemID]*activityRow
	posOf map[*activityRow]widget.ListItemID
	timer *time.Timer // debounces typing in the search box

	detail   detailPane
	form     *activityForm
	comments *commentsPanel
}

func newActivitiesScreen(u *UI) *activitiesScreen {
	l := u.l
	s := &activitiesScreen{u: u, pages: map[int][]store.Activity{}, loading: map[int]bool{}, cursors: map[int]pageCursor{},
		rowAt: map[widget.ListItemID]*activityRow{}, posOf: map[*activityRow]widget.ListItemID{}}
	all := l.T("filter.all")
	s.kinds = codeChoices(l, codes.ActivityKinds).withAll(l, all)
	s.themes = codeChoices(l, codes.Themes).withAll(l, all)
	s.countries = countryChoices(l).withAll(l, all)
	s.statuses = codeChoices(l, codes.Statuses).withAll(l, all)
	s.form = newActivityForm(u, s)
	s.comments = newCommentsPanel(u, store.EntityActivity)
	return s
}

func (s *activitiesScreen) build() fyne.CanvasObject {
	l := s.u.l
	s.search = &widget.Entry{PlaceHolder: l.T("activities.search"), OnChanged: s.onSearchTyped}
	s.kind = &widget.Select{Options: s.kinds.options, PlaceHolder: l.T("field.kind"), OnChanged: s.onFilter}
	s.theme = &widget.Select{Options: s.themes.options, PlaceHolder: l.T("field.themes"), OnChanged: s.onFilter}
	s.country = newCountryPicker(s.u, l.T("field.country"), l.T("filter.all"), s.onFilter)
	s.state = &widget.Select{Options: s.statuses.options, PlaceHolder: l.T("field.status"), OnChanged: s.onFilter}
	s.from = newDateField(s.u.win, s.u.now, l.T("filter.from"))
	s.to = newDateField(s.u.win, s.u.now, l.T("filter.to"))
	s.from.onChanged = func(string) { s.onFilter("") }
	s.to.onChanged = func(string) { s.onFilter("") }
	s.count = &widget.Label{}
	newBtn := &widget.Button{Text: l.T("activities.new"), Icon: theme.ContentAddIcon(), Importance: widget.HighImportance, OnTapped: s.onNew}
	clear := &widget.Button{Text: l.T("filter.clear"), Importance: widget.LowImportance, OnTapped: s.onClearFilters}

	s.list = &widget.List{
		Length:     func() int { return s.total },
		CreateItem: func() fyne.CanvasObject { return newActivityRow(isRTL(s.u.l)) },
		UpdateItem: s.updateRow,
		OnSelected: s.onSelected,
	}
	s.list.ExtendBaseWidget(s.list)

	rtl := isRTL(l)
	filters := gridOf(rtl, 3, s.kind, s.theme, s.country, s.state, s.from.build(), s.to.build())
	top := container.NewVBox(
		borderOf(rtl, nil, nil, nil, newBtn, s.search),
		filters,
		borderOf(rtl, nil, nil, nil, clear, s.count),
	)
	left := container.NewBorder(top, nil, nil, nil, s.list)

	s.detail = newDetailPane()
	s.showPlaceholder()
	split := splitOf(isRTL(l), left, s.detail.box, 0.42)
	s.refresh()
	return split
}

// showPlaceholder empties the detail side.
func (s *activitiesScreen) showPlaceholder() {
	s.detail.showPlaceholder(s.u.l, s.u.l.T("activities.none_selected"))
}

// showForm puts the form (and, for a saved activity, its comments) on the
// detail side.
func (s *activitiesScreen) showForm() {
	s.detail.showForm(s.u.l, s.form.build(), s.form.id, s.comments)
}

// refresh recounts and drops every cached page; rows reload as they show.
func (s *activitiesScreen) refresh() {
	s.gen++
	gen := s.gen
	s.pages = map[int][]store.Activity{}
	s.loading = map[int]bool{}
	s.cursors = map[int]pageCursor{}
	s.rowAt = map[widget.ListItemID]*activityRow{}
	s.posOf = map[*activityRow]widget.ListItemID{}
	f := s.filter
	st := s.u.deps.Store
	s.u.run.async(func() func() {
		n, err := st.CountActivities(context.Background(), f)
		return func() {
			if gen != s.gen {
				return
			}
			if err != nil {
				s.u.showError(err)
				return
			}
			s.total = n
			setText(s.u.l, s.count, s.u.l.N("activities.count", n))
			s.list.UnselectAll()
			s.list.Refresh()
		}
	})
}

// at returns the activity at list position id if its page is loaded, and
// starts loading the page otherwise.
func (s *activitiesScreen) at(id int) (store.Activity, bool) {
	page := id / pageSize
	rows, ok := s.pages[page]
	if !ok {
		s.load(page)
		return store.Activity{}, false
	}
	if i := id % pageSize; i < len(rows) {
		return rows[i], true
	}
	return store.Activity{}, false
}

func (s *activitiesScreen) load(page int) {
	if s.loading[page] {
		return
	}
	s.loading[page] = true
	gen := s.gen
	f := s.filter
	f.Limit, f.Offset = pageSize, page*pageSize
	if c, ok := s.cursors[page]; ok {
		f.To, f.Offset = c.date, c.skip
	}
	st := s.u.deps.Store
	s.u.run.async(func() func() {
		rows, err := st.Activities(context.Background(), f)
		return func() {
			if gen != s.gen {
				return
			}
			delete(s.loading, page)
			if err != nil {
				s.u.showError(err)
				return
			}
			for p := range s.pages {
				if p < page-keepPages || p > page+keepPages {
					delete(s.pages, p)
				}
			}
			s.pages[page] = rows
			s.learnCursor(page, rows)
			s.fillPage(page)
		}
	})
}

// pageCursor locates a page by the start date of its first row: the page
// is the activities up to date, skipping the first skip of them (those with
// exactly that date that earlier pages showed).
type pageCursor struct {
	date string
	skip int
}

// learnCursor works out where the page after page starts from page's rows.
func (s *activitiesScreen) learnCursor(page int, rows []store.Activity) {
	if len(rows) < pageSize {
		return
	}
	last := rows[len(rows)-1].StartDate
	n := 0
	for _, a := range rows {
		if a.StartDate == last {
			n++
		}
	}
	skip := n
	if n == len(rows) && page > 0 {
		// The whole page has one date: earlier pages may hold more of it.
		c, ok := s.cursors[page]
		if !ok || c.date != last {
			return
		}
		skip = c.skip + n
	}
	s.cursors[page+1] = pageCursor{date: last, skip: skip}
}

func (s *activitiesScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	row := o.(*activityRow)
	// Keep the two maps each other's inverse, so a row Fyne has thrown
	// away is not kept alive by them.
	if old, ok := s.posOf[row]; ok && s.rowAt[old] == row {
		delete(s.rowAt, old)
	}
	if prev, ok := s.rowAt[id]; ok && prev != row {
		delete(s.posOf, prev)
	}
	s.rowAt[id], s.posOf[row] = row, id
	s.fill(id, row)
}

// fillPage draws a page that has arrived into the rows last drawn for its
// positions, and forgets rows drawn for positions whose pages were dropped.
func (s *activitiesScreen) fillPage(page int) {
	for id, row := range s.rowAt {
		switch p := id / pageSize; {
		case p == page:
			s.fill(id, row)
		case p < page-keepPages || p > page+keepPages:
			delete(s.rowAt, id)
			delete(s.posOf, row)
		}
	}
}

// fill draws the activity at list position id into row, or "loading" while
// its page is on its way.
func (s *activitiesScreen) fill(id widget.ListItemID, row *activityRow) {
	a, ok := s.at(id)
	if !ok {
		setText(s.u.l, row.title, s.u.l.T("activities.loading"))
		row.meta.SetText("")
		return
	}
	l := s.u.l
	setText(l, row.title, a.Title)
	date := a.StartDate
	if t, err := time.Parse(store.DateLayout, a.StartDate); err == nil {
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

func (s *activitiesScreen) onSelected(id widget.ListItemID) {
	a, ok := s.at(id)
	if !ok {
		s.list.Unselect(id)
		return
	}
	s.open(a.ID)
}

// open shows activity id in the form, offering back an unsaved draft of it.
func (s *activitiesScreen) open(id string) {
	a, err := s.u.deps.Store.Activity(context.Background(), id)
	if err != nil {
		s.u.showError(err)
		return
	}
	s.form.edit(a)
	s.showForm()
	s.form.offerDraft()
}

// reopen shows the form again with state, after the screens were rebuilt
// in another language.
func (s *activitiesScreen) reopen(state activityDraft) {
	a := store.Activity{}
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

func (s *activitiesScreen) onNew() {
	s.list.UnselectAll()
	s.form.edit(store.Activity{})
	s.showForm()
	s.form.offerDraft()
	s.u.win.Canvas().Focus(s.form.title)
}

func (s *activitiesScreen) onSearchTyped(string) {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timer = time.AfterFunc(250*time.Millisecond, func() { s.u.run.post(func() { s.onFilter("") }) })
}

// onFilter reads the search box and filters and reloads the list.
func (s *activitiesScreen) onFilter(string) {
	f := store.ActivityFilter{
		Text:    s.search.Text,
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
	if f == s.filter {
		return
	}
	s.filter = f
	s.refresh()
}

func (s *activitiesScreen) onClearFilters() {
	s.search.SetText("")
	for _, sel := range []*widget.Select{s.kind, s.theme, s.state} {
		sel.ClearSelected()
	}
	s.country.SetCode("")
	s.from.entry.SetText("")
	s.to.entry.SetText("")
	s.onFilter("")
}

func validDate(v string) bool {
	_, err := time.Parse(store.DateLayout, v)
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
