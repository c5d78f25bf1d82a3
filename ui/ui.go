// Package ui is Fieldbook's desktop interface: the screens a field officer
// uses to log, find and follow up advocacy work, fully offline.
//
// The package is built against [fyne.App] and [fyne.Window] only; it never
// opens a database or a network connection itself. It reads and writes
// through the [Store] interface (satisfied by *store.Store) and syncs through
// [client.Syncer], both passed in [Deps]. Every string a person reads comes from the
// localizer; switching the language rebuilds the screens at once.
//
// Widgets are touched only on Fyne's goroutine: slow work (queries, sync)
// runs in a goroutine and hands its result back through fyne.Do.
package ui

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/locales/fontcover"
	"github.com/a20-network/fieldbook/locales/fynelang"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Store is what the screens need from the device database. *store.Store
// satisfies it; every method is safe for concurrent use.
type Store interface {
	Activities(ctx context.Context, f store.ActivityFilter) ([]model.Activity, error)
	CountActivities(ctx context.Context, f store.ActivityFilter) (int, error)
	Activity(ctx context.Context, id string) (model.Activity, error)
	CreateActivity(ctx context.Context, a model.Activity) (model.Activity, error)
	UpdateActivity(ctx context.Context, a model.Activity) (model.Activity, error)
	DeleteActivity(ctx context.Context, id string) error
	RestoreActivity(ctx context.Context, id string) error
	Resources(ctx context.Context, f store.ResourceFilter) ([]model.Resource, error)
	CountResources(ctx context.Context, f store.ResourceFilter) (int, error)
	Resource(ctx context.Context, id string) (model.Resource, error)
	CreateResource(ctx context.Context, r model.Resource) (model.Resource, error)
	UpdateResource(ctx context.Context, r model.Resource) (model.Resource, error)
	Comments(ctx context.Context, parentID string) ([]model.Comment, error)
	CreateComment(ctx context.Context, c model.Comment) (model.Comment, error)
	Organizations(ctx context.Context) ([]model.Organization, error)
	Organization(ctx context.Context, id string) (model.Organization, error)
	CountryUse(ctx context.Context) ([]store.CountryCount, error)
	OutboxStats(ctx context.Context) (store.OutboxStats, error)
	Rejections(ctx context.Context) ([]store.RejectedChange, error)
	Conflicts(ctx context.Context, openOnly bool) ([]store.Conflict, error)
	ResolveConflict(ctx context.Context, id string, keepLoser bool) error
	UndoResolveConflict(ctx context.Context, id string) error
	SaveDraft(ctx context.Context, key, body string) error
	Draft(ctx context.Context, key string) (store.Draft, error)
	Drafts(ctx context.Context) ([]store.Draft, error)
	DeleteDraft(ctx context.Context, key string) error
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
	Path() string
	DeviceID() string
	// Attached files (see store/files.go).
	AttachFile(ctx context.Context, src string, opts store.AttachOptions) (protocol.FileRef, error)
	FileRefs(ctx context.Context, entity, id string) ([]protocol.FileRef, error)
	AddFileRefs(ctx context.Context, entity, id string, refs ...protocol.FileRef) error
	RemoveFileRef(ctx context.Context, entity, id, hash string) error
	FileState(ctx context.Context, hash string) (store.FileState, error)
	FilePath(ctx context.Context, hash string) (string, error)
	WantFile(ctx context.Context, hash string, want bool) error
}

var _ Store = (*store.Store)(nil)

// Screen is a tab that another part of the app adds to the window, such as
// reports. Build is called on Fyne's goroutine, again after every language
// switch.
type Screen interface {
	// Title returns the tab's label in l's language.
	Title(l *locales.Localizer) string
	// Build returns the tab's content in l's language.
	Build(l *locales.Localizer, w fyne.Window) fyne.CanvasObject
}

// runnerUser is a [Screen] whose background work goes through the
// window's runner, like the built-in screens' (the reports tab).
type runnerUser interface{ useRunner(runner) }

