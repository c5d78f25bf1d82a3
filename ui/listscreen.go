package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The list fetches records in pages as rows come into view and keeps only
// the pages near the one last asked for (two either side: the rows on
// screen span at most two pages), so scrolling through 100,000 records
// costs five pages of memory, about 1 MB.
const (
	pageSize  = 200
	keepPages = 2
)

// searchDelay is how long typing in a search box must pause before the
// list is searched again.
const searchDelay = 250 * time.Millisecond

// rowWidget is the widget of one list row; it keys the maps of which row
// shows which position.
type rowWidget interface {
	comparable
	fyne.CanvasObject
}

// pageQuery says which page of a list to read: limit records after
// skipping offset, or, when after is set, from that cursor instead.
type pageQuery struct {
	limit, offset int
	after         *pageCursor
}

// pageCursor locates a page by the sort key of its first row: the page is
// the records whose key is at most key (the list runs newest first),
// skipping the first skip of them (those with exactly that key that
// earlier pages showed).
type pageCursor struct {
	key  string
	skip int
}

// recordForm is the form a list screen shows beside its list. The form
// embeds a [formFrame]; edit loads a record into it (the zero T starts a
// new one).
type recordForm[T any] interface {
	build() fyne.CanvasObject
	frame() *formFrame
	edit(rec T)
	// firstField takes the cursor in a new form.
	firstField() fyne.Focusable
	// opened runs once the form is on screen with a record (or a new one),
	// to offer back an unsaved draft, say.
	opened()
}

// listSpec is what one kind of record's list-and-form screen is made of,
// besides what every such screen has: its texts, how it reads its records,
// how a row looks, its filters and its form. The functions that read the
// store run off Fyne's goroutine; the others on it.
type listSpec[T any, F comparable, R rowWidget] struct {
	// newButton, searchHint, noneSelected and countN are message IDs:
	// the New button, the search box's hint, the detail pane's hint, and
	// the count line (a plural message taking the count).
	newButton, searchHint, noneSelected, countN string
	// entity is the kind of record the comments are on.
	entity string
	// split is the list's share of the screen's width.
	split float64

	records recordStore[T]
	// count returns how many records match f; fetch reads one page of them.
	count func(ctx context.Context, f F) (int, error)
	fetch func(ctx context.Context, f F, q pageQuery) ([]T, error)
	// sortKey, if set, returns the first column of the list's order, from
	// which page cursors are learned, so scrolling on reads from the index
	// instead of skipping OFFSET rows. Nil pages by offset alone.
	sortKey func(rec T) string

	newRow     func(rtl bool) R
	fillRow    func(row R, rec T)
	loadingRow func(row R, text string)

	// filters makes the filter widgets: those laid out in a flow under the
	// search box, and one beside the count. Each calls [listScreen.onFilter]
	// when changed.
	filters func() (flow []fyne.CanvasObject, beside fyne.CanvasObject)
	// readFilter returns the filter the widgets show, with text searched.
	readFilter func(text string) F
	// clearFilters empties the filter widgets (not the search box).
	clearFilters func()
}

// listScreen is a searchable, filterable list of one kind of record with
// the selected (or new) record's form beside it and, for a saved record,
// its comments. The list reads its records in pages in the background and
// drops whatever arrives for a filter no longer shown. A screen embeds it
// and gives it a [listSpec] and a [recordForm]. Its methods run on Fyne's
// goroutine.
type listScreen[T any, F comparable, R rowWidget] struct {
	u      *UI
	spec   listSpec[T, F, R]
	editor recordForm[T]

	search *entry
	count  *widget.Label
	list   *widget.List

	filter  F
	total   int
	gen     int // bumps when the filter changes; stale pages are dropped
	pages   map[int][]T
	loading map[int]bool
	// cursors says where a page starts, learned from the page before it,
	// so scrolling on reads from the index instead of skipping OFFSET
	// rows. They are tiny and outlive page eviction.
	cursors map[int]pageCursor
	// rowAt is the row each list position was last drawn into, and posOf
	// the position each row was last drawn for, so a page that arrives fills
	// the rows on screen in place: a list Refresh makes Fyne throw away
	// its spare rows and build new ones, thousands over a long scroll.
	rowAt map[widget.ListItemID]R
	posOf map[R]widget.ListItemID
	timer *time.Timer // debounces typing in the search box

	detail   detailPane
	comments *commentsPanel
}

