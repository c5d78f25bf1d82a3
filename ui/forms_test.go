package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// press types Ctrl+key the way Fyne's desktop driver delivers it: to the
// focused widget when it takes shortcuts (every entry does), else to the
// window's canvas. (The harness's shortcut goes straight to the canvas.)
func (h *harness) press(key fyne.KeyName) {
	s := &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
	c := h.win.Canvas()
	if focused, ok := c.Focused().(fyne.Shortcutable); ok {
		focused.TypedShortcut(s)
		return
	}
	c.(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(s)
}

// fillValid types a valid activity into f.
func fillValid(f *activityForm, title string) {
	f.title.SetText(title)
	f.kind.SetSelected("School visit")
	f.country.SetSelected("Malawi")
}

func TestShortcutsWorkWithFocusInAnEntry(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	t.Run("CtrlN", func(t *testing.T) {
		u.win.Canvas().Focus(u.activities.search)
		h.press(fyne.KeyN)
		if !u.activities.form.visible() || u.win.Canvas().Focused() != u.activities.form.title {
			t.Fatal("Ctrl+N in the search field did not open a new form with the cursor in Title")
		}
	})
	f := u.activities.form
	t.Run("CtrlS", func(t *testing.T) {
		fillValid(f, "Visit to Zomba school")
		u.win.Canvas().Focus(f.summary)
		h.press(fyne.KeyS)
		h.settle()
		if as := h.activities(store.ActivityFilter{}); len(as) != 1 || as[0].Title != "Visit to Zomba school" {
			t.Fatalf("Ctrl+S in Summary stored %+v", as)
		}
	})
	t.Run("CtrlF", func(t *testing.T) {
		u.win.Canvas().Focus(f.title)
		h.press(fyne.KeyF)
		if u.win.Canvas().Focused() != u.activities.search {
			t.Fatalf("Ctrl+F in Title left the focus on %T", u.win.Canvas().Focused())
		}
		test.Type(u.win.Canvas().Focused(), "Zomba")
		if f.title.Text != "Visit to Zomba school" || u.activities.search.Text != "Zomba" {
			t.Fatalf("typing after Ctrl+F: title %q, search %q", f.title.Text, u.activities.search.Text)
		}
	})
	t.Run("EditingShortcutsStayWithTheEntry", func(t *testing.T) {
		u.win.Canvas().Focus(f.title)
		f.title.TypedShortcut(&fyne.ShortcutSelectAll{})
		if f.title.SelectedText() != "Visit to Zomba school" {
			t.Fatalf("Ctrl+A selected %q", f.title.SelectedText())
		}
	})
}

// putDraft stores a draft of a new activity titled title.
func putDraft(t *testing.T, h *harness, title string, started time.Time) {
	t.Helper()
	body, err := json.Marshal(activityDraft{Title: title, Kind: "training", Status: "draft", Visibility: model.VisibilityOrg,
		StartDate: "2025-06-01", Country: "MW", Started: started.Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.SaveDraft(context.Background(), "activity:new", string(body)); err != nil {
		t.Fatal(err)
	}
}

func TestShortcutsDoNothingBehindADialog(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	u.activities.onNew() // a blank form
	putDraft(t, h, "Training of teachers", time.Now())
	u.activities.form.offerDraft() // "Bring back?" over the window
	if u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog shown")
	}
	f := u.activities.form
	u.win.Canvas().Focus(f.title)
	t.Run("CtrlS", func(t *testing.T) {
		h.press(fyne.KeyS)
		h.shortcut(fyne.KeyS)
		h.settle()
		if e := f.errs["title"]; e.Visible() {
			t.Fatalf("Ctrl+S behind the dialog tried to save the blank form: %q", e.Text)
		}
		if n := len(h.activities(store.ActivityFilter{})); n != 0 {
			t.Fatalf("Ctrl+S behind the dialog stored %d activities", n)
		}
	})
	t.Run("CtrlF", func(t *testing.T) {
		h.press(fyne.KeyF)
		h.shortcut(fyne.KeyF)
		if u.win.Canvas().Focused() == u.activities.search {
			t.Fatal("Ctrl+F behind the dialog moved the focus to the search field")
		}
	})
	t.Run("CtrlN", func(t *testing.T) {
		f.title.SetText("Typed before the dialog")
		h.press(fyne.KeyN)
		h.shortcut(fyne.KeyN)
		h.settle()
		if f.title.Text != "Typed before the dialog" || len(u.win.Canvas().Overlays().List()) != 1 {
			t.Fatalf("Ctrl+N behind the dialog reset the form (title %q) or stacked dialogs (%d)", f.title.Text, len(u.win.Canvas().Overlays().List()))
		}
	})
}

func TestFailedSaveShowsTheFirstErrorAndSaysSo(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	h.win.Resize(fyne.NewSize(1024, 600))
	u.activities.onNew()
	f := u.activities.form
	f.start.entry.SetText("")
	test.Type(f.followUp, "Return in May")
	u.win.Canvas().Focus(f.followUp)
	d := &u.activities.detail
	d.scroll.ScrollToBottom()
	if d.scroll.Offset.Y == 0 {
		t.Fatal("the form does not scroll at 1024×600; the test proves nothing")
	}
	h.press(fyne.KeyS)
	h.settle()

	// The view moved to Title, the first field in error, and the cursor is in it.
	pos, ok := offsetIn(d.scroll.Content, f.title)
	if !ok {
		t.Fatal("Title not found in the form")
	}
	if top, bottom := d.scroll.Offset.Y, d.scroll.Offset.Y+d.scroll.Size().Height; pos.Y < top || pos.Y+f.title.Size().Height > bottom {
		t.Fatalf("Title at y=%v is outside the view %v–%v", pos.Y, top, bottom)
	}
	errPos, _ := offsetIn(d.scroll.Content, f.errs["title"])
	if errPos.Y+f.errs["title"].MinSize().Height > d.scroll.Offset.Y+d.scroll.Size().Height {
		t.Fatal("Title's error is below the view")
	}
	if u.win.Canvas().Focused() != f.title {
		t.Fatalf("focus on %T, want Title", u.win.Canvas().Focused())
	}
	// Beside Save, always in view, it says how many fields and which.
	want := "4 fields need attention: Title, Kind, Start date, Country"
	if !f.attention.Visible() || f.attention.text != want {
		t.Fatalf("beside Save: %q (visible %v), want %q", f.attention.text, f.attention.Visible(), want)
	}
	if !inView(t, u.win, f.save) || !inView(t, u.win, f.attention) {
		t.Fatal("Save or the message is not in the window")
	}

	// Errors follow the edits; the message goes once all is well.
	test.Type(f.title, "Teachers' training")
	if f.errs["title"].Visible() || f.attention.text != "3 fields need attention: Kind, Start date, Country" {
		t.Fatalf("after typing a title: title error %v, message %q", f.errs["title"].Visible(), f.attention.text)
	}
	fillValid(f, "Teachers' training")
	f.start.entry.SetText("2025-06-02")
	if f.attention.Visible() {
		t.Fatalf("message stays on a valid form: %q", f.attention.text)
	}
}

// inView reports whether obj lies wholly inside the window's canvas.
func inView(t *testing.T, w fyne.Window, obj fyne.CanvasObject) bool {
	t.Helper()
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(obj)
	s, c := obj.Size(), w.Canvas().Size()
	return obj.Visible() && p.X >= 0 && p.Y >= 0 && p.X+s.Width <= c.Width+0.5 && p.Y+s.Height <= c.Height+0.5
}

func TestBroughtBackDraftClearsStaleErrors(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	u.activities.onNew()
	f := u.activities.form
	f.onSave() // the blank form: "Required." under Title
	if !f.errs["title"].Visible() {
		t.Fatal("no error under a blank Title")
	}
	putDraft(t, h, "Training of teachers", time.Now())
	d, err := h.st.Draft(context.Background(), "activity:new")
	if err != nil {
		t.Fatal(err)
	}
	f.restoreDraft(d)
	if f.title.Text != "Training of teachers" {
		t.Fatalf("title %q", f.title.Text)
	}
	for _, field := range []string{"title", "kind", "country"} {
		if e := f.errs[field]; e.Visible() {
			t.Errorf("%s still says %q after bringing back a draft that fills it", field, e.Text)
		}
	}
}

func TestUnsavedWorkDialogNamesEachForm(t *testing.T) {
	h := newHarness(t)
	started := time.Date(2025, 6, 1, 9, 30, 0, 0, time.Local)
	putDraft(t, h, "", started)
	u := h.start("en")
	if u.draftsOffer == nil {
		t.Fatal("no drafts offered")
	}
	want := "New activity, started " + u.formatTime(started)
	if got := u.draftsOffer.names["activity:new"]; got != want {
		t.Fatalf("named %q, want %q", got, want)
	}
	lbl := findLabel(u.win.Canvas().Overlays().Top(), want)
	if lbl == nil {
		t.Fatal("the name is not in the dialog")
	}
	th := lbl.Theme()
	need := fyne.MeasureText(lbl.Text, th.Size(theme.SizeNameText), lbl.TextStyle).Width + 2*th.Size(theme.SizeNameInnerPadding)
	if lbl.Size().Width < need {
		t.Fatalf("the name gets %v px of the %v it needs: it shows cut", lbl.Size().Width, need)
	}
}

// findLabel returns the label in obj's tree whose text starts with prefix.
func findLabel(obj fyne.CanvasObject, prefix string) *widget.Label {
	if l, ok := obj.(*widget.Label); ok && strings.HasPrefix(l.Text, prefix) {
		return l
	}
	var kids []fyne.CanvasObject
	switch o := obj.(type) {
	case *fyne.Container:
		kids = o.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(o).Objects()
	}
	for _, k := range kids {
		if l := findLabel(k, prefix); l != nil {
			return l
		}
	}
	return nil
}