// Deps is what [Create] needs. Store and Bundle are required.
type Deps struct {
	Store Store
	// Syncer is nil while the device has no sync engine; the Sync screen
	// then shows local counts and "not connected to a hub".
	Syncer client.Syncer
	// Bundle holds the loaded languages; LocaleDir is the folder a
	// translator drops message files into (shown in Settings).
	Bundle    *locales.Bundle
	LocaleDir string
	// Lang, if set, overrides the saved language (the --lang flag).
	Lang string
	// DataDir is shown in Settings.
	DataDir string
	// Version is shown in Settings.
	Version string
	// Extra are tabs added after the built-in ones, such as reports.
	Extra []Screen
	// Now reads the wall clock; nil means time.Now.
	Now func() time.Time
	// Covers tells whether an installed or bundled font draws a letter;
	// nil skips the check. It may be slow the first time (it scans the
	// system's fonts) and is called off the UI goroutine.
	Covers func(r rune) bool
	// ScriptFonts returns, for a language's texts, one installed font
	// (regular and bold) for a script whose marks must come from the same
	// font as their letters (Khmer, Lao, Thai, Bengali, Devanagari), or
	// nils when Fyne's own fonts serve; nil skips it. It is called off the
	// UI goroutine.
	ScriptFonts func(texts []string) (regular, bold fyne.Resource)
}

// Tab keys, stable across languages, for [UI.SelectTab].
const (
	TabActivities    = "activities"
	TabResources     = "resources"
	TabOrganizations = "organizations"
	TabSync          = "sync"
	TabConflicts     = "conflicts"
	TabSettings      = "settings"
	// TabReports is the reports tab, when [ReportsScreen] is in Deps.Extra.
	TabReports = "reports"
)

// settingLanguage is the store setting holding the chosen language tag.
const settingLanguage = "language"

// UI is the running interface of one window. Its methods must be called on
// Fyne's goroutine.
type UI struct {
	app  fyne.App
	win  fyne.Window
	deps Deps
	l    *locales.Localizer
	run  runner
	now  func() time.Time
	// fontDialog is the last "install a font" notice shown, if any, and
	// fontNotice its text.
	fontDialog *dialog.CustomDialog
	fontNotice string

	root *fyne.Container // holds the current content; replaced on rebuild
	tabs *container.AppTabs
	keys []string // tab keys in tab order
	// builders make each tab's content, in tab order.
	builders []func() fyne.CanvasObject

	notice *noticeBar

	activities *activitiesScreen
	resources  *resourcesScreen
	orgs       *organizationsScreen
	sync       *syncScreen
	conflicts  *conflictsScreen
	settings   *settingsScreen
	welcome    *welcomeScreen

	draftsOffer *draftsOffer // the start-up offer of unfinished forms, if shown

	// fetches are the downloads a person started from the files' rows,
	// by file hash ([UI.startFetch]).
	fetches map[string]*fetch
}

// Create builds the interface for win and returns its root object, already
// set as the window's content. See [New] for the details.
func Create(app fyne.App, win fyne.Window, deps Deps) fyne.CanvasObject {
	return New(app, win, deps).Root()
}

// New builds the interface for win, sets it as the window's content and
// registers the keyboard shortcuts. On first start (no language chosen yet)
// it shows the welcome screen; otherwise the tabs, and offers back any
// unfinished drafts.
func New(app fyne.App, win fyne.Window, deps Deps) *UI {
	return newUI(app, win, deps, fyneRunner{})
}

func newUI(app fyne.App, win fyne.Window, deps Deps, run runner) *UI {
	u := &UI{app: app, win: win, deps: deps, run: run, now: deps.Now}
	if u.now == nil {
		u.now = time.Now
	}
	u.root = container.NewStack()
	ctx := context.Background()
	lang, chosen, err := deps.Store.Setting(ctx, settingLanguage)
	if err != nil {
		slog.Error("readLanguageSetting", "err", err)
	}
	if deps.Lang != "" {
		lang = deps.Lang
	}
	tag := deps.Bundle.Pick(lang, locales.SystemLanguages())
	u.l = deps.Bundle.Localizer(tag.String())
	unavailable := u.languageUnavailable(deps.Lang)
	if deps.Lang != "" && unavailable == "" {
		// A language asked for on the command line is remembered.
		if err := deps.Store.SetSetting(ctx, settingLanguage, u.l.Tag().String()); err != nil {
			slog.Error("saveLanguageSetting", "err", err)
		}
	}
	u.applyFyneLanguage()
	u.registerShortcuts()
	win.SetContent(u.root)
	if !chosen && deps.Lang == "" {
		u.showWelcome()
	} else {
		u.build()
		u.offerDrafts()
		if unavailable != "" {
			u.notice.show(u, unavailable, "", nil)
		}
	}
	return u
}

// Root returns the object holding the interface.
func (u *UI) Root() fyne.CanvasObject { return u.root }

// Localizer returns the localizer of the current language.
func (u *UI) Localizer() *locales.Localizer { return u.l }

