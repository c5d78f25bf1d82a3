package ui

import (
	"image/color"
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

// inkSpan is how far the drawn pixels of a name reach below and above the
// centre of its circle, in text sizes.
type inkSpan struct{ below, above float32 }

// inkSpans returns the [inkSpan] of each of names in the first-start
// list, read from the window as drawn.
func inkSpans(t *testing.T, win fyne.Window, w *welcomeScreen, names []string) map[string]inkSpan {
	t.Helper()
	img := win.Canvas().Capture()
	scale := win.Canvas().Scale()
	bg := img.At(0, 0)
	drawn := drawnObjects(t, w.language.obj)
	// The window's padding is outside its content's coordinates.
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.language.obj).Add(win.Content().Position())
	out := map[string]inkSpan{}
	for _, d := range drawn {
		txt, ok := d.obj.(*canvas.Text)
		if !ok || !slices.Contains(names, txt.Text) {
			continue
		}
		var circle float32 = -1
		for _, i := range drawn {
			if _, ok := i.obj.(*canvas.Image); ok && i.pos.Y < d.pos.Y+txt.Size().Height && i.pos.Y+i.obj.Size().Height > d.pos.Y {
				circle = origin.Y + i.pos.Y + i.obj.Size().Height/2
			}
		}
		x0, y0 := int((origin.X+d.pos.X)*scale), int((origin.Y+d.pos.Y)*scale)
		x1, y1 := int((origin.X+d.pos.X+txt.Size().Width)*scale), int((origin.Y+d.pos.Y+txt.Size().Height)*scale)
		top, bottom := -1, -1
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				if inked(img.At(x, y), bg) {
					if top < 0 {
						top = y
					}
					bottom = y
					break
				}
			}
		}
		if bottom < 0 || circle < 0 {
			t.Fatalf("%s: no ink or no circle", txt.Text)
		}
		out[txt.Text] = inkSpan{
			below: (float32(bottom+1)/scale - circle) / txt.TextSize,
			above: (circle - float32(top)/scale) / txt.TextSize,
		}
	}
	if len(out) != len(names) {
		t.Fatalf("found %d of the names %v", len(out), names)
	}
	return out
}

// inked reports whether c stands out from the background bg (text drawn
// over it, not anti-aliasing's faint edge).
func inked(c, bg color.Color) bool {
	r, g, b, _ := c.RGBA()
	br, bgG, bb, _ := bg.RGBA()
	diff := func(a, b uint32) uint32 { return max(a, b) - min(a, b) }
	return diff(r, br)+diff(g, bgG)+diff(b, bb) > 3*0xffff*2/5
}

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
// body of its name's letters, the same way for Thai, Bengali, Khmer,
// Korean and Latin names and with each script's font in front as the app
// puts it (their lines are taller or shorter than Latin ones, and a name
// in another script is drawn from another font): its centre
// [circleAboveBaseline] text sizes above the baseline the letters stand on
// as drawn, left to right and right to left.
func TestFirstStartCirclesBesideLetters(t *testing.T) {
	const noto = "/usr/share/fonts/truetype/noto/"
	fonts := map[string]fyne.Resource{
		"th": installedFace(t, noto+"NotoSansThai-Regular.ttf", 0),
		"bn": installedFace(t, noto+"NotoSansBengali-Regular.ttf", 0),
		"km": installedFace(t, noto+"NotoSansKhmer-Regular.ttf", 0),
		"ko": installedFace(t, "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
	}
	// Names whose letters stand on the baseline, none below it; Hangul has
	// no baseline: its syllables fill the height of Han characters.
	onBaseline := []string{"Kiswahili", "Chichewa", "Монгол", "ไทย", "বাংলা"}
	const hangul = "한국어"
	h := newFirstStartHarness(t)
	u := h.start("")
	for _, lang := range []string{"en", "th", "bn", "km", "ko", "ar"} {
		u.welcome.language.SetSelected(u.welcome.langs.option(lang))
		h.settle()
		if f := fonts[lang]; f != nil {
			h.app.Settings().SetTheme(&scriptTheme{Theme: theme.DefaultTheme(), regular: f})
		} else {
			h.app.Settings().SetTheme(theme.DefaultTheme())
		}
		u.setRootContent(u.welcome.buildLanguage())
		h.win.Resize(fyne.NewSize(1024, 2000))
		for name, ink := range inkSpans(t, h.win, u.welcome, append(onBaseline, hangul)) {
			if name == hangul {
				if off := (ink.below - ink.above) / 2; abs32(off) > 0.08 {
					t.Errorf("%s list: circle of %s %.2f text sizes off the middle of its letters", lang, name, off)
				}
				continue
			}
			if ink.below < circleAboveBaseline-0.08 || ink.below > circleAboveBaseline+0.08 {
				t.Errorf("%s list: circle of %s centred %.2f text sizes above its letters' baseline, want %.2f", lang, name, ink.below, circleAboveBaseline)
			}
		}
	}
}

func abs32(f float32) float32 { return max(f, -f) }

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

// Choosing a language far down the first-start list on a netbook keeps the
// list where it was: the chosen name stays under the pointer, in view.
func TestFirstStartListKeepsItsPlace(t *testing.T) {
	h := newFirstStartHarness(t)
	u := h.start("")
	h.win.Resize(netbook)
	h.settle()
	u.welcome.scroll.ScrollToBottom()
	before := u.welcome.scroll.Offset
	if before.Y <= 0 {
		t.Fatal("the list does not scroll at 1024×600")
	}
	u.welcome.language.SetSelected(u.welcome.langs.option("th"))
	h.settle()
	w := u.welcome
	row := w.language.rows[slices.Index(w.langs.codes, "th")]
	top := row.Position().Y - w.scroll.Offset.Y
	if top < 0 || top+row.Size().Height > w.scroll.Size().Height {
		t.Errorf("after choosing Thai its row is at %.0f in a list %.0f high (scrolled to %.0f, was at %.0f)",
			top, w.scroll.Size().Height, w.scroll.Offset.Y, before.Y)
	}
}

// The Settings language list is in the same findable order as the first
// start's (by the languages' own names), not by code.
func TestSettingsLanguagesInFindableOrder(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	want := []string{"az", "id", "ny", "sn", "en", "es", "fil", "fr", "sw", "hu", "pt", "sq", "vi",
		"mn", "ru", "ar", "hi", "bn", "th", "lo", "km", "ko", "zh-Hans"}
	got := languageChoices(u, false).codes
	if !slices.Equal(got, want) {
		t.Errorf("settings list %v, want %v", got, want)
	}
}
