package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// On the first start in Arabic the language list reads from the right:
// every option's circle is right of its text, the current language is
// chosen, and tapping another option (or Space on a focused one) switches
// the screen to it.
func TestFirstStartLanguageListIsMirroredInArabic(t *testing.T) {
	h := newFirstStartHarness(t)
	u := h.start("")
	w := u.welcome
	w.language.SetSelected(w.langs.option("ar"))
	h.settle()
	w = u.welcome
	if !isRTL(u.l) {
		t.Fatalf("language is %v after choosing Arabic", u.l.Tag())
	}
	if len(w.language.rows) != len(w.langs.options) || !w.language.rows[0].rtl {
		t.Fatalf("Arabic first start: %d rows for %d languages", len(w.language.rows), len(w.langs.options))
	}
	if got := w.langs.code(w.language.Selected()); got != "ar" {
		t.Errorf("chosen language %q, want ar", got)
	}
	h.win.Resize(fyne.NewSize(1000, 1400))
	for i, row := range w.language.rows {
		var textX, iconX float32 = -1, -1
		for _, o := range test.TempWidgetRenderer(t, row).Objects() {
			switch o := o.(type) {
			case *canvas.Text:
				textX = o.Position().X + o.Size().Width - o.MinSize().Width // drawn at its box's right
			case *canvas.Image:
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
	if isRTL(u.l) || u.welcome.language.rows[0].rtl {
		t.Errorf("Space on English left the screen in %v", u.l.Tag())
	}
}