// build (re)creates every screen in the current language and shows the tabs.
func (u *UI) build() {
	l := u.l
	selected := ""
	if u.tabs != nil && u.tabs.SelectedIndex() >= 0 && u.tabs.SelectedIndex() < len(u.keys) {
		selected = u.keys[u.tabs.SelectedIndex()]
	}
	// A form being typed into survives the rebuild: its state is carried
	// over (and its draft written now, in case).
	var carry *activityDraft
	if u.activities != nil {
		f := u.activities.form
		f.flushDraft()
		if f.isShown() {
			st := f.state()
			carry = &st
		}
	}
	u.win.SetTitle(l.T("app.name"))
	u.notice = newNoticeBar()
	u.activities = newActivitiesScreen(u)
	u.resources = newResourcesScreen(u)
	u.orgs = newOrganizationsScreen(u)
	u.sync = newSyncScreen(u)
	u.conflicts = newConflictsScreen(u)
	u.settings = newSettingsScreen(u)
	// Only the tab in view is built now; the others on first selection, so
	// start-up pays for one screen.
	u.builders = []func() fyne.CanvasObject{u.activities.build, u.resources.build, u.orgs.build}
	titles := []string{l.T("tab.activities"), l.T("tab.resources"), l.T("tab.organizations")}
	u.keys = []string{TabActivities, TabResources, TabOrganizations}
	for i, s := range u.deps.Extra {
		if r, ok := s.(runnerUser); ok {
			r.useRunner(u.run)
		}
		u.builders = append(u.builders, func() fyne.CanvasObject { return s.Build(l, u.win) })
		titles = append(titles, s.Title(l))
		key := "extra" + string(rune('0'+i))
		if k, ok := s.(interface{ Key() string }); ok {
			key = k.Key()
		}
		u.keys = append(u.keys, key)
	}
	u.builders = append(u.builders, u.sync.build, u.conflicts.build, u.settings.build)
	titles = append(titles, l.T("tab.sync"), l.T("tab.conflicts"), l.T("tab.settings"))
	u.keys = append(u.keys, TabSync, TabConflicts, TabSettings)
	first := 0
	if isRTL(l) {
		// Tabs read from the right: the first one is rightmost.
		slices.Reverse(titles)
		slices.Reverse(u.keys)
		slices.Reverse(u.builders)
		first = len(titles) - 1
	}
	items := make([]*container.TabItem, len(titles))
	for i, t := range titles {
		items[i] = container.NewTabItem(shown(l, t), container.NewStack())
	}
	u.tabs = container.NewAppTabs(items...)
	u.tabs.OnSelected = func(*container.TabItem) { u.onTabSelected() }
	u.root.Objects = []fyne.CanvasObject{container.NewBorder(nil, u.notice.build(isRTL(l)), nil, nil, u.tabs)}
	u.win.SetOnDropped(u.onDropped)
	u.ensureBuilt(first)
	if first != 0 {
		u.tabs.SelectIndex(first)
	}
	u.root.Refresh()
	if selected != "" {
		u.SelectTab(selected)
	}
	if carry != nil {
		u.activities.reopen(*carry)
	}
}

// ensureBuilt builds tab i's content if it has not been built yet.
func (u *UI) ensureBuilt(i int) {
	stack := u.tabs.Items[i].Content.(*fyne.Container)
	if len(stack.Objects) == 0 {
		obj := u.builders[i]()
		mirrorLabels(u.l, obj)
		stack.Objects = []fyne.CanvasObject{obj}
		stack.Refresh()
	}
}

// onTabSelected refreshes the screen that just came into view, so counts
// and lists show what changed elsewhere.
func (u *UI) onTabSelected() {
	if i := u.tabs.SelectedIndex(); i >= 0 {
		if stack := u.tabs.Items[i].Content.(*fyne.Container); len(stack.Objects) == 0 {
			u.ensureBuilt(i)
			return // just built: already fresh
		}
	}
	switch u.SelectedTab() {
	case TabSync:
		u.sync.refresh()
	case TabConflicts:
		u.conflicts.refresh()
	case TabOrganizations:
		u.orgs.refresh()
	case TabResources:
		u.resources.refresh()
	}
}

// Tabs returns the keys of the tabs in order ("activities", …); extra tabs
// are named by their Key method if they have one ("reports"), else
// "extra0", "extra1", ….
func (u *UI) Tabs() []string { return append([]string(nil), u.keys...) }

// SelectedTab returns the key of the tab in view, or "" before the tabs
// exist (first start).
func (u *UI) SelectedTab() string {
	if u.tabs == nil {
		return ""
	}
	i := u.tabs.SelectedIndex()
	if i < 0 || i >= len(u.keys) {
		return ""
	}
	return u.keys[i]
}

