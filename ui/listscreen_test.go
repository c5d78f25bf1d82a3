package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// note is a third kind of record, made up for these tests: a list screen
// over it is written with only its row, filter and form fields.
type note struct {
	Meta  model.Meta
	Title string
}

// noteFilter selects notes whose title contains Text.
type noteFilter struct{ Text string }

// noteStore keeps notes in memory, newest first.
type noteStore struct {
	mu     sync.Mutex // guards notes and counts
	notes  []note
	counts []noteFilter // every filter counted, in order
	// refuse, if set, is the validation error every write returns.
	refuse *model.ValidationError
}

// matching returns the notes f selects; n.mu must be held.
func (n *noteStore) matching(f noteFilter) []note {
	var out []note
	for _, x := range n.notes {
		if strings.Contains(x.Title, f.Text) {
			out = append(out, x)
		}
	}
	return out
}

// count counts the notes f selects and remembers f.
func (n *noteStore) count(_ context.Context, f noteFilter) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.counts = append(n.counts, f)
	return len(n.matching(f)), nil
}

// fetch returns one page of the notes f selects.
func (n *noteStore) fetch(_ context.Context, f noteFilter, q pageQuery) ([]note, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	m := n.matching(f)
	lo := min(q.offset, len(m))
	return m[lo:min(lo+q.limit, len(m))], nil
}

// get returns note id, or an error wrapping store.ErrNotFound.
func (n *noteStore) get(_ context.Context, id string) (note, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, x := range n.notes {
		if x.Meta.ID == id {
			return x, nil
		}
	}
	return note{}, fmt.Errorf("note %s: %w", id, store.ErrNotFound)
}

// write stores x as the newest note, or returns n.refuse.
func (n *noteStore) write(_ context.Context, x note) (note, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.refuse != nil {
		return note{}, n.refuse
	}
	if x.Meta.ID == "" {
		x.Meta.ID = model.NewID()
	}
	n.notes = append([]note{x}, n.notes...)
	return x, nil
}

// timesCounted returns how many counts were asked for.
func (n *noteStore) timesCounted() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.counts)
}

// noteForm is the form of a note: its title and nothing else.
type noteForm struct {
	formFrame
	screen *listScreen[note, noteFilter, *widget.Label]
	title  *entry
	opens  int // how many times the screen said the form was opened
}

// build makes the form once: Title and Summary, Partners shown under
// Summary.
func (f *noteForm) build() fyne.CanvasObject {
	if f.obj != nil {
		return f.obj
	}
	f.begin(f.onSave, func() {})
	f.title = newEntry("", nil)
	f.field("field.title", f.title, "title")
	f.field("field.summary", newEntry("", nil), "summary")
	f.shownAs["partners"] = "summary"
	f.targets = map[string]fyne.Focusable{"title": f.title}
	return f.finish(nil, f.save)
}

// edit loads n into the form.
func (f *noteForm) edit(n note) {
	f.build()
	f.id = n.Meta.ID
	f.title.SetText(n.Title)
	setText(f.u.l, f.heading, n.Title)
	f.reset()
}

// firstField is Title.
func (f *noteForm) firstField() fyne.Focusable { return f.title }

// opened counts the openings.
func (f *noteForm) opened() { f.opens++ }

// onSave stores the note, or shows why it was refused.
func (f *noteForm) onSave() {
	n := note{Meta: model.Meta{ID: f.id}, Title: f.title.Text}
	if saved, ok := submit(&f.formFrame, nil, func(ctx context.Context) (note, error) {
		return f.screen.spec.records.put(ctx, f.id, n)
	}); ok {
		f.edit(saved)
		f.screen.refresh()
	}
}

