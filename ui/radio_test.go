package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// On the first start in Arabic the language list reads from the right:
// every option's circle is right of its text, the current language is
// chosen, and tapping another option (or Space on a focused one) switches
// the screen to it.
func TestFirstStartLanguageListIsMirroredInArabic(t *testing.T) {
	h := newFirstStartHarness(t)
	u := h.start("")
	w := u.welcome
	if w.language.group == nil {
		t.Fatal("English first start should use Fyne's radio group")
	}
	w.language.SetSelected(w.langs.option("ar"))
	h.settle()
	w = u.welcome
	if !isRTL(u.l) {
		t.Fatalf("language is %v after choosing Arabic", u.l.Tag())
	}
	if w.language.group != nil || len(w.language.rows) != len(w.langs.options) {
		t.Fatalf("Arabic first start: group %v, %d rows for %d languages", w.language.group != nil, len(w.language.rows), len(w.langs.options))
	}
	if got := w.langs.code(w.language.Selected()); got != "ar" {
		t.Errorf("chosen language %q, want ar", got)
	}
	h.win.Resize(fyne.NewSize(1000, 1400))
	for i, row := range w.language.rows {
		border := test.TempWidgetRenderer(t, row).Objects()[0].(*fyne.Container)
		var textX, iconX float32 = -1, -1
		for _, o := range border.Objects {
			switch o.(type) {
			case *widget.Label:
				textX = o.Position().X
			case *fyne.Container:
				iconX = o.Position().X
			}
		}
		if textX < 0 || iconX <= textX {
			t.Errorf("row %d (%s): circle at x=%.0f is not right of the text at x=%.0f", i, w.langs.options[i], iconX, textX)
		}
	}
	// Space on the focused English row switches back.
	for i, code := range w.langs.codes {
		if code == "en" {
			row := w.language.rows[i]
			h.win.Canvas().Focus(row)
			row.TypedRune(' ')
			break
		}
	}
	h.settle()
	if isRTL(u.l) || u.welcome.language.group == nil {
		t.Errorf("Space on English left the screen in %v", u.l.Tag())
	}
}
