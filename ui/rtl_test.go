package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
)

// startArabic starts the app over h's store in Arabic.
func startArabic(t *testing.T, h *harness) *UI {
	t.Helper()
	u := h.start("ar")
	if !isRTL(u.l) {
		t.Fatalf("language %s is not right to left", u.l.Tag())
	}
	return u
}

// checkDrawn fails unless Fyne draws the text got as the visual order of
// the typed text want, line by line.
func checkDrawn(t *testing.T, what, got, want string) {
	t.Helper()
	drawn, runs := fyneDraws(t, got)
	if v := visualLines(want); drawn != v {
		t.Errorf("%s: text %q is drawn as %q, want the visual order %q of %q", what, got, drawn, v, want)
	}
	for _, r := range runs {
		if strings.ContainsFunc(r, func(c rune) bool { return !rtlLetter(c) }) {
			t.Errorf("%s: text %q has a right-to-left run %q that a font change could cut", what, got, r)
		}
	}
}

// TestArabicSelectsShowOptionsInVisualOrderAndSaveCodes checks the form's
// and the list's drop-downs in Arabic: every option (kinds, countries,
// statuses) is drawn in the visual order of its label, the one shown as
// selected too, and choosing options of several words saves their codes.
func TestArabicSelectsShowOptionsInVisualOrderAndSaveCodes(t *testing.T) {
	h := newHarness(t)
	u := startArabic(t, h)
	l := u.l
	u.activities.onNew()
	h.settle()
	f := u.activities.form
	for _, sel := range []struct {
		name string
		w    *widget.Select
		c    choices
	}{
		{"kind", f.kind, f.kinds}, {"status", f.status, f.statuses},
		{"visibility", f.visibility, f.visibilities}, {"kind filter", u.activities.kind, u.activities.kinds},
	} {
		if len(sel.w.Options) != len(sel.c.labels) {
			t.Fatalf("%s: %d options for %d labels", sel.name, len(sel.w.Options), len(sel.c.labels))
		}
		for i, opt := range sel.w.Options {
			checkDrawn(t, sel.name+" option", opt, sel.c.labels[i])
		}
		if sel.w.Alignment != fyne.TextAlignTrailing {
			t.Errorf("%s: options are not aligned to the right", sel.name)
		}
	}
	for i, opt := range f.country.Options {
		checkDrawn(t, "country option", opt, f.countries.labels[i])
	}
	if label := l.T(codes.ActivityKinds.MessageID("policy_meeting")); strings.Count(label, " ") < 2 {
		t.Fatalf("kind label %q has too few words to test the order", label)
	}

	test.Type(f.title, "زيارة مدرسة Chilanga")
	f.kind.SetSelected(f.kind.Options[slices.Index(f.kinds.codes, "policy_meeting")])
	f.country.SetSelected(f.country.Options[slices.Index(f.countries.codes, "US")])
	checkDrawn(t, "selected kind", f.kind.Selected, l.T(codes.ActivityKinds.MessageID("policy_meeting")))
	f.visibility.SetSelected(f.visibilities.option(model.VisibilityNetwork))
	f.save.OnTapped()
	h.settle()
	as := h.activities(store.ActivityFilter{})
	if len(as) != 1 {
		t.Fatalf("stored %d activities, want 1 (errors: %v)", len(as), f.errs["form"].Text)
	}
	if a := as[0]; a.Kind != "policy_meeting" || a.Country != "US" || a.Visibility != model.VisibilityNetwork || a.Status != "draft" {
		t.Fatalf("stored kind %q country %q visibility %q status %q", a.Kind, a.Country, a.Visibility, a.Status)
	}
	// Opened again, the form selects the options of the stored codes.
	u.activities.open(as[0].ID)
	h.settle()
	if f.kind.Selected != f.kinds.option("policy_meeting") || f.country.Selected != f.countries.option("US") {
		t.Fatalf("reopened: kind %q country %q", f.kind.Selected, f.country.Selected)
	}
	// The list filter maps its option back to the code.
	s := u.activities
	s.kind.SetSelected(s.kinds.option("policy_meeting"))
	h.settle()
	if s.filter.Kind != "policy_meeting" || s.total != 1 {
		t.Fatalf("filter kind %q shows %d", s.filter.Kind, s.total)
	}
	s.kind.SetSelected(s.kinds.option("school_visit"))
	h.settle()
	if s.filter.Kind != "school_visit" || s.total != 0 {
		t.Fatalf("filter kind %q shows %d", s.filter.Kind, s.total)
	}
}

