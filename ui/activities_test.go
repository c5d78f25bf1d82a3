package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

func TestActivityFormCreatesActivity(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	h.shortcut(fyne.KeyN) // Ctrl+N opens a new form
	f := u.activities.form
	if !f.visible() {
		t.Fatal("Ctrl+N did not open the form")
	}
	if got := f.heading.Text; got != "New activity" {
		t.Fatalf("heading = %q", got)
	}
	test.Type(f.title, "School visit in Zomba")
	f.kind.SetSelected("School visit")
	f.country.SetSelected("Malawi")
	f.start.entry.SetText("")
	test.Type(f.start.entry, "2025-03-14")
	test.Type(f.place, "Zomba")
	test.Type(f.lat, "-15.39")
	test.Type(f.lon, "35.32")
	test.Tap(f.themes[2]) // education
	test.Type(f.reach[0][1], "12")
	test.Type(f.reach[1][1], "9")
	test.Type(f.reach[2][2], "3")
	test.Type(f.adults, "4")
	if f.rowSums[0].Text != "12" || f.colSums[1].Text != "21" || f.total.Text != "24" {
		t.Fatalf("sums: girls row %q, 6–11 column %q, total %q", f.rowSums[0].Text, f.colSums[1].Text, f.total.Text)
	}
	test.Type(f.partners, "District education office")
	test.Type(f.summary, "Talked with 3 classes about reporting violence.")
	test.Type(f.followUp, "Return with posters")
	test.Type(f.followUpDate.entry, "2025-04-01")
	h.shortcut(fyne.KeyS) // Ctrl+S saves
	h.settle()

	as := h.activities(store.ActivityFilter{})
	if len(as) != 1 {
		t.Fatalf("stored %d activities, want 1", len(as))
	}
	a := as[0]
	if a.Title != "School visit in Zomba" || a.Kind != "school_visit" || a.Country != "MW" || a.StartDate != "2025-03-14" ||
		a.Place != "Zomba" || a.Status != "draft" || a.Visibility != model.VisibilityOrg {
		t.Fatalf("stored %+v", a)
	}
	if a.Lat == nil || *a.Lat != -15.39 || a.Lon == nil || *a.Lon != 35.32 {
		t.Fatalf("location %v %v", a.Lat, a.Lon)
	}
	if len(a.Themes) != 1 || a.Themes[0] != "education" {
		t.Fatalf("themes %v", a.Themes)
	}
	if a.Reach.Girls[1] != 12 || a.Reach.Boys[1] != 9 || a.Reach.Unrecorded[2] != 3 || a.Reach.Adults != 4 {
		t.Fatalf("reach %+v", a.Reach)
	}
	if a.FollowUp != "Return with posters" || a.FollowUpDate != "2025-04-01" || a.Partners != "District education office" {
		t.Fatalf("follow-up %+v", a)
	}
	if f.id != a.ID || f.heading.Text != "Edit activity" {
		t.Fatalf("after save the form should edit the saved record: id %q heading %q", f.id, f.heading.Text)
	}
	if !u.notice.visible() || !strings.Contains(u.notice.label.Text, "School visit in Zomba") {
		t.Fatalf("notice %q", u.notice.label.Text)
	}
	if got := u.activities.count.Text; got != "1 activity" {
		t.Fatalf("count = %q", got)
	}
	if hasDraft(h.st, "activity:new") {
		t.Fatal("saving left the draft behind")
	}
}

func TestActivityFormShowsValidationNextToFields(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	u.activities.onNew()
	f := u.activities.form
	f.start.entry.SetText("")
	test.Type(f.start.entry, "2025-13-40")
	test.Type(f.end.entry, "2024-01-01")
	test.Type(f.reach[0][0], "lots")
	test.Type(f.lat, "12")
	test.Tap(f.save)
	h.settle()

	want := map[string]string{
		"title":      "Required.",
		"kind":       "Required.",
		"country":    "Required.",
		"start_date": "“2025-13-40” is not a date. Write it as YYYY-MM-DD.",
		"reach":      "Girls, 0–5: “lots” is not a number.",
		"location":   "Give both latitude and longitude, or neither.",
	}
	for field, msg := range want {
		e := f.errs[field]
		if !e.Visible() || !strings.Contains(e.Text, msg) {
			t.Errorf("%s: error %q (visible %v), want %q", field, e.Text, e.Visible(), msg)
		}
	}
	if e := f.errs["partners"]; e.Visible() {
		t.Errorf("partners shows an error: %q", e.Text)
	}
	if n := len(h.activities(store.ActivityFilter{})); n != 0 {
		t.Fatalf("an invalid form stored %d activities", n)
	}

	// Fix everything but the dates: the store's own check reports them.
	f.reach[0][0].SetText("")
	f.lat.SetText("")
	test.Type(f.title, "Dialogue")
	f.kind.SetSelected("Community dialogue")
	f.country.SetSelected("Cambodia")
	f.start.entry.SetText("2025-02-01")
	test.Tap(f.save)
	h.settle()
	if e := f.errs["end_date"]; !e.Visible() || e.Text != "Ends before it starts." {
		t.Fatalf("end date error %q", e.Text)
	}
	if e := f.errs["title"]; e.Visible() {
		t.Fatalf("title error stayed: %q", e.Text)
	}
	f.end.entry.SetText("")
	test.Tap(f.save)
	h.settle()
	if as := h.activities(store.ActivityFilter{}); len(as) != 1 || as[0].Country != "KH" {
		t.Fatalf("stored %+v", as)
	}
}

