package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/a20-network/fieldbook/store"
)

func TestDraftSurvivesCrash(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	u.activities.onNew()
	f := u.activities.form
	test.Type(f.title, "Community dialogue in Lilongwe")
	test.Type(f.reach[0][2], "17")
	test.Type(f.summary, "Chiefs agreed to")
	// The draft lands within the throttle delay, while the user types.
	waitFor(t, "draft saved", func() bool { return hasDraft(h.st, "activity:new") })
	test.Type(f.summary, " act on child marriage")
	waitFor(t, "latest typing saved", func() bool {
		d, err := h.st.Draft(context.Background(), "activity:new")
		return err == nil && len(d.Body) > 0 && contains(d.Body, "act on child marriage")
	})

	// Crash: the window goes away without saving; a new start of the app
	// over the same data folder offers the draft back.
	h.win.Close()
	u2 := h.start("")
	if u2.draftsOffer == nil {
		t.Fatal("no drafts offered at start")
	}
	open, ok := u2.draftsOffer.open["activity:new"]
	if !ok || u2.draftsOffer.names["activity:new"] != "Community dialogue in Lilongwe" {
		t.Fatalf("offered %v", u2.draftsOffer.names)
	}
	test.Tap(open)
	h.settle()
	f2 := u2.activities.form
	if f2.title.Text != "Community dialogue in Lilongwe" || f2.reach[0][2].Text != "17" || f2.summary.Text != "Chiefs agreed to act on child marriage" {
		t.Fatalf("restored title %q girls 12–17 %q summary %q", f2.title.Text, f2.reach[0][2].Text, f2.summary.Text)
	}
	if f2.rowSums[0].Text != "17" {
		t.Fatalf("sums not updated after restore: %q", f2.rowSums[0].Text)
	}
	f2.kind.SetSelected("Community dialogue")
	f2.country.SetSelected("Malawi")
	test.Tap(f2.save)
	h.settle()
	if as := h.activities(store.ActivityFilter{}); len(as) != 1 || as[0].Reach.Girls[2] != 17 {
		t.Fatalf("stored %+v", as)
	}
	waitFor(t, "draft deleted", func() bool { return !hasDraft(h.st, "activity:new") })
}

func TestDraftOfAnExistingActivityIsOfferedWhenOpened(t *testing.T) {
	h := newHarness(t)
	a := h.seed(sampleActivity("Radio programme", "KE", "2025-05-05"))[0]
	u := h.start("en")
	u.activities.list.Select(0)
	f := u.activities.form
	f.partners.SetText("")
	test.Type(f.partners, "Radio Maisha")
	key := draftKey(a.ID)
	waitFor(t, "draft saved", func() bool { return hasDraft(h.st, key) })

	h.win.Close()
	u2 := h.start("")
	if u2.draftsOffer == nil || u2.draftsOffer.names[key] != "Radio programme" {
		t.Fatal("draft of the edited activity not offered at start")
	}
	u2.draftsOffer.dlg.Hide()
	// Opening the record itself offers the draft too.
	u2.activities.list.Select(0)
	h.settle()
	overlay := u2.win.Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("opening the activity did not offer its draft")
	}
	d, _ := h.st.Draft(context.Background(), key)
	u2.activities.form.restoreDraft(d)
	if got := u2.activities.form.partners.Text; got != "Radio Maisha" {
		t.Fatalf("partners %q", got)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
