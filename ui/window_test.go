package ui

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/locales/fontcover"
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

// drawnObject is a text or image drawn on a canvas, with where it is.
type drawnObject struct {
	obj fyne.CanvasObject
	pos fyne.Position
}

// drawnObjects walks root down to what is drawn: texts and images, with
// their positions in root.
func drawnObjects(t *testing.T, root fyne.CanvasObject) []drawnObject {
	t.Helper()
	var out []drawnObject
	var walk func(o fyne.CanvasObject, at fyne.Position)
	walk = func(o fyne.CanvasObject, at fyne.Position) {
		if !o.Visible() {
			return
		}
		at = at.Add(o.Position())
		switch o := o.(type) {
		case *canvas.Text, *canvas.Image:
			out = append(out, drawnObject{o, at})
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c, at)
			}
		case fyne.Widget:
			for _, c := range test.TempWidgetRenderer(t, o).Objects() {
				walk(c, at)
			}
		}
	}
	walk(root, fyne.Position{})
	return out
}

// circleOffsets returns, for every language name of the first-start list,
// how far above the name's baseline the centre of its circle is, as a
// share of the text size.
func circleOffsets(t *testing.T, w *welcomeScreen) map[string]float32 {
	t.Helper()
	drawn := drawnObjects(t, w.language.obj)
	out := map[string]float32{}
	for _, d := range drawn {
		txt, ok := d.obj.(*canvas.Text)
		if !ok || txt.Text == "" {
			continue
		}
		// Fyne centres a text vertically in its box.
		size, baseline := fyne.CurrentApp().Driver().RenderedTextSize(txt.Text, txt.TextSize, txt.TextStyle, txt.FontSource)
		baseY := d.pos.Y + (txt.Size().Height-size.Height)/2 + baseline
		// The row's circle: the image nearest the text vertically.
		best, bestDist := float32(-1), float32(1e9)
		for _, i := range drawn {
			if _, ok := i.obj.(*canvas.Image); !ok || i.obj.Size().Width > 2*txt.TextSize {
				continue
			}
			c := i.pos.Y + i.obj.Size().Height/2
			if dist := abs32(c - (d.pos.Y + txt.Size().Height/2)); dist < bestDist {
				best, bestDist = c, dist
			}
		}
		out[txt.Text] = (baseY - best) / txt.TextSize
	}
	return out
}

func abs32(f float32) float32 { return max(f, -f) }

// installedFace loads a face of an installed font file (a collection's by
// index) as the app's script theme does.
func installedFace(t *testing.T, file string, index int) fyne.Resource {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (install fonts-noto-core and fonts-noto-cjk)", err)
	}
	face, err := fontcover.Face(data, index)
	if err != nil {
		t.Fatal(err)
	}
	return fyne.NewStaticResource(filepath.Base(file), face)
}

// The circle of every language of the first-start list sits beside the
// body of its name's letters, the same way for Thai, Khmer, Chinese and
// Latin names, whatever the script's line height: its centre at the same
// height above the baseline in every row, left to right and right to
// left, with the script fonts the app puts in front for Thai, Khmer and
// Chinese (taller lines than Latin).
func TestFirstStartCirclesBesideLetters(t *testing.T) {
	const noto = "/usr/share/fonts/truetype/noto/"
	fonts := map[string]fyne.Resource{
		"th":      installedFace(t, noto+"NotoSansThai-Regular.ttf", 0),
		"km":      installedFace(t, noto+"NotoSansKhmer-Regular.ttf", 0),
		"zh-Hans": installedFace(t, "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3),
	}
	h := newFirstStartHarness(t)
	u := h.start("")
	for _, lang := range []string{"en", "th", "km", "zh-Hans", "ar"} {
		u.welcome.language.SetSelected(u.welcome.langs.option(lang))
		h.settle()
		if f := fonts[lang]; f != nil {
			h.app.Settings().SetTheme(&scriptTheme{Theme: theme.DefaultTheme(), regular: f})
		} else {
			h.app.Settings().SetTheme(theme.DefaultTheme())
		}
		u.setRootContent(u.welcome.buildLanguage())
		h.win.Resize(fyne.NewSize(1024, 2000))
		offsets := circleOffsets(t, u.welcome)
		if len(offsets) != len(u.welcome.langs.options) {
			t.Fatalf("%s: found %d names for %d languages", lang, len(offsets), len(u.welcome.langs.options))
		}
		for name, off := range offsets {
			if off < circleAboveBaseline-0.02 || off > circleAboveBaseline+0.02 {
				t.Errorf("%s list: circle of %s centred %.2f text sizes above the baseline, want %.2f", lang, name, off, circleAboveBaseline)
			}
		}
	}
}

// The first-start list puts the computer's language first, then the others
// by their own names (Latin alphabetically, accents aside, then each
// script together), and keeps that order while languages are tried out.
func TestFirstStartLanguagesInFindableOrder(t *testing.T) {
	h := newFirstStartHarness(t)
	u := h.start("")
	system := h.bnd.Pick("", locales.SystemLanguages()).String()
	want := []string{"az", "id", "ny", "sn", "en", "es", "fil", "fr", "sw", "hu", "pt", "sq", "vi",
		"mn", "ru", "ar", "hi", "bn", "th", "lo", "km", "ko", "zh-Hans"}
	want = append([]string{system}, slices.DeleteFunc(want, func(c string) bool { return c == system })...)
	for _, lang := range []string{"", "th", "ar"} {
		if lang != "" {
			u.welcome.language.SetSelected(u.welcome.langs.option(lang))
			h.settle()
		}
		if got := u.welcome.langs.codes; !slices.Equal(got, want) {
			t.Errorf("list in %q: %v, want %v", lang, got, want)
		}
	}
}

// The screenshot run can show the first-start screen over the app and go
// back to the tabs, the language kept.
func TestShowAndLeaveFirstStart(t *testing.T) {
	h := newHarness(t)
	u := h.start("th")
	u.ShowFirstStart()
	if u.welcome == nil || u.welcome.next.Text != u.l.T("welcome.continue") {
		t.Fatal("first start not shown")
	}
	u.LeaveFirstStart()
	h.settle()
	if u.welcome != nil || u.tabs == nil || u.l.Tag().String() != "th" {
		t.Fatalf("after leaving: welcome %v, tabs %v, language %v", u.welcome != nil, u.tabs != nil, u.l.Tag())
	}
	u.LeaveFirstStart() // not shown: nothing happens
}