func TestEditDuplicateDeleteAndUndo(t *testing.T) {
	h := newHarness(t)
	h.seed(sampleActivity("Awareness walk", "MN", "2025-01-10"))
	u := h.start("en")
	s := u.activities
	if s.total != 1 {
		t.Fatalf("list length %d", s.total)
	}
	s.list.Select(0)
	h.settle()
	f := s.form
	if f.title.Text != "Awareness walk" || f.country.Selected != "Mongolia" {
		t.Fatalf("form shows %q in %q", f.title.Text, f.country.Selected)
	}
	if len(s.comments.list.Objects) == 0 {
		t.Fatal("no comments panel under a saved activity")
	}
	f.title.SetText("")
	test.Type(f.title, "Awareness walk in Ulaanbaatar")
	test.Tap(f.save)
	h.settle()
	if as := h.activities(store.ActivityFilter{}); len(as) != 1 || as[0].Title != "Awareness walk in Ulaanbaatar" {
		t.Fatalf("after edit: %+v", as)
	}

	test.Tap(f.duplicate)
	if f.id != "" || f.title.Text != "Awareness walk in Ulaanbaatar" || f.status.Selected != "Draft" {
		t.Fatalf("duplicate: id %q title %q status %q", f.id, f.title.Text, f.status.Selected)
	}
	test.Tap(f.save)
	h.settle()
	if n := len(h.activities(store.ActivityFilter{})); n != 2 {
		t.Fatalf("after duplicate: %d activities", n)
	}

	id := f.id
	test.Tap(f.del)
	h.settle()
	if n := len(h.activities(store.ActivityFilter{})); n != 1 {
		t.Fatalf("after delete: %d activities", n)
	}
	if !u.notice.action.Visible() || u.notice.action.Text != "Undo" {
		t.Fatal("no undo offered")
	}
	test.Tap(u.notice.action)
	h.settle()
	if n := len(h.activities(store.ActivityFilter{})); n != 2 {
		t.Fatalf("after undo: %d activities", n)
	}
	if f.id != id {
		t.Fatalf("undo reopened %q, want %q", f.id, id)
	}
	if s.count.Text != "2 activities" {
		t.Fatalf("count %q", s.count.Text)
	}
}

func TestActivityListLoadsPagesLazilyAndFilters(t *testing.T) {
	h := newHarness(t)
	var batch []model.Activity
	for i := range 1000 {
		country := []string{"MW", "KH", "MN", "KE"}[i%4]
		a := sampleActivity(fmt.Sprintf("Activity %04d", i), country, fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28))
		if i%10 == 0 {
			a.Kind = "training"
			a.Summary = "Trained teachers on birth registration"
		}
		batch = append(batch, a)
	}
	if err := h.st.CreateActivities(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	u := h.start("en")
	s := u.activities
	if s.total != 1000 || s.count.Text != "1,000 activities" {
		t.Fatalf("total %d, count %q", s.total, s.count.Text)
	}
	if len(s.pages) > 2 {
		t.Fatalf("start-up loaded %d pages, want only what shows", len(s.pages))
	}
	if !u.ScrollActivities(950) {
		h.settle()
	}
	if !u.ScrollActivities(950) {
		t.Fatal("row 950 did not load")
	}
	h.settle()
	if _, ok := s.pages[950/pageSize]; !ok {
		t.Fatal("page of row 950 not cached")
	}
	first := h.activities(store.ActivityFilter{Limit: 1})[0]
	u.ScrollActivities(0)
	h.settle()
	if a, ok := s.at(0); !ok || a.ID != first.ID {
		t.Fatalf("row 0 = %+v, want newest first %q", a, first.Title)
	}

	s.kind.SetSelected("Training")
	h.settle()
	if s.total != 100 {
		t.Fatalf("training filter: %d rows", s.total)
	}
	s.country.SetSelected("Kenya")
	h.settle()
	want, _ := h.st.CountActivities(context.Background(), store.ActivityFilter{Kind: "training", Country: "KE"})
	if s.total != want {
		t.Fatalf("training in Kenya: %d rows, want %d", s.total, want)
	}
	test.Tap(&onlyTap{fn: s.onClearFilters})
	h.settle()
	if s.total != 1000 {
		t.Fatalf("after clearing: %d", s.total)
	}

	test.Type(s.search, "birth regis")
	h.run.settleFor(t, 400e6)
	if s.total != 100 {
		t.Fatalf("search: %d rows", s.total)
	}
	s.search.SetText("")
	h.run.settleFor(t, 400e6)
	test.Type(s.from.entry, "2024-12-01")
	h.settle()
	want, _ = h.st.CountActivities(context.Background(), store.ActivityFilter{From: "2024-12-01"})
	if s.total != want || want == 0 {
		t.Fatalf("from filter: %d rows, want %d", s.total, want)
	}
}