// newNoteScreen builds a list screen of notes in h's window.
func newNoteScreen(h *harness, ns *noteStore) (*listScreen[note, noteFilter, *widget.Label], *noteForm) {
	u := h.ui
	var s *listScreen[note, noteFilter, *widget.Label]
	s = newListScreen(u, listSpec[note, noteFilter, *widget.Label]{
		newButton: "resources.new", searchHint: "resources.search", noneSelected: "resources.none_selected", countN: "resources.count",
		entity: model.EntityResource, split: 0.4,
		records: recordStore[note]{get: ns.get, create: ns.write, update: ns.write,
			meta: func(n *note) *model.Meta { return &n.Meta }},
		count:        ns.count,
		fetch:        ns.fetch,
		newRow:       func(bool) *widget.Label { return &widget.Label{} },
		fillRow:      func(row *widget.Label, n note) { row.SetText(n.Title) },
		loadingRow:   func(row *widget.Label, text string) { row.SetText(text) },
		filters:      func() ([]fyne.CanvasObject, fyne.CanvasObject) { return nil, widget.NewLabel("") },
		readFilter:   func(text string) noteFilter { return noteFilter{Text: text} },
		clearFilters: func() {},
	})
	f := &noteForm{formFrame: formFrame{u: u, detail: &s.detail}, screen: s}
	s.editor = f
	h.win.SetContent(s.build())
	h.win.Resize(fyne.NewSize(1000, 700))
	return s, f
}

// heldRunner keeps background work until the test runs it, in the order
// the test chooses. What is posted from other goroutines (the search box's
// debounce timer) is kept and never run: the tests that use it drive the
// screen from their own goroutine only.
type heldRunner struct {
	work []func() func()

	mu     sync.Mutex // guards posted
	posted []func()
}

// async keeps work for [heldRunner.finish].
func (r *heldRunner) async(work func() func()) { r.work = append(r.work, work) }

// post keeps fn; see [heldRunner].
func (r *heldRunner) post(fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posted = append(r.posted, fn)
}

// finish runs held work i and applies its result.
func (r *heldRunner) finish(i int) {
	if apply := r.work[i](); apply != nil {
		apply()
	}
}

func TestListScreenDropsStaleResults(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	held := &heldRunner{}
	u.run = held
	ns := &noteStore{notes: []note{{Meta: model.Meta{ID: "1"}, Title: "apple"}, {Meta: model.Meta{ID: "2"}, Title: "banana"}}}
	s, _ := newNoteScreen(h, ns)
	if len(held.work) != 1 {
		t.Fatalf("building started %d reads, want the count", len(held.work))
	}
	held.finish(0) // everything: 2 notes
	if s.total != 2 || s.count.Text != "2 resources" {
		t.Fatalf("total %d, count %q", s.total, s.count.Text)
	}
	s.at(0) // starts reading page 0 for the unfiltered list
	pageRead := len(held.work) - 1

	s.search.SetText("banana")
	s.onFilter("")
	recount := len(held.work) - 1
	held.finish(recount) // the new filter's count arrives first
	held.finish(0)       // then a late count of the old filter
	if s.total != 1 || s.count.Text != "1 resource" {
		t.Fatalf("a stale count replaced the new one: total %d, count %q", s.total, s.count.Text)
	}
	held.finish(pageRead) // and a late page of the old filter
	if rows, ok := s.pages[0]; ok && (len(rows) != 1 || rows[0].Title != "banana") {
		t.Fatalf("a stale page was kept: %+v", rows)
	}
}

func TestListScreenDebouncesTheSearch(t *testing.T) {
	h := newHarness(t)
	h.start("en")
	ns := &noteStore{notes: []note{{Meta: model.Meta{ID: "1"}, Title: "apple"}, {Meta: model.Meta{ID: "2"}, Title: "banana"}}}
	s, _ := newNoteScreen(h, ns)
	h.settle()
	before := ns.timesCounted()
	// Each keystroke comes before the last one's delay is up.
	for _, c := range []string{"b", "a", "n"} {
		test.Type(s.search, c)
		h.run.settleFor(t, searchDelay/2)
	}
	if n := ns.timesCounted(); n != before {
		t.Fatalf("typing searched before it paused (%d counts)", n-before)
	}
	h.run.settleFor(t, searchDelay+300*time.Millisecond)
	if n := ns.timesCounted() - before; n != 1 {
		t.Fatalf("three keystrokes made %d searches, want 1", n)
	}
	if s.filter.Text != "ban" || s.total != 1 {
		t.Fatalf("filter %+v, total %d", s.filter, s.total)
	}
}