// TestArabicCheckBoxesHaveTheBoxOnTheRight checks the theme check boxes in
// Arabic: the box is right of its text, tapping the text toggles the box
// and gives it the focus, the box still takes the focus with Tab and
// toggles with Space, and the theme is saved. In English the box is a
// plain check box with its text.
func TestArabicCheckBoxesHaveTheBoxOnTheRight(t *testing.T) {
	h := newHarness(t)
	u := startArabic(t, h)
	u.activities.onNew()
	h.settle()
	f := u.activities.form
	d := h.app.Driver()
	box := f.themes[2] // education
	if box.Text != "" {
		t.Fatalf("the box carries its text %q: Fyne would draw it on the left", box.Text)
	}
	row := d.CanvasForObject(box)
	if row == nil {
		t.Fatal("check box not on the window")
	}
	lbl := findCheckLabel(t, f.obj, box)
	checkDrawn(t, "theme", lbl.Text, u.l.T(codes.Themes.MessageID("education")))
	if bx, lx := d.AbsolutePositionForObject(box).X, d.AbsolutePositionForObject(lbl).X; bx <= lx+lbl.Size().Width-1 {
		t.Errorf("box at x=%v is not right of its text (x=%v, width %v)", bx, lx, lbl.Size().Width)
	}
	// The first theme is on the right of the first row.
	if a, b := d.AbsolutePositionForObject(f.themes[0]).X, d.AbsolutePositionForObject(f.themes[1]).X; a <= b {
		t.Errorf("first theme at x=%v is not right of the second at x=%v", a, b)
	}
	test.Tap(lbl)
	if !box.Checked {
		t.Fatal("tapping the text did not check the box")
	}
	if h.win.Canvas().Focused() != box {
		t.Errorf("tapping the text focused %v, not the box", h.win.Canvas().Focused())
	}
	test.Tap(lbl)
	if box.Checked {
		t.Fatal("tapping the text again did not clear the box")
	}
	h.win.Canvas().Focus(f.themes[1])
	h.win.Canvas().FocusNext()
	if h.win.Canvas().Focused() != box {
		t.Fatalf("Tab from the second theme went to %v, not the third", h.win.Canvas().Focused())
	}
	test.Type(box, " ")
	if !box.Checked {
		t.Fatal("Space did not check the focused box")
	}
	test.Type(f.title, "Visit")
	f.kind.SetSelected(f.kinds.option("school_visit"))
	f.country.SetSelected(f.countries.option("MW"))
	f.save.OnTapped()
	h.settle()
	as := h.activities(store.ActivityFilter{})
	if len(as) != 1 || len(as[0].Themes) != 1 || as[0].Themes[0] != "education" {
		t.Fatalf("stored %+v", as)
	}

	u.SetLanguage("en")
	h.settle()
	u.activities.onNew()
	h.settle()
	if got := u.activities.form.themes[2].Text; got != "Education" {
		t.Fatalf("English check box text %q", got)
	}
}

// findCheckLabel returns the label that carries box's text.
func findCheckLabel(t *testing.T, root fyne.CanvasObject, box *widget.Check) *checkLabel {
	t.Helper()
	var found *checkLabel
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *checkLabel:
			if o.check == box {
				found = o
			}
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		}
	}
	walk(root)
	if found == nil {
		t.Fatal("no label for the check box")
	}
	return found
}

