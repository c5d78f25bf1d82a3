package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/codes"
	"github.com/a20-network/fieldbook/store"
)

// resourceLimit caps how many resources the list shows at once; search
// narrows it. Networks share hundreds, not hundreds of thousands.
const resourceLimit = 1000

// resourcesScreen browses, searches, adds and edits resources and
// experiences, with the discussion under each.
type resourcesScreen struct {
	u *UI

	search *entry
	kind   *widget.Select
	count  *widget.Label
	list   *widget.List
	kinds  choices
	items  []store.Resource
	timer  *time.Timer
	gen    int

	detail   detailPane
	form     *resourceForm
	comments *commentsPanel
}

func newResourcesScreen(u *UI) *resourcesScreen {
	s := &resourcesScreen{u: u, kinds: codeChoices(u.l, codes.ResourceKinds).withAll(u.l, u.l.T("filter.all"))}
	s.form = newResourceForm(u, s)
	s.comments = newCommentsPanel(u, store.EntityResource)
	return s
}

func (s *resourcesScreen) build() fyne.CanvasObject {
	l := s.u.l
	s.search = newEntry(l.T("resources.search"), func(string) {
		if s.timer != nil {
			s.timer.Stop()
		}
		s.timer = time.AfterFunc(250*time.Millisecond, func() { s.u.run.post(s.refresh) })
	})
	s.kind = &widget.Select{Options: s.kinds.options, PlaceHolder: l.T("field.kind"), OnChanged: func(string) { s.refresh() }}
	s.count = &widget.Label{}
	newBtn := &widget.Button{Text: l.T("resources.new"), Icon: theme.ContentAddIcon(), Importance: widget.HighImportance, OnTapped: s.onNew}
	s.list = &widget.List{
		Length: func() int { return len(s.items) },
		CreateItem: func() fyne.CanvasObject {
			return borderOf(isRTL(s.u.l), nil, nil, nil, &widget.Label{Importance: widget.LowImportance}, &widget.Label{Truncation: fyne.TextTruncateEllipsis, Alignment: align(s.u.l)})
		},
		UpdateItem: func(id widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			r := s.items[id]
			setText(s.u.l, c.Objects[0].(*widget.Label), r.Title)
			setText(s.u.l, c.Objects[1].(*widget.Label), s.kinds.label(r.Kind))
		},
		OnSelected: func(id widget.ListItemID) { s.open(s.items[id]) },
	}
	s.list.ExtendBaseWidget(s.list)
	rtl := isRTL(l)
	top := container.NewVBox(borderOf(rtl, nil, nil, nil, newBtn, s.search), borderOf(rtl, nil, nil, nil, s.kind, s.count))
	s.detail = newDetailPane()
	s.showPlaceholder()
	split := splitOf(isRTL(s.u.l), container.NewBorder(top, nil, nil, nil, s.list), s.detail.box, 0.4)
	s.refresh()
	return split
}

func (s *resourcesScreen) showPlaceholder() {
	s.detail.showPlaceholder(s.u.l, s.u.l.T("resources.none_selected"))
}

func (s *resourcesScreen) showForm() {
	s.detail.showForm(s.u.l, s.form.build(), s.form.bar, s.form.id, s.comments)
}

// refresh runs the search again in the background.
func (s *resourcesScreen) refresh() {
	if s.list == nil {
		return
	}
	s.gen++
	gen := s.gen
	f := store.ResourceFilter{Text: s.search.Text, Kind: s.kinds.code(s.kind.Selected), Limit: resourceLimit}
	st := s.u.deps.Store
	s.u.run.async(func() func() {
		items, err := st.Resources(context.Background(), f)
		return func() {
			if gen != s.gen {
				return
			}
			if err != nil {
				s.u.showError(err)
				return
			}
			s.items = items
			setText(s.u.l, s.count, s.u.l.N("resources.count", len(items)))
			s.list.UnselectAll()
			s.list.Refresh()
		}
	})
}

func (s *resourcesScreen) open(r store.Resource) {
	s.form.edit(r)
	s.showForm()
}

func (s *resourcesScreen) onNew() {
	s.list.UnselectAll()
	s.form.edit(store.Resource{})
	s.showForm()
	s.u.win.Canvas().Focus(s.form.title)
}

// resourceForm adds or edits one resource.
type resourceForm struct {
	u      *UI
	screen *resourcesScreen
	obj    fyne.CanvasObject
	id     string

	kinds, visibilities, countryList, themeChoices choices

	heading          *widget.Label
	kind, visibility *widget.Select
	title, language  *entry
	link, body       *entry
	addCountry       *widget.Select
	countryLabel     *paraLabel
	countries        []string
	themes           []*widget.Check
	errs             map[string]*paraLabel
	save             *widget.Button
	bar              fyne.CanvasObject // Save, below the scrolled form
}

func newResourceForm(u *UI, s *resourcesScreen) *resourceForm {
	l := u.l
	return &resourceForm{
		u: u, screen: s,
		kinds:        codeChoices(l, codes.ResourceKinds),
		visibilities: codeChoices(l, codes.Visibilities),
		countryList:  countryChoices(l),
		themeChoices: codeChoices(l, codes.Themes),
	}
}

func (f *resourceForm) visible() bool {
	return f.obj != nil && f.screen.detail.showsForm()
}

