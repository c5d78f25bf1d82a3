package ui

import (
	"context"
	"errors"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// resourceList is the generic list-and-form screen over resources.
type resourceList = listScreen[model.Resource, store.ResourceFilter, *resourceRow]

// resourcesScreen browses, searches, adds and edits resources and
// experiences, with the discussion under each. The list pages by offset:
// networks share hundreds of resources, not hundreds of thousands.
type resourcesScreen struct {
	*resourceList

	kind  *widget.Select
	kinds choices

	form *resourceForm
}

// newResourcesScreen returns the resources screen of u, not built yet.
func newResourcesScreen(u *UI) *resourcesScreen {
	s := &resourcesScreen{kinds: codeChoices(u.l, codes.ResourceKinds).withAll(u.l, u.l.T("filter.all"))}
	st := u.deps.Store
	s.resourceList = newListScreen(u, listSpec[model.Resource, store.ResourceFilter, *resourceRow]{
		newButton: "resources.new", searchHint: "resources.search", noneSelected: "resources.none_selected", countN: "resources.count",
		entity: model.EntityResource, split: 0.4,
		records: recordStore[model.Resource]{get: st.Resource, create: st.CreateResource, update: st.UpdateResource,
			meta: func(r *model.Resource) *model.Meta { return &r.Meta }, files: func(r *model.Resource) *[]protocol.FileRef { return &r.Files }},
		count: st.CountResources,
		fetch: func(ctx context.Context, f store.ResourceFilter, q pageQuery) ([]model.Resource, error) {
			f.Limit, f.Offset = q.limit, q.offset
			return st.Resources(ctx, f)
		},
		newRow: newResourceRow,
		fillRow: func(row *resourceRow, r model.Resource) {
			setText(u.l, row.title, r.Title)
			setText(u.l, row.kind, s.kinds.label(r.Kind))
		},
		loadingRow: func(row *resourceRow, text string) { setText(u.l, row.title, text); row.kind.SetText("") },
		filters: func() ([]fyne.CanvasObject, fyne.CanvasObject) {
			s.kind = &widget.Select{Options: s.kinds.options, PlaceHolder: u.l.T("field.kind"), OnChanged: s.onFilter}
			return nil, s.kind
		},
		readFilter: func(text string) store.ResourceFilter {
			return store.ResourceFilter{Text: text, Kind: s.kinds.code(s.kind.Selected)}
		},
		clearFilters: func() { s.kind.ClearSelected() },
	})
	s.form = newResourceForm(u, s)
	s.editor = s.form
	return s
}

// resourceRow is one entry of the resource list: the title, and its kind
// at the end of the line.
type resourceRow struct {
	widget.BaseWidget
	title, kind *widget.Label
	rtl         bool
}

// newResourceRow returns an empty row, laid out for a right-to-left
// language when rtl is set.
func newResourceRow(rtl bool) *resourceRow {
	r := &resourceRow{
		title: &widget.Label{Truncation: fyne.TextTruncateEllipsis},
		kind:  &widget.Label{Importance: widget.LowImportance},
		rtl:   rtl,
	}
	if rtl {
		r.title.Alignment = fyne.TextAlignTrailing
	}
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays the row out: the kind at the end, the title taking
// the rest.
func (r *resourceRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(borderOf(r.rtl, nil, nil, nil, r.kind, r.title))
}

// resourceForm adds or edits one resource.
type resourceForm struct {
	formFrame
	screen *resourcesScreen

	kinds, visibilities, countryList, themeChoices choices

	kind, visibility *widget.Select
	title, language  *entry
	link, body       *entry
	addCountry       *widget.Select
	countryLabel     *paraLabel
	countries        []string
	themes           []*widget.Check

	filling bool // true while the form is being filled, not typed into
}

// newResourceForm returns the form of s, not built yet.
func newResourceForm(u *UI, s *resourcesScreen) *resourceForm {
	l := u.l
	return &resourceForm{
		formFrame: formFrame{u: u, detail: &s.detail}, screen: s,
		kinds:        codeChoices(l, codes.ResourceKinds),
		visibilities: codeChoices(l, codes.Visibilities),
		countryList:  countryChoices(l),
		themeChoices: codeChoices(l, codes.Themes),
	}
}

// build makes the form's widgets once and returns its content.
func (f *resourceForm) build() fyne.CanvasObject {
	if f.obj != nil {
		return f.obj
	}
	l := f.u.l
	changed := f.begin(f.onSave, f.onChanged)
	f.title = newEntry("", changed)
	f.kind = &widget.Select{Options: f.kinds.options, PlaceHolder: l.T("form.choose"), OnChanged: changed}
	f.visibility = &widget.Select{Options: f.visibilities.options, OnChanged: changed}
	f.language = newEntry(l.T("form.language_hint"), changed)
	f.link = newEntry("https://", changed)
	f.body = newMultiLineEntry(8, changed)
	f.countryLabel = wrapped(l, "")
	f.addCountry = &widget.Select{Options: f.countryList.options, PlaceHolder: l.T("form.add_country"), OnChanged: func(option string) {
		if code := f.countryList.code(option); code != "" && !slices.Contains(f.countries, code) {
			f.countries = append(f.countries, code)
			f.showCountries()
			f.onChanged()
		}
	}}
	clearCountries := &widget.Button{Text: l.T("button.clear"), Importance: widget.LowImportance, OnTapped: func() {
		f.countries = nil
		f.addCountry.ClearSelected()
		f.showCountries()
		f.onChanged()
	}}
	var themeBox fyne.CanvasObject
	f.themes, themeBox = themeChecks(l, f.themeChoices, f.onChanged)
	f.field("field.title", f.title, "title")
	f.field("field.kind", f.kind, "kind")
	f.field("field.body", f.body, "body")
	f.field("field.language", f.language, "language")
	f.field("field.countries", container.NewVBox(borderOf(isRTL(l), nil, nil, nil, clearCountries, f.addCountry), f.countryLabel), "countries")
	f.field("field.themes", themeBox, "themes")
	f.field("field.link", f.link, "link")
	f.field("field.visibility", f.visibility, "visibility")
	f.targets = map[string]fyne.Focusable{
		"title": f.title, "kind": f.kind, "body": f.body, "language": f.language, "countries": f.addCountry,
		"themes": f.themes[0], "link": f.link, "visibility": f.visibility,
	}
	return f.finish(nil, f.save)
}

// firstField is Title, where a new resource's cursor starts.
func (f *resourceForm) firstField() fyne.Focusable { return f.title }

// opened does nothing: resources keep no drafts.
func (f *resourceForm) opened() {}

// showCountries lists the countries picked, by name.
func (f *resourceForm) showCountries() {
	names := make([]string, len(f.countries))
	for i, c := range f.countries {
		names[i] = countryName(f.u.l, c)
	}
	f.countryLabel.SetText(strings.Join(names, ", "))
}

// edit loads r into the form (a zero Resource starts a new one).
func (f *resourceForm) edit(r model.Resource) {
	f.build()
	l := f.u.l
	f.id = r.ID
	if r.ID == "" {
		setText(l, f.heading, l.T("form.new_resource"))
		r.Visibility = model.VisibilityNetwork
		r.Language = f.u.l.Tag().String()
	} else {
		setText(l, f.heading, l.T("form.edit_resource"))
	}
	f.filling = true
	defer func() { f.filling = false }()
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
	f.reset()
}

// onChanged runs on every edit: once a save was refused, the errors
// follow what is typed.
func (f *resourceForm) onChanged() {
	if !f.filling && f.checked {
		f.showErrors(f.validate())
	}
}

// record returns the resource as typed.
func (f *resourceForm) record() model.Resource {
	r := model.Resource{
		Meta:  model.Meta{ID: f.id, Visibility: f.visibilities.code(f.visibility.Selected)},
		Kind:  f.kinds.code(f.kind.Selected),
		Title: strings.TrimSpace(f.title.Text), Body: strings.TrimSpace(f.body.Text),
		Language: strings.TrimSpace(f.language.Text), Countries: f.countries, Link: strings.TrimSpace(f.link.Text),
	}
	for i, c := range f.themes {
		if c.Checked {
			r.Themes = append(r.Themes, f.themeChoices.codes[i])
		}
	}
	return r
}

// validate returns what is wrong with the resource as typed.
func (f *resourceForm) validate() []model.FieldError {
	r := f.record()
	var ve *model.ValidationError
	if errors.As(r.Validate(), &ve) {
		return ve.Fields
	}
	return nil
}

// onSave validates and stores the form; errors appear beside their fields
// and nothing is written.
func (f *resourceForm) onSave() {
	r := f.record()
	saved, ok := submit(&f.formFrame, f.validate(), func(ctx context.Context) (model.Resource, error) {
		return f.screen.spec.records.put(ctx, f.id, r)
	})
	if !ok {
		return
	}
	f.edit(saved)
	f.screen.showForm()
	f.screen.refresh()
	f.u.notice.show(f.u, f.u.l.T("notice.resource_saved", "Title", saved.Title), "", nil)
}
