package ui

import (
	"context"
	"golang.org/x/text/collate"
	"log/slog"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/client"
)

// enrollTimeout bounds one enrollment attempt.
const enrollTimeout = 60 * time.Second

// languageChoices lists the loaded languages, each named in itself and
// ordered by those names in Unicode's default collation (CLDR root: Latin
// names alphabetically, accents aside, then each other script together),
// as the first start lists them; then (with pseudo) the pseudo-locales
// translators and developers test with.
func languageChoices(u *UI, pseudo bool) choices {
	tags := u.deps.Bundle.Languages()
	coll := collate.New(language.Und)
	sort.SliceStable(tags, func(i, j int) bool {
		return coll.CompareString(locales.OwnName(tags[i]), locales.OwnName(tags[j])) < 0
	})
	if pseudo {
		tags = append(tags, locales.PseudoLocales()...)
	}
	var cs, names []string
	for _, t := range tags {
		cs = append(cs, t.String())
		names = append(names, locales.OwnName(t))
	}
	return newChoices(u.l, cs, names)
}

// currentLanguage returns the code in c closest to the UI's language.
func currentLanguage(u *UI, c choices) string {
	cur := u.l.Tag().String()
	for _, code := range c.codes {
		if code == cur {
			return code
		}
	}
	base, _ := u.l.Tag().Base()
	for _, code := range c.codes {
		if t, err := language.Parse(code); err == nil {
			if b, _ := t.Base(); b == base {
				return code
			}
		}
	}
	return ""
}

// enrollForm is the hub address and one-time code, shared by Settings and
// the first-start screen.
type enrollForm struct {
	u      *UI
	hubURL *widget.Entry
	code   *widget.Entry
	button *widget.Button
	status *paraLabel
	// plain warns that an http:// address to a server on the internet is
	// not encrypted; hidden otherwise.
	plain *paraLabel
	// details holds the program's words of the last failure, folded.
	details *problemDetails
	// onEnrolled runs after a successful enrollment.
	onEnrolled func()
}

func newEnrollForm(u *UI) *enrollForm {
	l := u.l
	e := &enrollForm{u: u}
	e.hubURL = &widget.Entry{PlaceHolder: l.T("enroll.hub_hint"), OnChanged: e.onHubChanged}
	e.plain = newParaLabel(l, l.T("hubproblem.plain_http"))
	e.plain.Importance = widget.WarningImportance
	e.plain.Hide()
	e.details = newProblemDetails(l)
	e.code = &widget.Entry{PlaceHolder: l.T("enroll.code_hint")}
	e.button = &widget.Button{Text: l.T("enroll.button"), Importance: widget.HighImportance, OnTapped: e.onEnroll}
	e.status = newParaLabel(l, "")
	if u.deps.Syncer == nil {
		e.button.Disable()
		e.status.SetText(l.T("enroll.unavailable"))
	}
	return e
}

func (e *enrollForm) build() fyne.CanvasObject {
	l := e.u.l
	return container.NewVBox(
		newForm(isRTL(l),
			widget.NewLabel(l.T("enroll.hub")), e.hubURL,
			widget.NewLabel(l.T("enroll.code")), e.code),
		e.plain,
		rowOf(isRTL(l), e.button),
		e.status,
		e.details.box,
	)
}

// onHubChanged warns, as the address is typed, when it would not be
// encrypted on its way over the internet.
func (e *enrollForm) onHubChanged(text string) {
	if hub, err := client.NormalizeHubURL(text); err == nil && client.PlainOverInternet(hub) {
		e.plain.Show()
	} else {
		e.plain.Hide()
	}
}

func (e *enrollForm) onEnroll() {
	syncer := e.u.deps.Syncer
	if syncer == nil {
		return
	}
	l := e.u.l
	hub, code := strings.TrimSpace(e.hubURL.Text), strings.TrimSpace(e.code.Text)
	if hub == "" || code == "" {
		e.status.SetText(l.T("enroll.need_both"))
		return
	}
	hub, err := client.NormalizeHubURL(hub)
	if err != nil {
		e.status.SetText(l.T("hubproblem.enroll_failed", "Problem", hubProblemText(l, err, hub, actionEnroll)))
		e.details.show("enrollRefusedAddress", err)
		return
	}
	if hub != e.hubURL.Text {
		e.hubURL.SetText(hub) // the completed address, so the person sees what is used
	}
	e.details.show("", nil)
	e.button.Disable()
	e.status.SetText(l.T("enroll.working"))
	e.u.run.async(func() func() {
		ctx, cancel := context.WithTimeout(context.Background(), enrollTimeout)
		defer cancel()
		err := syncer.Enroll(ctx, hub, code)
		return func() {
			e.button.Enable()
			if err != nil {
				e.status.SetText(l.T("hubproblem.enroll_failed", "Problem", hubProblemText(l, err, hub, actionEnroll)))
				e.details.show("enrollFailed", err, "hub", hub)
				return
			}
			e.status.SetText(l.T("enroll.done", "Hub", hub))
			e.code.SetText("")
			if e.onEnrolled != nil {
				e.onEnrolled()
			}
		}
	})
}

