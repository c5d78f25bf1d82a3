package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// conflictHarness starts the app on the Conflicts tab with two open
// conflicts on one activity: its kind (school visit shown, training kept
// aside by laptop-02) and its place (Kasungu district shown, Kasungu kept
// aside).
func conflictHarness(t *testing.T) (*harness, *UI, model.Activity) {
	t.Helper()
	h := newHarness(t)
	a := h.seed(sampleActivity("Training in Kasungu", "MW", "2025-02-02"))[0]
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	now := time.Now()
	conflicts := []store.Conflict{
		{ID: "c1", Entity: model.EntityActivity, RecordID: a.ID, Field: "kind", Winner: raw("school_visit"), Loser: raw("training"),
			WinnerHLC: a.UpdatedAt.String(), LoserHLC: a.UpdatedAt.String(), LoserBy: "laptop-02", CreatedAt: now.Add(time.Second)},
		{ID: "c2", Entity: model.EntityActivity, RecordID: a.ID, Field: "place", Winner: raw("Kasungu district"), Loser: raw("Kasungu"),
			WinnerHLC: a.UpdatedAt.String(), LoserHLC: a.UpdatedAt.String(), LoserBy: "laptop-02", CreatedAt: now},
	}
	if err := h.st.ApplyRemote(context.Background(), nil, conflicts, nil); err != nil {
		t.Fatal(err)
	}
	u := h.start("en")
	u.SelectTab(TabConflicts)
	return h, u, a
}

func openConflictIDs(t *testing.T, h *harness) []string {
	t.Helper()
	open, err := h.st.Conflicts(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range open {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestConflictButtonsShowTheirValues checks that each keep button says
// which value it keeps, and that the side headings are in the normal text
// colour, not the faint one.
func TestConflictButtonsShowTheirValues(t *testing.T) {
	_, u, _ := conflictHarness(t)
	s := u.conflicts
	want := map[string][2]string{
		"c1": {"Keep: School visit (shown now)", "Keep: Training (from laptop-02)"},
		"c2": {"Keep: Kasungu district (shown now)", "Keep: Kasungu (from laptop-02)"},
	}
	for id, w := range want {
		if got := s.keep[id]; got[0].Text != w[0] || got[1].Text != w[1] {
			t.Errorf("%s: buttons %q / %q, want %q / %q", id, got[0].Text, got[1].Text, w[0], w[1])
		}
	}
	faint := 0
	walkObjects(s.box, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Importance == widget.LowImportance {
			faint++
		}
	})
	if faint != 0 {
		t.Errorf("%d faint labels on the conflict cards", faint)
	}
}

// TestConflictResolutionCanBeUndone keeps the kept-aside value, then taps
// Undo in the notice bar: the conflict is open again in the store, the
// record shows the value it showed before, and the card is back.
func TestConflictResolutionCanBeUndone(t *testing.T) {
	h, u, a := conflictHarness(t)
	s := u.conflicts
	test.Tap(s.keep["c1"][1])
	h.settle()
	if got, _ := h.st.Activity(context.Background(), a.ID); got.Kind != "training" {
		t.Fatalf("kind %q after keeping training", got.Kind)
	}
	if s.count.Text != "1 conflict to resolve" {
		t.Fatalf("count %q", s.count.Text)
	}
	if !strings.Contains(test.RenderObjectToMarkup(s.box), "Resolved: kept Training.") {
		t.Fatal("no resolved line in place of the card")
	}
	n := u.notice
	if !n.visible() || !n.action.Visible() || n.action.Text != "Undo" {
		t.Fatalf("notice %q, undo shown %v %q", n.label.Text, n.action.Visible(), n.action.Text)
	}
	test.Tap(n.action)
	h.settle()
	if ids := openConflictIDs(t, h); strings.Join(ids, ",") != "c1,c2" {
		t.Fatalf("open after undo %v", ids)
	}
	if got, _ := h.st.Activity(context.Background(), a.ID); got.Kind != "school_visit" {
		t.Fatalf("kind %q after undo, want school_visit back", got.Kind)
	}
	if s.count.Text != "2 conflicts to resolve" || s.keep["c1"][1] == nil {
		t.Fatalf("count %q after undo", s.count.Text)
	}
}

// TestConflictDoubleClickResolvesOne taps a keep button twice: one
// conflict is resolved, and the next card has not moved under the pointer.
func TestConflictDoubleClickResolvesOne(t *testing.T) {
	h, u, _ := conflictHarness(t)
	s := u.conflicts
	d := fyne.CurrentApp().Driver()
	next := s.keep["c2"][0]
	before := d.AbsolutePositionForObject(next)
	first := s.keep["c1"][0]
	test.Tap(first)
	test.Tap(first)
	h.settle()
	if ids := openConflictIDs(t, h); strings.Join(ids, ",") != "c2" {
		t.Fatalf("open after a double click %v, want c2 only", ids)
	}
	if after := d.AbsolutePositionForObject(next); after != before {
		t.Fatalf("the next card moved from %v to %v", before, after)
	}
}

// TestConflictOpenRecord opens the activity a conflict is about in its
// form.
func TestConflictOpenRecord(t *testing.T) {
	h, u, a := conflictHarness(t)
	test.Tap(u.conflicts.open["c1"])
	h.settle()
	if u.SelectedTab() != TabActivities {
		t.Fatalf("tab %q", u.SelectedTab())
	}
	f := u.activities.form
	if !f.visible() || f.id != a.ID || f.title.Text != "Training in Kasungu" {
		t.Fatalf("form visible %v id %q title %q", f.visible(), f.id, f.title.Text)
	}
}

// walkObjects calls fn on o and everything inside its containers and cards.
func walkObjects(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkObjects(c, fn)
		}
	case *widget.Card:
		if x.Content != nil {
			walkObjects(x.Content, fn)
		}
	}
}
