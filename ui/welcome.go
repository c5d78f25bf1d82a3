package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
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
	w.langs = languageChoices(u, false)
	w.language = newRadioList(l, w.langs.options)
	if cur := currentLanguage(u, w.langs); cur != "" {
		w.language.SetSelected(w.langs.option(cur))
	}
	w.language.OnChanged = func(option string) {
		if code := w.langs.code(option); code != "" && code != u.l.Tag().String() {
			u.l = u.deps.Bundle.Localizer(code)
			u.setRootContent(w.buildLanguage())
		}
	}
	w.next = &widget.Button{Text: l.T("welcome.continue"), Importance: widget.HighImportance, OnTapped: w.onContinue}
	box := container.NewVBox(
		&widget.Label{Text: l.T("welcome.title"), TextStyle: fyne.TextStyle{Bold: true}, SizeName: "headingText", Alignment: fyne.TextAlignCenter},
		wrapped(l, l.T("welcome.intro")),
		heading(l.T("welcome.choose_language")),
		w.language.obj,
		rowOf(isRTL(w.u.l), layout.NewSpacer(), w.next),
	)
	mirrorLabels(l, box)
	return fixedWidth(box)
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
	box := container.NewVBox(
		&widget.Label{Text: l.T("welcome.hub_title"), TextStyle: fyne.TextStyle{Bold: true}, SizeName: "subHeadingText"},
		wrapped(l, l.T("welcome.hub_intro")),
		w.enroll.build(),
		widget.NewSeparator(),
		wrapped(l, l.T("welcome.offline_explain")),
		rowOf(isRTL(w.u.l), layout.NewSpacer(), w.offline),
	)
	mirrorLabels(l, box)
	return fixedWidth(box)
}

// fixedWidth centres box at a readable width, so its wrapping labels have a
// width to wrap to.
func fixedWidth(box *fyne.Container) fyne.CanvasObject {
	const width = 560
	box.Resize(fyne.NewSize(width, box.MinSize().Height))
	return container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSize(width, box.MinSize().Height)), box))
}

// onOffline leaves the first-start screen for the app itself.
func (w *welcomeScreen) onOffline() {
	w.u.welcome = nil
	w.u.build()
	w.u.offerDrafts()
}