// settingsScreen holds the language, the hub enrollment, where data and
// translations live, and what version this is.
type settingsScreen struct {
	u        *UI
	language *widget.Select
	langs    choices
	enroll   *enrollForm
	reload   *widget.Button
	// reloadStatus says what the last "Reload languages" found.
	reloadStatus *paraLabel
}

func newSettingsScreen(u *UI) *settingsScreen { return &settingsScreen{u: u} }

func (s *settingsScreen) build() fyne.CanvasObject {
	l := s.u.l
	s.langs = languageChoices(s.u, true)
	s.language = &widget.Select{Options: s.langs.options}
	if cur := currentLanguage(s.u, s.langs); cur != "" {
		s.language.Selected = s.langs.option(cur)
	}
	s.language.OnChanged = s.onLanguage
	s.enroll = newEnrollForm(s.u)
	s.enroll.onEnrolled = func() { s.u.sync.refresh() }
	ro := func(text string) *widget.Label {
		return &widget.Label{Text: text, Wrapping: fyne.TextWrapBreak, Selectable: true}
	}
	s.reload = &widget.Button{Text: l.T("settings.reload_languages"), Icon: theme.ViewRefreshIcon(), OnTapped: s.u.ReloadLanguages}
	s.reloadStatus = newParaLabel(l, "")
	localeDir := s.u.deps.LocaleDir
	if localeDir == "" {
		localeDir = l.T("settings.none")
	}
	about := newForm(isRTL(l),
		widget.NewLabel(l.T("settings.data_folder")), ro(s.u.deps.DataDir),
		widget.NewLabel(l.T("settings.database")), ro(s.u.deps.Store.Path()),
		widget.NewLabel(l.T("settings.locale_folder")), ro(localeDir),
		widget.NewLabel(l.T("settings.device")), ro(s.u.deps.Store.DeviceID()),
		widget.NewLabel(l.T("settings.version")), ro(s.u.deps.Version),
	)
	return container.NewVScroll(container.NewVBox(
		heading(l.T("settings.language")),
		borderOf(isRTL(l), nil, nil, widget.NewIcon(theme.Icon(theme.IconNameSettings)), nil, s.language),
		widget.NewSeparator(),
		heading(l.T("settings.hub")),
		wrapped(l, l.T("settings.hub_explain")),
		s.enroll.build(),
		widget.NewSeparator(),
		heading(l.T("settings.about")),
		wrapped(l, l.T("settings.about_text")),
		about,
		wrapped(l, l.T("settings.locale_reload_explain")),
		rowOf(isRTL(l), s.reload),
		s.reloadStatus,
	))
}

func (s *settingsScreen) onLanguage(option string) {
	if code := s.langs.code(option); code != "" && code != s.u.l.Tag().String() {
		s.u.SetLanguage(code)
	}
}

// ReloadLanguages reads the message files again (the built-in ones and the
// locale folder's), switches the screens to the new texts at once, and
// reports any broken file with its name, line and reason. The language
// shown afterwards is the one the person chose, not the one on screen: a
// broken file shows English meanwhile, and the fixed file brings the
// chosen language back at the next Reload.
func (u *UI) ReloadLanguages() {
	want := u.chosenLanguage()
	nb, errs := u.deps.Bundle.Reload()
	u.deps.Bundle = nb
	u.l = nb.Localizer(want)
	u.applyFyneLanguage()
	if u.tabs != nil {
		u.build()
		u.SelectTab(TabSettings)
	}
	l := u.l
	if u.settings != nil && u.settings.reloadStatus != nil {
		lines := []string{l.T("settings.reloaded", "Count", formatNumber(l, len(nb.Languages())))}
		if msg := u.languageUnavailable(want); msg != "" {
			lines = append(lines, msg)
		}
		for _, e := range errs {
			lines = append(lines, describeLocaleError(l, e))
		}
		u.settings.reloadStatus.SetText(strings.Join(lines, "\n"))
	}
	u.ShowLanguageErrors(errs)
}

// chosenLanguage returns the language the person asked for: --lang, else
// the saved choice, else the one shown.
func (u *UI) chosenLanguage() string {
	if u.deps.Lang != "" {
		return u.deps.Lang
	}
	saved, ok, err := u.deps.Store.Setting(context.Background(), settingLanguage)
	if err != nil {
		slog.Error("readLanguageSetting", "err", err)
	}
	if ok && saved != "" {
		return saved
	}
	return u.l.Tag().String()
}

// languageUnavailable says, in the language shown, that want has no usable
// message file and which language is shown instead, and logs it; "" when
// the bundle serves want.
func (u *UI) languageUnavailable(want string) string {
	if want == "" || u.deps.Bundle.Serves(want) {
		return ""
	}
	name, tag := want, locales.Named(want)
	if tag != language.Und {
		name, want = locales.OwnName(tag), tag.String()
	}
	slog.Warn("languageUnavailable", "lang", want, "shown", u.l.Tag().String())
	return u.l.T("settings.language_unavailable", "Language", name, "Tag", want, "Shown", locales.OwnName(u.l.Tag()))
}