// newListScreen returns the screen of spec for u; set its editor before
// building it.
func newListScreen[T any, F comparable, R rowWidget](u *UI, spec listSpec[T, F, R]) *listScreen[T, F, R] {
	s := &listScreen[T, F, R]{u: u, spec: spec, comments: newCommentsPanel(u, spec.entity)}
	s.forget()
	return s
}

// forget drops every page, cursor and row position.
func (s *listScreen[T, F, R]) forget() {
	s.pages = map[int][]T{}
	s.loading = map[int]bool{}
	s.cursors = map[int]pageCursor{}
	s.rowAt = map[widget.ListItemID]R{}
	s.posOf = map[R]widget.ListItemID{}
}

// build returns the screen: the list with its search, filters and count
// on one side, the detail pane on the other.
func (s *listScreen[T, F, R]) build() fyne.CanvasObject {
	l := s.u.l
	rtl := isRTL(l)
	s.search = newEntry(l.T(s.spec.searchHint), s.onSearchTyped)
	s.count = &widget.Label{}
	newBtn := &widget.Button{Text: l.T(s.spec.newButton), Icon: theme.ContentAddIcon(), Importance: widget.HighImportance, OnTapped: s.onNew}
	flow, beside := s.spec.filters()

	s.list = &widget.List{
		Length:     func() int { return s.total },
		CreateItem: func() fyne.CanvasObject { return s.spec.newRow(isRTL(s.u.l)) },
		UpdateItem: s.updateRow,
		OnSelected: s.onSelected,
	}
	s.list.ExtendBaseWidget(s.list)

	top := container.NewVBox(borderOf(rtl, nil, nil, nil, newBtn, s.search))
	if len(flow) > 0 {
		top.Add(flowOf(rtl, 3, flow...))
	}
	top.Add(borderOf(rtl, nil, nil, nil, beside, s.count))
	left := container.NewBorder(top, nil, nil, nil, s.list)

	s.detail = newDetailPane()
	s.showPlaceholder()
	split := splitOf(rtl, left, s.detail.box, s.spec.split)
	s.refresh()
	return split
}

// showPlaceholder empties the detail side.
func (s *listScreen[T, F, R]) showPlaceholder() {
	s.detail.showPlaceholder(s.u.l, s.u.l.T(s.spec.noneSelected))
}

// showForm puts the form (with the record's files, for a kind that
// carries them, and for a saved record its comments) on the detail side.
func (s *listScreen[T, F, R]) showForm() {
	obj := s.editor.build()
	fr := s.editor.frame()
	if s.spec.records.files != nil {
		fr.files.load(s.spec.entity, fr.id)
	} else {
		fr.files.load("", "")
	}
	s.detail.showForm(s.u.l, obj, fr.bar, fr.id, s.comments)
}

// refresh recounts and drops every cached page; rows reload as they show.
// It does nothing before the screen is built.
func (s *listScreen[T, F, R]) refresh() {
	if s.list == nil {
		return
	}
	s.gen++
	gen := s.gen
	s.forget()
	f := s.filter
	count := s.spec.count
	s.u.run.async(func() func() {
		n, err := count(context.Background(), f)
		return func() {
			if gen != s.gen {
				return
			}
			if err != nil {
				s.u.showError(err)
				return
			}
			s.total = n
			setText(s.u.l, s.count, s.u.l.N(s.spec.countN, n))
			s.list.UnselectAll()
			s.list.Refresh()
		}
	})
}

