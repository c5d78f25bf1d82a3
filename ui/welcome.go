package ui

import (
	"cmp"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/locales"
)

// welcomeScreen is the first start: choose a language, then enroll with a
// hub or work offline for now.
type welcomeScreen struct {
	u        *UI
	langs    choices
	language *radioList
	next     *widget.Button
	offline  *widget.Button
	enroll   *enrollForm
	scroll   *container.Scroll // the step's scrolling part
}

// showWelcome replaces the window content with the first-start steps.
func (u *UI) showWelcome() {
	u.welcome = &welcomeScreen{u: u}
	u.setRootContent(u.welcome.buildLanguage())
}

func (u *UI) setRootContent(o fyne.CanvasObject) {
	u.root.Objects = []fyne.CanvasObject{o}
	u.root.Refresh()
}

func (w *welcomeScreen) buildLanguage() fyne.CanvasObject {
	u := w.u
	l := u.l
	u.win.SetTitle(l.T("app.name"))
	w.langs = welcomeLanguages(u)
	w.language = newRadioList(l, w.langs.options)
	if cur := currentLanguage(u, w.langs); cur != "" {
		w.language.SetSelected(w.langs.option(cur))
	}
	w.language.OnChanged = func(option string) {
		if code := w.langs.code(option); code != "" && code != u.l.Tag().String() {
			u.l = u.deps.Bundle.Localizer(code)
			// The list stays where it was: the chosen name under the pointer.
			offset := w.scroll.Offset
			u.setRootContent(w.buildLanguage())
			w.scroll.ScrollToOffset(offset)
		}
	}
	w.next = &widget.Button{Text: l.T("welcome.continue"), Importance: widget.HighImportance, OnTapped: w.onContinue}
	top := container.NewVBox(
		&widget.Label{Text: l.T("welcome.title"), TextStyle: fyne.TextStyle{Bold: true}, SizeName: "headingText", Alignment: fyne.TextAlignCenter},
		wrapped(l, l.T("welcome.intro")),
		heading(l.T("welcome.choose_language")),
	)
	return w.page(top, w.language.obj, rowOf(isRTL(w.u.l), layout.NewSpacer(), w.next))
}

// welcomeLanguages is the first-start list of languages, each in its own
// name, ordered so people find theirs: the computer's language first (it
// is chosen already), then the others by their own names in Unicode's
// default collation (CLDR root), which puts names in Latin letters in
// alphabetical order, accents aside, then Cyrillic, Arabic, Devanagari,
// Bengali, Thai, Lao, Khmer, Hangul and Han names, each script together.
// The order does not follow the language being tried out, so an option
// never moves under the pointer.
func welcomeLanguages(u *UI) choices {
	all := languageChoices(u, false)
	system := u.deps.Bundle.Pick("", locales.SystemLanguages()).String()
	order := make([]int, len(all.codes))
	for i := range order {
		order[i] = i
	}
	coll := collate.New(language.Und)
	slices.SortStableFunc(order, func(a, b int) int {
		if first := cmp.Compare(boolRank(all.codes[a] != system), boolRank(all.codes[b] != system)); first != 0 {
			return first
		}
		return coll.CompareString(all.labels[a], all.labels[b])
	})
	var c choices
	for _, i := range order {
		c.codes = append(c.codes, all.codes[i])
		c.labels = append(c.labels, all.labels[i])
		c.options = append(c.options, all.options[i])
	}
	return c
}

// boolRank is 0 for false and 1 for true, for sorting.
func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (w *welcomeScreen) onContinue() {
	u := w.u
	u.SetLanguage(u.l.Tag().String())
	u.setRootContent(w.buildEnroll())
}

func (w *welcomeScreen) buildEnroll() fyne.CanvasObject {
	u := w.u
	l := u.l
	w.enroll = newEnrollForm(u)
	w.enroll.onEnrolled = w.onOffline
	w.offline = &widget.Button{Text: l.T("welcome.offline"), OnTapped: w.onOffline}
	top := container.NewVBox(
		&widget.Label{Text: l.T("welcome.hub_title"), TextStyle: fyne.TextStyle{Bold: true}, SizeName: "subHeadingText"},
		wrapped(l, l.T("welcome.hub_intro")),
		w.enroll.build(),
		widget.NewSeparator(),
		wrapped(l, l.T("welcome.offline_explain")),
	)
	return w.page(nil, top, rowOf(isRTL(w.u.l), layout.NewSpacer(), w.offline))
}

// welcomeWidth is the width of the first-start column: readable lines,
// and narrower than the smallest screen the app is made for (1024 wide).
const welcomeWidth = 560

// page lays out a first-start step in a centred column of
// [welcomeWidth]: top (may be nil) above, the button row always at the
// bottom, and body between them scrolling (w.scroll) when the window is
// too low for it (a 1024×600 netbook), so the step's button is never
// off-screen.
func (w *welcomeScreen) page(top, body fyne.CanvasObject, buttons *fyne.Container) fyne.CanvasObject {
	// A gap on the scroll bar's side keeps it off the circles and fields.
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(theme.ScrollBarSize(), 0))
	w.scroll = container.NewVScroll(container.NewBorder(nil, nil, nil, gap, body))
	page := container.NewBorder(top, buttons, nil, nil, w.scroll)
	mirrorLabels(w.u.l, page)
	// Wrapping labels need a width to wrap to before the first layout.
	page.Resize(fyne.NewSize(welcomeWidth, page.MinSize().Height))
	return container.New(columnLayout{width: welcomeWidth}, page)
}

// columnLayout gives its objects the whole height and at most width,
// centred.
type columnLayout struct{ width float32 }

// Layout centres the objects at the column's width, or the whole width
// when that is less.
func (c columnLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(c.width, size.Width)
	for _, o := range objs {
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

// MinSize is the objects' own minimum: the column's width is a wish, not a
// minimum.
func (c columnLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// ShowFirstStart shows the first-start screen again, in the current
// language, over the app (for screenshots); [UI.LeaveFirstStart] goes back.
func (u *UI) ShowFirstStart() { u.showWelcome() }

// LeaveFirstStart goes from the first-start screen back to the app,
// without choosing anything; nothing happens when it is not shown.
func (u *UI) LeaveFirstStart() {
	if u.welcome != nil {
		u.welcome = nil
		u.build()
	}
}

// onOffline leaves the first-start screen for the app itself.
func (w *welcomeScreen) onOffline() {
	w.u.welcome = nil
	w.u.build()
	w.u.offerDrafts()
}