func TestListScreenOpensAndStartsRecords(t *testing.T) {
	h := newHarness(t)
	h.start("en")
	ns := &noteStore{notes: []note{{Meta: model.Meta{ID: model.NewID()}, Title: "apple"}}}
	s, f := newNoteScreen(h, ns)
	h.settle()
	if s.detail.showsForm() {
		t.Fatal("a form shows before anything was opened")
	}

	s.onNew()
	if !f.visible() || f.id != "" || f.opens != 1 {
		t.Fatalf("New: visible %v, id %q, opened %d times", f.visible(), f.id, f.opens)
	}
	if h.win.Canvas().Focused() != f.title {
		t.Fatalf("New left the cursor on %T, want the first field", h.win.Canvas().Focused())
	}
	if s.comments.list != nil {
		t.Fatal("a new record shows comments")
	}

	s.list.Select(0)
	if f.id != ns.notes[0].Meta.ID || f.title.Text != "apple" || f.opens != 2 {
		t.Fatalf("select: id %q, title %q, opened %d times", f.id, f.title.Text, f.opens)
	}
	if s.comments.parentID != f.id {
		t.Fatalf("comments on %q, want %q", s.comments.parentID, f.id)
	}

	// A new record saved appears in the list and stays in the form.
	s.onNew()
	test.Type(f.title, "cherry")
	test.Tap(f.save)
	h.settle()
	if s.total != 2 || f.id == "" || f.title.Text != "cherry" {
		t.Fatalf("after saving: total %d, id %q, title %q", s.total, f.id, f.title.Text)
	}
}

func TestFormFrameMapsValidationErrors(t *testing.T) {
	h := newHarness(t)
	h.start("en")
	ns := &noteStore{refuse: &model.ValidationError{Entity: "note", Fields: []model.FieldError{
		{Field: "summary", Reason: model.ReasonRequired},
		{Field: "title", Reason: model.ReasonRequired},
		{Field: "partners", Reason: model.ReasonRequired}, // shown under Summary, named
		{Field: "place", Reason: model.ReasonRequired},    // not in the form
	}}}
	s, f := newNoteScreen(h, ns)
	h.settle()
	s.onNew()
	h.win.Canvas().Focus(nil)
	test.Tap(f.save)

	if e := f.errs["title"]; !e.Visible() || e.Text != "Required." {
		t.Fatalf("title line %q (visible %v)", e.Text, e.Visible())
	}
	if e := f.errs["summary"]; !e.Visible() || e.Text != "Required.\nPartners: Required." {
		t.Fatalf("summary line %q", e.Text)
	}
	if e := f.errs["form"]; !e.Visible() || e.Text != "Required." {
		t.Fatalf("form line %q", e.Text)
	}
	// In the form's order, whatever order the store gave.
	if want := "2 fields need attention: Title, Summary"; !f.attention.Visible() || f.attention.text != want {
		t.Fatalf("beside Save: %q, want %q", f.attention.text, want)
	}
	if h.win.Canvas().Focused() != f.title {
		t.Fatalf("cursor on %T, want the first field in error", h.win.Canvas().Focused())
	}
	if len(ns.notes) != 0 {
		t.Fatal("a refused note was stored")
	}

	// Loading a record forgets the refusal.
	f.edit(note{})
	if f.errs["title"].Visible() || f.attention.Visible() || f.checked {
		t.Fatal("errors stayed after loading the form again")
	}
}

func TestResourceFormSaysWhatNeedsAttention(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	u.SelectTab(TabResources)
	h.settle()
	s := u.resources
	s.onNew()
	f := s.form
	test.Type(f.link, "not a link")
	h.win.Canvas().Focus(f.link)
	h.shortcut(fyne.KeyS)
	h.settle()
	if want := "3 fields need attention: Title, Kind, Link"; !f.attention.Visible() || f.attention.text != want {
		t.Fatalf("beside Save: %q (visible %v), want %q", f.attention.text, f.attention.Visible(), want)
	}
	if u.win.Canvas().Focused() != f.title {
		t.Fatalf("cursor on %T, want Title", u.win.Canvas().Focused())
	}
	// The errors follow the edits.
	test.Type(f.title, "Toolkit on safe walks")
	f.kind.SetSelected("Toolkit")
	if f.errs["title"].Visible() || f.attention.text != "1 field needs attention: Link" {
		t.Fatalf("after fixing two: title error %v, beside Save %q", f.errs["title"].Visible(), f.attention.text)
	}
}
