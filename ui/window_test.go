package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// netbook is the smallest screen the app is made for.
var netbook = fyne.NewSize(1024, 600)

func fits(s fyne.Size) bool { return s.Width <= netbook.Width && s.Height <= netbook.Height }

// The first-start screen fits a 1024×600 netbook in every shipped
// language, and Continue stays inside the window, however long the list
// of languages.
func TestFirstStartFitsNetbook(t *testing.T) {
	h := newFirstStartHarness(t)
	u := h.start("")
	for _, tag := range h.bnd.Languages() {
		w := u.welcome
		w.language.SetSelected(w.langs.option(tag.String()))
		h.settle()
		w = u.welcome
		if got := h.win.Content().MinSize(); !fits(got) {
			t.Errorf("%s: first start needs %v, more than %v", tag, got, netbook)
		}
		h.win.Resize(netbook)
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.next)
		end := pos.Add(w.next.Size())
		if size := h.win.Canvas().Size(); pos.X < 0 || pos.Y < 0 || end.X > size.Width || end.Y > size.Height || !w.next.Visible() {
			t.Errorf("%s: Continue at %v–%v, outside the %v window", tag, pos, end, size)
		}
	}
}

// Every tab of the main window fits a 1024×600 netbook, in a language with
// long words and tall letters as well as in English. (The activities form
// and the reports are checked by their own tests.)
func TestTabsFitNetbook(t *testing.T) {
	for _, lang := range []string{"en", "mn", "bn", "th", "ar", "ko"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			u := h.start(lang)
			for _, key := range u.Tabs() {
				if key == TabActivities || key == TabReports {
					continue
				}
				u.SelectTab(key)
				h.settle()
				if got := h.win.Content().MinSize(); !fits(got) {
					t.Errorf("tab %s needs %v, more than %v", key, got, netbook)
				}
			}
		})
	}
}