// SelectTab brings the tab with key into view; an unknown key does nothing.
func (u *UI) SelectTab(key string) {
	for i, k := range u.keys {
		if k == key && u.tabs != nil {
			u.tabs.SelectIndex(i)
			return
		}
	}
}

// SetLanguage switches the interface to tag at once and saves the choice.
func (u *UI) SetLanguage(tag string) {
	if err := u.deps.Store.SetSetting(context.Background(), settingLanguage, tag); err != nil {
		u.showError(err)
	}
	u.deps.Lang = ""
	u.l = u.deps.Bundle.Localizer(tag)
	u.applyFyneLanguage()
	if u.tabs != nil {
		u.build()
	}
}

// registerShortcuts adds the window's shortcuts ([appShortcuts]; entries
// pass them on, see [entry]). None acts while a dialog or a pop-up is over
// the window: the person is looking at that, not at the form behind it.
func (u *UI) registerShortcuts() {
	c := u.win.Canvas()
	actions := map[fyne.KeyName]func(){fyne.KeyN: u.onNewActivity, fyne.KeyF: u.onFocusSearch, fyne.KeyS: u.onSave}
	for _, key := range appShortcuts {
		act := actions[key]
		c.AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
			if !u.covered() {
				act()
			}
		})
	}
}

// covered reports whether a dialog or pop-up is over the window.
func (u *UI) covered() bool {
	return u.win.Canvas().Overlays().Top() != nil
}

func (u *UI) onNewActivity() {
	if u.activities == nil {
		return
	}
	u.SelectTab(TabActivities)
	u.activities.onNew()
}

func (u *UI) onFocusSearch() {
	switch u.SelectedTab() {
	case TabResources:
		u.win.Canvas().Focus(u.resources.search)
	case TabActivities:
		u.win.Canvas().Focus(u.activities.search)
	}
}

func (u *UI) onSave() {
	switch u.SelectedTab() {
	case TabActivities:
		if u.activities.form.visible() {
			u.activities.form.onSave()
		}
	case TabResources:
		if u.resources.form.visible() {
			u.resources.form.onSave()
		}
	}
}

// showError shows err in a dialog and logs it. Validation errors are shown
// next to their fields by the forms instead and never reach here.
func (u *UI) showError(err error) {
	slog.Error("uiError", "err", err)
	msg := u.l.T("error.generic", "Detail", err.Error())
	if errors.Is(err, store.ErrNotFound) {
		msg = u.l.T("error.not_found")
	}
	body := widget.NewLabel(msg)
	mirrorLabels(u.l, body)
	d := dialog.NewCustom(shown(u.l, u.l.T("error.title")), shown(u.l, u.l.T("button.close")), body, u.win)
	d.Show()
}

// confirm asks a yes/no question with localized buttons.
func (u *UI) confirm(title, message, yes string, onYes func()) {
	lbl := widget.NewLabel(message)
	mirrorLabels(u.l, lbl)
	d := dialog.NewCustomConfirm(shown(u.l, title), shown(u.l, yes), shown(u.l, u.l.T("button.cancel")), lbl, func(ok bool) {
		if ok {
			onYes()
		}
	}, u.win)
	d.Resize(fyne.NewSize(420, 200))
	d.Show()
}

// formatTime shows a moment in the local time zone, or "never" for zero.
func (u *UI) formatTime(t time.Time) string {
	if t.IsZero() {
		return u.l.T("time.never")
	}
	t = t.Local()
	return locales.FormatDate(u.l.Tag(), t) + " " + locales.FormatClock(u.l.Tag(), t)
}

// ActivityCount returns how many activities the list holds under the
// current filter (0 until the first count arrives).
func (u *UI) ActivityCount() int {
	if u.activities == nil {
		return 0
	}
	return u.activities.total
}

// ScrollActivities scrolls the activity list to row i and reports whether
// that row's page is loaded. It lets tooling walk the whole list.
func (u *UI) ScrollActivities(i int) bool {
	if u.activities == nil || u.activities.list == nil || i < 0 || i >= u.activities.total {
		return false
	}
	u.activities.list.ScrollTo(i)
	_, ok := u.activities.at(i)
	return ok
}