// TestArabicReachTableIsMirrored checks the reach matrix in Arabic: the
// sexes are on the right, the age bands read 0–5, 6–11, 12–17 from the
// right, the totals are on the left, and they still add up as one types.
func TestArabicReachTableIsMirrored(t *testing.T) {
	h := newHarness(t)
	u := startArabic(t, h)
	u.activities.onNew()
	h.settle()
	f := u.activities.form
	d := h.app.Driver()
	x := func(o fyne.CanvasObject) float32 { return d.AbsolutePositionForObject(o).X }
	cols := len(codes.AgeBands.Codes) + 2
	girls := f.reachGrid.Objects[cols] // first of the girls row, in reading order
	if lbl, ok := girls.(*widget.Label); !ok || lbl.Text != shown(u.l, u.l.T("sex.girls")) {
		t.Fatalf("first cell of the girls row is %#v", girls)
	}
	if x(girls) <= x(f.reach[0][0]) {
		t.Errorf("girls at x=%v is not right of the 0–5 field at x=%v", x(girls), x(f.reach[0][0]))
	}
	for si := range 3 {
		if !(x(f.reach[si][0]) > x(f.reach[si][1]) && x(f.reach[si][1]) > x(f.reach[si][2]) && x(f.reach[si][2]) > x(f.rowSums[si])) {
			t.Errorf("row %d: 0–5 at %v, 6–11 at %v, 12–17 at %v, total at %v: not right to left",
				si, x(f.reach[si][0]), x(f.reach[si][1]), x(f.reach[si][2]), x(f.rowSums[si]))
		}
	}
	if x(f.total) >= x(f.colSums[2]) {
		t.Errorf("grand total at %v is not left of the 12–17 total at %v", x(f.total), x(f.colSums[2]))
	}
	test.Type(f.reach[0][0], "5")
	test.Type(f.reach[1][0], "7")
	test.Type(f.reach[2][2], "2")
	if bare := func(l *widget.Label) string { return strings.Trim(l.Text, "\u200e") }; bare(f.rowSums[0]) != "٥" || bare(f.colSums[0]) != "١٢" || bare(f.total) != "١٤" { // Arabic-Indic digits, as Arabic counts are written
		t.Fatalf("sums: girls %q, 0–5 %q, total %q", f.rowSums[0].Text, f.colSums[0].Text, f.total.Text)
	}
}

// TestArabicTextsSetLaterAreInVisualOrder checks texts set after the
// screens were built, in Arabic: the activity count, a list row, the sync
// outcome (done and failed) and the sync counts are drawn in the visual
// order of their text and aligned to the right.
func TestArabicTextsSetLaterAreInVisualOrder(t *testing.T) {
	h := newHarness(t)
	h.seed(sampleActivity("زيارة مدرسة Chilanga 2", "MW", "2025-03-04"), sampleActivity("Two", "KH", "2025-03-05"))
	hub := &outboxHub{st: h.st, hubURL: "https://hub.a20.example"}
	h.extra.Syncer = hub
	u := startArabic(t, h)
	l := u.l
	s := u.activities
	checkDrawn(t, "activity count", s.count.Text, l.N("activities.count", 2))
	if s.count.Alignment != fyne.TextAlignTrailing {
		t.Error("activity count is not aligned to the right")
	}
	row := newActivityRow(true)
	s.updateRow(1, row)
	checkDrawn(t, "list row title", row.title.Text, "زيارة مدرسة Chilanga 2")

	u.SelectTab(TabSync)
	h.settle()
	sy := u.sync
	checkDrawn(t, "pending", sy.pending.Text, l.N("sync.changes", 2))
	test.Tap(sy.syncNow)
	h.settle()
	n := func(v int) string { return formatNumber(l, v) }
	want := l.T("sync.done", "Pushed", n(2), "Pulled", n(0), "Conflicts", n(0), "Rejected", n(0),
		"Seconds", locales.FormatDecimal(l.Tag(), 1, 1, 1))
	checkDrawn(t, "sync outcome", sy.outcome.Text, want)
	if sy.outcome.Alignment != fyne.TextAlignTrailing {
		t.Error("sync outcome is not aligned to the right")
	}
	checkDrawn(t, "pending after sync", sy.pending.Text, l.N("sync.changes", 0))

	hub.fail = errors.New("the hub did not answer")
	h.seed(sampleActivity("Three", "KE", "2025-03-06"))
	test.Tap(sy.syncNow)
	h.settle()
	checkDrawn(t, "failed sync outcome", sy.outcome.Text, l.T("hubproblem.sync_failed", "Problem", hubProblemText(l, hub.fail, hub.hubURL, actionSync)))
	sy.onDone(client.Result{}, fmt.Errorf("client: sync: %w", context.DeadlineExceeded))
	h.settle()
	checkDrawn(t, "failed sync outcome in Arabic", sy.outcome.Text, l.T("hubproblem.sync_failed", "Problem", l.T("hubproblem.timeout")))
}