// onlyTap adapts a handler to fyne.Tappable for test.Tap.
type onlyTap struct{ fn func() }

func (o *onlyTap) Tapped(*fyne.PointEvent) { o.fn() }

// TestScrollingReadsEveryRowOnceInOrder walks the list top to bottom, as
// scrolling does, and checks each row against the store's own order,
// including runs of one date longer than a page.
func TestScrollingReadsEveryRowOnceInOrder(t *testing.T) {
	h := newHarness(t)
	var batch []model.Activity
	for i := range 900 {
		date := "2025-06-01" // 500 rows share this date: longer than a page
		if i >= 500 {
			date = fmt.Sprintf("2025-05-%02d", 1+i%28)
		}
		batch = append(batch, sampleActivity(fmt.Sprintf("Row %03d", i), "MW", date))
	}
	if err := h.st.CreateActivities(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	want := h.activities(store.ActivityFilter{})
	u := h.start("en")
	s := u.activities
	for i := range want {
		if i%100 == 0 {
			u.ScrollActivities(i)
		}
		a, ok := s.at(i)
		if !ok {
			h.settle()
			if a, ok = s.at(i); !ok {
				t.Fatalf("row %d not loaded", i)
			}
		}
		if a.ID != want[i].ID {
			t.Fatalf("row %d is %q, want %q", i, a.Title, want[i].Title)
		}
	}
	if len(s.cursors) < 3 {
		t.Fatalf("only %d page cursors learned while scrolling", len(s.cursors))
	}
}

func TestTabOrderFollowsTheForm(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	u.activities.onNew()
	f := u.activities.form
	c := h.win.Canvas()
	c.Focus(f.title)
	var order []fyne.Focusable
	for range 40 {
		order = append(order, c.Focused())
		c.FocusNext()
	}
	pos := func(o fyne.Focusable) int {
		for i, x := range order {
			if x == o {
				return i
			}
		}
		return -1
	}
	want := []fyne.Focusable{f.title, f.kind, f.start.entry, f.end.entry, f.country, f.place, f.lat, f.lon, f.themes[0], f.reach[0][0], f.reach[0][1]}
	last := -1
	for i, o := range want {
		p := pos(o)
		if p <= last {
			t.Fatalf("field %d of the form is at tab position %d, after %d", i, p, last)
		}
		last = p
	}
}

// TestArrivingPageFillsRowsInPlace scrolls to rows whose page is not read
// yet: they show "loading", then the page's titles once it arrives, drawn
// into the same row widgets. A list Refresh would make Fyne throw its
// spare rows away and build new ones (thousands over a long scroll). The
// book-keeping of which row shows which position stays as small as the
// pages kept.
func TestArrivingPageFillsRowsInPlace(t *testing.T) {
	h := newHarness(t)
	var batch []model.Activity
	for i := range 3 * pageSize {
		batch = append(batch, sampleActivity(fmt.Sprintf("Row %03d", i), "MW", fmt.Sprintf("2025-%02d-%02d", 1+i%12, 1+i%28)))
	}
	if err := h.st.CreateActivities(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	want := h.activities(store.ActivityFilter{})
	u := h.start("en")
	s := u.activities
	created := 0
	create := s.list.CreateItem
	s.list.CreateItem = func() fyne.CanvasObject { created++; return create() }

	target := pageSize + pageSize/2
	if u.ScrollActivities(target) {
		t.Fatal("the page of the target row was already read")
	}
	row, ok := s.rowAt[target]
	if !ok {
		t.Fatalf("row %d is not on screen", target)
	}
	if loading := u.l.T("activities.loading"); row.title.Text != loading {
		t.Fatalf("before its page arrives row %d shows %q, want %q", target, row.title.Text, loading)
	}
	before := created
	h.settle()
	if s.rowAt[target] != row {
		t.Fatal("the page's arrival drew a different row widget")
	}
	if row.title.Text != want[target].Title {
		t.Fatalf("row %d shows %q, want %q", target, row.title.Text, want[target].Title)
	}
	if created != before {
		t.Fatalf("the page's arrival built %d new rows", created-before)
	}
	for i := 0; i < len(want); i += 50 {
		u.ScrollActivities(i)
		h.settle()
	}
	if len(s.rowAt) != len(s.posOf) {
		t.Fatalf("%d positions but %d rows remembered", len(s.rowAt), len(s.posOf))
	}
	for id, r := range s.rowAt {
		if s.posOf[r] != id {
			t.Fatalf("position %d's row is remembered at %d", id, s.posOf[r])
		}
	}
	if len(s.rowAt) > created+30 {
		t.Fatalf("%d positions remembered for %d rows built", len(s.rowAt), created)
	}
}