// SelectFirst selects the first row of the list on the current tab, so a
// picture of the screen shows a record; it does nothing on other tabs.
func (u *UI) SelectFirst() {
	switch u.SelectedTab() {
	case TabActivities:
		if u.activities.total > 0 {
			u.activities.list.Select(0)
		}
	case TabResources:
		if u.resources.total > 0 {
			u.resources.list.Select(0)
		}
	case TabOrganizations:
		if len(u.orgs.shown) > 0 {
			u.orgs.list.Select(0)
		}
	}
}

// RevealFiles scrolls the record form on screen to its Files section, so
// a picture of the screen shows a record's files; it does nothing without
// a form that has one.
func (u *UI) RevealFiles() {
	for _, fr := range u.shownForms() {
		if fr.files.entity != "" {
			fr.detail.reveal(fr.files.box)
		}
	}
}

// applyFyneLanguage makes Fyne's own texts (dialog buttons, menus) follow
// the interface's language.
func (u *UI) applyFyneLanguage() {
	if err := fynelang.Apply(u.l.Tag()); err != nil {
		slog.Warn("fyneLanguage", "err", err)
	}
	if u.deps.Bundle == nil {
		return
	}
	texts := messageTexts(u.deps.Bundle, u.l.Tag())
	u.checkFonts(texts)
	u.applyScriptFont(texts)
}

// checkFonts looks, off the UI goroutine, for letters of the current
// language that no font on this computer can draw, and if there are any
// tells the user which font to install: the app never shows empty boxes
// without saying why.
func (u *UI) checkFonts(texts []string) {
	covers, tag := u.deps.Covers, u.l.Tag()
	if covers == nil {
		return
	}
	u.run.async(func() func() {
		missing := fontcover.Missing(covers, texts...)
		if len(missing) == 0 {
			return nil
		}
		font := fontcover.Suggest(missing[0])
		if font == "" {
			font = "Noto Sans"
		}
		letters := missing[:min(len(missing), 12)]
		slog.Warn("fontMissing", "lang", tag.String(), "runes", string(letters), "suggest", font)
		return func() {
			if u.l.Tag() != tag {
				return // the language changed meanwhile
			}
			msg := u.l.T("fonts.missing", "Language", locales.OwnName(tag), "Letters", string(letters), "Font", font)
			body := wrapped(u.l, msg)
			u.fontNotice = msg
			u.fontDialog = dialog.NewCustom(shown(u.l, u.l.T("fonts.missing_title")), shown(u.l, u.l.T("button.close")), body, u.win)
			u.fontDialog.Resize(fyne.NewSize(520, 220))
			u.fontDialog.Show()
		}
	})
}

// ShowLanguageErrors tells the user about message files that could not be
// loaded (file, line and reason); the app goes on with what did load.
// It does nothing when errs is empty.
func (u *UI) ShowLanguageErrors(errs []error) {
	if len(errs) == 0 {
		return
	}
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		slog.Warn("localeFileSkipped", "err", e)
		lines = append(lines, describeLocaleError(u.l, e))
	}
	body := wrapped(u.l, strings.Join(lines, "\n"))
	d := dialog.NewCustom(shown(u.l, u.l.T("locales.errors_title")), shown(u.l, u.l.T("button.close")),
		container.NewVScroll(body), u.win)
	d.Resize(fyne.NewSize(640, 360))
	d.Show()
}

// describeLocaleError says which file and line is broken and why, in the
// interface's language.
func describeLocaleError(l *locales.Localizer, err error) string {
	var fe *locales.FileError
	if errors.As(err, &fe) {
		if fe.Line > 0 {
			return l.T("locales.error_line", "File", fe.File, "Line", formatNumber(l, fe.Line), "Reason", fe.Err.Error())
		}
		return l.T("locales.error_file", "File", fe.File, "Reason", fe.Err.Error())
	}
	return err.Error()
}

// formatNumber writes n the way l's language does.
func formatNumber(l *locales.Localizer, n int) string { return locales.FormatNumber(l.Tag(), n) }

// RefreshSync reads the sync state again into the Sync screen, if it is in
// view, and where the files of the form in view are: background syncs
// change them without the screen asking.
func (u *UI) RefreshSync() {
	if u.sync != nil && u.SelectedTab() == TabSync {
		u.sync.refresh()
	}
	u.reloadFiles()
}

// shownForms returns the record forms on screen.
func (u *UI) shownForms() []*formFrame {
	var out []*formFrame
	if u.activities != nil && u.activities.form.visible() && u.SelectedTab() == TabActivities {
		out = append(out, u.activities.form.frame())
	}
	if u.resources != nil && u.resources.form.visible() && u.SelectedTab() == TabResources {
		out = append(out, u.resources.form.frame())
	}
	return out
}