func (f *resourceForm) build() fyne.CanvasObject {
	if f.obj != nil {
		return f.obj
	}
	l := f.u.l
	f.errs = map[string]*paraLabel{}
	f.heading = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText}
	f.kind = &widget.Select{Options: f.kinds.options, PlaceHolder: l.T("form.choose")}
	f.visibility = &widget.Select{Options: f.visibilities.options}
	f.title = newEntry("", nil)
	f.language = newEntry(l.T("form.language_hint"), nil)
	f.link = newEntry("https://", nil)
	f.body = newMultiLineEntry(8, nil)
	f.countryLabel = wrapped(l, "")
	f.addCountry = &widget.Select{Options: f.countryList.options, PlaceHolder: l.T("form.add_country"), OnChanged: func(option string) {
		if code := f.countryList.code(option); code != "" && !slices.Contains(f.countries, code) {
			f.countries = append(f.countries, code)
			f.showCountries()
		}
	}}
	clearCountries := &widget.Button{Text: l.T("button.clear"), Importance: widget.LowImportance, OnTapped: func() {
		f.countries = nil
		f.addCountry.ClearSelected()
		f.showCountries()
	}}
	var themeObjs []fyne.CanvasObject
	for _, label := range f.themeChoices.labels {
		c, obj := newCheck(l, label, nil)
		f.themes = append(f.themes, c)
		themeObjs = append(themeObjs, obj)
	}
	themeBox := gridOf(isRTL(l), 2, themeObjs...)
	f.save = &widget.Button{Text: l.T("button.save"), Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: f.onSave}
	grid := newForm(isRTL(l))
	field := func(labelID string, w fyne.CanvasObject, errField string) {
		e := newErrorText(l)
		f.errs[errField] = e
		grid.Add(&widget.Label{Text: l.T(labelID), Alignment: fyne.TextAlignTrailing})
		grid.Add(container.NewVBox(w, e))
	}
	field("field.title", f.title, "title")
	field("field.kind", f.kind, "kind")
	field("field.body", f.body, "body")
	field("field.language", f.language, "language")
	field("field.countries", container.NewVBox(borderOf(isRTL(l), nil, nil, nil, clearCountries, f.addCountry), f.countryLabel), "countries")
	field("field.themes", themeBox, "themes")
	field("field.link", f.link, "link")
	field("field.visibility", f.visibility, "visibility")
	formErr := newErrorText(l)
	f.errs["form"] = formErr
	f.obj = container.NewVBox(f.heading, grid, formErr)
	f.bar = rowOf(isRTL(l), f.save)
	mirrorLabels(l, f.obj)
	mirrorLabels(l, f.bar)
	return f.obj
}

func (f *resourceForm) showCountries() {
	names := make([]string, len(f.countries))
	for i, c := range f.countries {
		names[i] = countryName(f.u.l, c)
	}
	f.countryLabel.SetText(strings.Join(names, ", "))
}

func (f *resourceForm) edit(r store.Resource) {
	f.build()
	l := f.u.l
	f.id = r.ID
	if r.ID == "" {
		setText(l, f.heading, l.T("form.new_resource"))
		r.Visibility = store.VisibilityNetwork
		r.Language = f.u.l.Tag().String()
	} else {
		setText(l, f.heading, l.T("form.edit_resource"))
	}
	if r.Kind == "" {
		f.kind.ClearSelected()
	} else {
		f.kind.SetSelected(f.kinds.option(r.Kind))
	}
	f.visibility.SetSelected(f.visibilities.option(r.Visibility))
	f.title.SetText(r.Title)
	f.language.SetText(r.Language)
	f.link.SetText(r.Link)
	f.body.SetText(r.Body)
	f.countries = append([]string(nil), r.Countries...)
	f.addCountry.ClearSelected()
	f.showCountries()
	for i, c := range f.themes {
		c.SetChecked(slices.Contains(r.Themes, f.themeChoices.codes[i]))
	}
	for _, e := range f.errs {
		setError(e, "")
	}
}

func (f *resourceForm) onSave() {
	r := store.Resource{
		Meta:  store.Meta{ID: f.id, Visibility: f.visibilities.code(f.visibility.Selected)},
		Kind:  f.kinds.code(f.kind.Selected),
		Title: strings.TrimSpace(f.title.Text), Body: strings.TrimSpace(f.body.Text),
		Language: strings.TrimSpace(f.language.Text), Countries: f.countries, Link: strings.TrimSpace(f.link.Text),
	}
	for i, c := range f.themes {
		if c.Checked {
			r.Themes = append(r.Themes, f.themeChoices.codes[i])
		}
	}
	ctx := context.Background()
	var saved store.Resource
	var err error
	if f.id == "" {
		saved, err = f.u.deps.Store.CreateResource(ctx, r)
	} else {
		var old store.Resource
		if old, err = f.u.deps.Store.Resource(ctx, f.id); err == nil {
			vis := r.Visibility
			r.Meta = old.Meta
			r.Visibility = vis
			saved, err = f.u.deps.Store.UpdateResource(ctx, r)
		}
	}
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		for _, e := range f.errs {
			setError(e, "")
		}
		for _, fe := range ve.Fields {
			e, ok := f.errs[fe.Field]
			if !ok {
				e = f.errs["form"]
			}
			setError(e, validationText(f.u.l, fe))
		}
		return
	}
	if err != nil {
		f.u.showError(err)
		return
	}
	f.edit(saved)
	f.screen.showForm()
	f.screen.refresh()
	f.u.notice.show(f.u, f.u.l.T("notice.resource_saved", "Title", saved.Title), "", nil)
}
