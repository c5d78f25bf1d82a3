package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// hintFits reports whether e is wide enough to show its placeholder whole.
func hintFits(e *entry) (got, need float32) {
	th := e.Theme()
	need = fyne.MeasureText(e.PlaceHolder, th.Size(theme.SizeNameText), e.TextStyle).Width +
		2*th.Size(theme.SizeNameInnerPadding) + 2*th.Size(theme.SizeNameInputBorder)
	return e.Size().Width, need
}

// TestActivitiesWithARecordOpenFitASmallScreen opens an activity on a
// 1024×600 window in the languages whose texts were seen clipped or
// forcing the window wider, and checks that the window need not grow and
// that the date filters' hints and the form's buttons get the width their
// text needs.
func TestActivitiesWithARecordOpenFitASmallScreen(t *testing.T) {
	for _, lang := range []string{"en", "ar", "th", "mn", "bn", "ko"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			h.seed(sampleActivity("Visit to Zomba school", "MW", "2025-01-02"))
			u := h.start(lang)
			h.win.Resize(fyne.NewSize(1024, 600))
			u.SelectFirst()
			h.settle()
			if !u.activities.form.visible() {
				t.Fatal("no activity open")
			}
			if m := h.win.Content().MinSize(); m.Width > 1024 || m.Height > 600 {
				t.Fatalf("with an activity open the window needs %v×%v, more than 1024×600", m.Width, m.Height)
			}
			for _, d := range []*dateField{u.activities.from, u.activities.to} {
				if got, need := hintFits(d.entry); got < need {
					t.Errorf("date filter %q gets %v px of the %v it needs", d.entry.PlaceHolder, got, need)
				}
			}
			f := u.activities.form
			for _, b := range []*widget.Button{f.save, f.duplicate, f.del} {
				if b.Size().Width < b.MinSize().Width || !inView(t, h.win, b) {
					t.Errorf("button %q: %v px of %v, in view %v", b.Text, b.Size().Width, b.MinSize().Width, inView(t, h.win, b))
				}
			}
		})
	}
}
