package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// TestArabicMirrorsTheForm switches to Arabic and checks that the activity
// form's labels sit right of their fields and are aligned to the right, and
// that the Save button row starts on the right.
func TestArabicMirrorsTheForm(t *testing.T) {
	h := newHarness(t)
	h.seed(sampleActivity("Visit", "MW", "2025-03-04"))
	u := h.start("en")
	u.SetLanguage("ar")
	h.settle()
	if !isRTL(u.l) {
		t.Fatalf("language %s is not right to left", u.l.Tag())
	}
	u.activities.onNew()
	h.settle()
	f := u.activities.form
	d := h.app.Driver()
	grid := f.grid.Objects
	if len(grid) < 4 {
		t.Fatalf("form has %d objects", len(grid))
	}
	for i := 0; i+1 < len(grid); i += 2 {
		lbl, ok := grid[i].(*widget.Label)
		if !ok {
			t.Fatalf("object %d of the form is %T, not a label", i, grid[i])
		}
		if lbl.Alignment != fyne.TextAlignTrailing {
			t.Errorf("label %q is not aligned to the right", lbl.Text)
		}
		lx := d.AbsolutePositionForObject(lbl).X
		fx := d.AbsolutePositionForObject(grid[i+1]).X
		if lx <= fx+grid[i+1].Size().Width-1 {
			t.Errorf("label %q at x=%v is not right of its field (x=%v, width %v)", lbl.Text, lx, fx, grid[i+1].Size().Width)
		}
	}
	// The title label names the title field, right of it.
	title := d.AbsolutePositionForObject(f.title).X
	if lx := d.AbsolutePositionForObject(grid[0]).X; lx <= title {
		t.Errorf("title label at %v, field at %v", lx, title)
	}
	// Save comes first in reading order: rightmost of its row.
	if sx, dx := d.AbsolutePositionForObject(f.save).X, d.AbsolutePositionForObject(f.duplicate).X; sx <= dx {
		t.Errorf("save at x=%v is not right of duplicate at x=%v", sx, dx)
	}
	// Labels elsewhere in the screens are aligned to the right too.
	u.SelectTab(TabSync)
	h.settle()
	if u.sync.pending.Alignment != fyne.TextAlignTrailing {
		t.Error("sync screen labels are not aligned to the right")
	}

	// Back in English, labels are left of their fields.
	u.SetLanguage("en")
	h.settle()
	u.SelectTab(TabActivities)
	u.activities.onNew()
	h.settle()
	f = u.activities.form
	if lx, fx := d.AbsolutePositionForObject(f.grid.Objects[0]).X, d.AbsolutePositionForObject(f.title).X; lx >= fx {
		t.Errorf("English: label at %v is not left of field at %v", lx, fx)
	}
}