// at returns the record at list position id if its page is loaded, and
// starts loading the page otherwise.
func (s *listScreen[T, F, R]) at(id int) (T, bool) {
	var zero T
	page := id / pageSize
	rows, ok := s.pages[page]
	if !ok {
		s.load(page)
		return zero, false
	}
	if i := id % pageSize; i < len(rows) {
		return rows[i], true
	}
	return zero, false
}

// load reads page in the background, unless it is on its way, and fills
// the rows on screen from it when it arrives for the filter still shown.
func (s *listScreen[T, F, R]) load(page int) {
	if s.loading[page] {
		return
	}
	s.loading[page] = true
	gen := s.gen
	f := s.filter
	q := pageQuery{limit: pageSize, offset: page * pageSize}
	if c, ok := s.cursors[page]; ok {
		q.after = &c
	}
	fetch := s.spec.fetch
	s.u.run.async(func() func() {
		rows, err := fetch(context.Background(), f, q)
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

// learnCursor works out where the page after page starts from page's rows.
func (s *listScreen[T, F, R]) learnCursor(page int, rows []T) {
	if s.spec.sortKey == nil || len(rows) < pageSize {
		return
	}
	last := s.spec.sortKey(rows[len(rows)-1])
	n := 0
	for _, r := range rows {
		if s.spec.sortKey(r) == last {
			n++
		}
	}
	skip := n
	if n == len(rows) && page > 0 {
		// The whole page has one key: earlier pages may hold more of it.
		c, ok := s.cursors[page]
		if !ok || c.key != last {
			return
		}
		skip = c.skip + n
	}
	s.cursors[page+1] = pageCursor{key: last, skip: skip}
}

// updateRow draws list position id into row, as Fyne asks.
func (s *listScreen[T, F, R]) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	row := o.(R)
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
func (s *listScreen[T, F, R]) fillPage(page int) {
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

// fill draws the record at list position id into row, or "loading" while
// its page is on its way.
func (s *listScreen[T, F, R]) fill(id widget.ListItemID, row R) {
	rec, ok := s.at(id)
	if !ok {
		s.spec.loadingRow(row, s.u.l.T("activities.loading"))
		return
	}
	s.spec.fillRow(row, rec)
}

// onSelected opens the record at list position id, once its page is read.
func (s *listScreen[T, F, R]) onSelected(id widget.ListItemID) {
	rec, ok := s.at(id)
	if !ok {
		s.list.Unselect(id)
		return
	}
	s.open(s.spec.records.meta(&rec).ID)
}

// open reads record id and shows it in the form; an error (the record
// is gone, say) is shown in a dialog.
func (s *listScreen[T, F, R]) open(id string) {
	rec, err := s.spec.records.get(context.Background(), id)
	if err != nil {
		s.u.showError(err)
		return
	}
	s.editor.edit(rec)
	s.showForm()
	s.editor.opened()
}

// onNew shows an empty form with the cursor in its first field.
func (s *listScreen[T, F, R]) onNew() {
	var zero T
	s.list.UnselectAll()
	s.editor.edit(zero)
	s.showForm()
	s.editor.opened()
	s.u.win.Canvas().Focus(s.editor.firstField())
}

// onSearchTyped searches again once typing pauses for searchDelay. The
// timer's goroutine only posts to Fyne's.
func (s *listScreen[T, F, R]) onSearchTyped(string) {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timer = time.AfterFunc(searchDelay, func() { s.u.run.post(func() { s.onFilter("") }) })
}

// onFilter reads the search box and filters and, if they changed,
// reloads the list.
func (s *listScreen[T, F, R]) onFilter(string) {
	f := s.spec.readFilter(s.search.Text)
	if f == s.filter {
		return
	}
	s.filter = f
	s.refresh()
}

// onClearFilters empties the search box and the filters.
func (s *listScreen[T, F, R]) onClearFilters() {
	s.search.SetText("")
	s.spec.clearFilters()
	s.onFilter("")
}
