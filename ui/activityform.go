package ui

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// draftDelay is how long typing may pause before the form is saved as a
// draft. Saving is throttled, not debounced: steady typing still saves every
// draftDelay, so a crash loses at most that much.
const draftDelay = 500 * time.Millisecond

// reasonNotNumber is the validation reason for a number the form could not
// read; the store's reasons cover everything else.
const reasonNotNumber = "not_number"

// activityDraft is the form's state as typed, saved as JSON in drafts.
type activityDraft struct {
	ID           string       `json:"id,omitempty"`
	Kind         string       `json:"kind"`
	Status       string       `json:"status"`
	Visibility   string       `json:"visibility"`
	Title        string       `json:"title"`
	StartDate    string       `json:"start_date"`
	EndDate      string       `json:"end_date"`
	Country      string       `json:"country"`
	Place        string       `json:"place"`
	Lat          string       `json:"lat"`
	Lon          string       `json:"lon"`
	Themes       []string     `json:"themes"`
	Reach        [3][3]string `json:"reach"`
	Adults       string       `json:"adults"`
	Partners     string       `json:"partners"`
	Summary      string       `json:"summary"`
	FollowUp     string       `json:"follow_up"`
	FollowUpDate string       `json:"follow_up_date"`
	// Started is when a new form was opened (RFC 3339), to name an
	// untitled draft.
	Started string `json:"started,omitempty"`
}

func draftKey(id string) string {
	if id == "" {
		return "activity:new"
	}
	return "activity:" + id
}

// activityForm creates, edits, duplicates and deletes one activity.
type activityForm struct {
	formFrame
	screen *activitiesScreen

	base    string // the state as loaded, to tell whether anything changed
	started string // when a new form was opened (RFC 3339)

	kinds, statuses, visibilities, countries, themeChoices choices

	kind, status, visibility         *widget.Select
	country                          *countryPicker
	title, place, lat, lon, partners *entry
	summary, followUp                *entry
	start, end, followUpDate         *dateField
	themes                           []*widget.Check
	reach                            [3][3]*entry
	adults                           *entry
	reachGrid                        *fyne.Container // the reach matrix, in reading order
	rowSums                          [3]*widget.Label
	colSums                          [3]*widget.Label
	total                            *widget.Label
	duplicate, del                   *widget.Button

	filling bool // true while the form is being filled, not typed into

	mu          sync.Mutex // guards pendingKey, pendingBody, timerSet
	pendingKey  string
	pendingBody string
	timerSet    bool
	writeMu     sync.Mutex // orders draft writes and deletes
}

func newActivityForm(u *UI, s *activitiesScreen) *activityForm {
	l := u.l
	return &activityForm{
		formFrame: formFrame{u: u, detail: &s.detail}, screen: s,
		kinds:        codeChoices(l, codes.ActivityKinds),
		statuses:     codeChoices(l, codes.Statuses),
		visibilities: codeChoices(l, codes.Visibilities),
		countries:    countryChoices(l),
		themeChoices: codeChoices(l, codes.Themes),
	}
}

// isShown reports whether the form (built or not) is on screen.
func (f *activityForm) isShown() bool { return f.screen.detail.showsForm() }

func (f *activityForm) build() fyne.CanvasObject {
	if f.obj != nil {
		return f.obj
	}
	l := f.u.l
	changed := f.begin(f.onSave, f.onChanged)
	f.kind = &widget.Select{Options: f.kinds.options, PlaceHolder: l.T("form.choose"), OnChanged: changed}
	f.status = &widget.Select{Options: f.statuses.options, OnChanged: changed}
	f.visibility = &widget.Select{Options: f.visibilities.options, OnChanged: changed}
	f.country = newCountryPicker(f.u, l.T("form.choose"), "", changed)
	f.title = newEntry("", changed)
	f.place = newEntry(l.T("form.place_hint"), changed)
	f.lat = newEntry(l.T("field.lat"), changed)
	f.lon = newEntry(l.T("field.lon"), changed)
	f.partners = newEntry("", changed)
	f.summary = newMultiLineEntry(5, changed)
	f.followUp = newMultiLineEntry(3, changed)
	datePH := l.T("form.date_hint")
	f.start = newDateField(f.u.win, f.u.now, l, datePH)
	f.end = newDateField(f.u.win, f.u.now, l, datePH)
	f.followUpDate = newDateField(f.u.win, f.u.now, l, datePH)
	for _, d := range []*dateField{f.start, f.end, f.followUpDate} {
		d.onChanged = changed
	}
	var themeBox fyne.CanvasObject
	f.themes, themeBox = themeChecks(l, f.themeChoices, f.onChanged)

	warning := wrapped(l, l.T("form.no_identifying"))
	warning.Importance = widget.WarningImportance
	f.duplicate = &widget.Button{Text: l.T("button.duplicate"), Icon: theme.ContentCopyIcon(), OnTapped: f.onDuplicate}
	f.del = &widget.Button{Text: l.T("button.delete"), Icon: theme.DeleteIcon(), Importance: widget.DangerImportance, OnTapped: f.onDelete}

	f.field("field.title", f.title, "title")
	f.field("field.kind", f.kind, "kind")
	f.field("field.start_date", f.start.build(), "start_date")
	f.field("field.end_date", f.end.build(), "end_date")
	f.field("field.country", f.country, "country")
	f.field("field.place", f.place, "place")
	f.field("field.location", container.NewVBox(gridOf(isRTL(l), 2, f.lat, f.lon), f.errLine("lat"), f.errLine("lon"), f.errLine("location")), "")
	for _, name := range []string{"lat", "lon", "location"} {
		f.names[name] = l.T("field.location")
	}
	f.field("field.themes", themeBox, "themes")
	f.field("field.reach", f.buildReach(), "reach")
	for _, cell := range (model.Reach{}).Cells() {
		f.shownAs[cell.Field] = "reach"
	}
	f.shownAs["adults"] = "reach"
	f.field("field.partners", f.partners, "partners")
	f.field("field.summary", f.summary, "summary")
	f.field("field.follow_up", f.followUp, "follow_up")
	f.field("field.follow_up_date", f.followUpDate.build(), "follow_up_date")
	f.field("field.status", f.status, "status")
	f.field("field.visibility", f.visibility, "visibility")

	f.targets = f.focusTargets()
	return f.finish([]fyne.CanvasObject{warning}, f.save, f.duplicate, layout.NewSpacer(), f.del)
}

// firstField is Title, where a new activity's cursor starts.
func (f *activityForm) firstField() fyne.Focusable { return f.title }

// opened offers back an unsaved draft of the activity now in the form.
func (f *activityForm) opened() { f.offerDraft() }

// buildReach lays out the reach matrix: a row per sex, a column per age
// band, with live sums, and adults below. In a right-to-left language the
// columns are mirrored: the sexes on the right, totals on the left.
func (f *activityForm) buildReach() fyne.CanvasObject {
	l := f.u.l
	bold := fyne.TextStyle{Bold: true}
	cells := []fyne.CanvasObject{widget.NewLabel("")}
	for _, band := range codes.AgeBands.Codes {
		cells = append(cells, &widget.Label{Text: l.T(codes.AgeBands.MessageID(band)), Alignment: fyne.TextAlignCenter, TextStyle: bold})
	}
	cells = append(cells, &widget.Label{Text: l.T("reach.total"), Alignment: fyne.TextAlignCenter, TextStyle: bold})
	for si, sex := range codes.Sexes.Codes {
		cells = append(cells, &widget.Label{Text: l.T(codes.Sexes.MessageID(sex))})
		for bi := range codes.AgeBands.Codes {
			e := newEntry("0", func(string) { f.onChanged() })
			f.reach[si][bi] = e
			cells = append(cells, e)
		}
		f.rowSums[si] = &widget.Label{Text: "0", Alignment: fyne.TextAlignCenter}
		cells = append(cells, f.rowSums[si])
	}
	cells = append(cells, &widget.Label{Text: l.T("reach.total"), TextStyle: bold})
	for bi := range codes.AgeBands.Codes {
		f.colSums[bi] = &widget.Label{Text: "0", Alignment: fyne.TextAlignCenter}
		cells = append(cells, f.colSums[bi])
	}
	f.total = &widget.Label{Text: "0", Alignment: fyne.TextAlignCenter, TextStyle: bold}
	cells = append(cells, f.total)
	f.reachGrid = tableOf(isRTL(l), len(codes.AgeBands.Codes)+2, cells...)
	f.adults = newEntry("0", func(string) { f.onChanged() })
	adults := borderOf(isRTL(l), nil, nil, widget.NewLabel(l.T("reach.adults")), nil, f.adults)
	return container.NewVBox(f.reachGrid, adults)
}

// edit loads a into the form (a zero Activity starts a new one).
func (f *activityForm) edit(a model.Activity) {
	f.build()
	f.id = a.ID
	d := draftFromActivity(a)
	if a.ID == "" {
		d.Status = "draft"
		d.Visibility = model.VisibilityOrg
		d.StartDate = f.u.now().Format(model.DateLayout)
		d.Started = f.u.now().Format(time.RFC3339)
	}
	f.setState(d)
	f.base = f.stateJSON()
	f.reset()
	f.updateHeading()
}

func (f *activityForm) updateHeading() {
	l := f.u.l
	if f.id == "" {
		setText(l, f.heading, l.T("form.new_activity"))
		f.duplicate.Disable()
		f.del.Disable()
	} else {
		setText(l, f.heading, l.T("form.edit_activity"))
		f.duplicate.Enable()
		f.del.Enable()
	}
}

func draftFromActivity(a model.Activity) activityDraft {
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	coord := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	d := activityDraft{
		ID: a.ID, Kind: a.Kind, Status: a.Status, Visibility: a.Visibility, Title: a.Title,
		StartDate: a.StartDate, EndDate: a.EndDate, Country: a.Country, Place: a.Place,
		Lat: coord(a.Lat), Lon: coord(a.Lon), Themes: append([]string(nil), a.Themes...),
		Adults: num(a.Reach.Adults), Partners: a.Partners, Summary: a.Summary,
		FollowUp: a.FollowUp, FollowUpDate: a.FollowUpDate,
	}
	for bi := range 3 {
		d.Reach[0][bi] = num(a.Reach.Girls[bi])
		d.Reach[1][bi] = num(a.Reach.Boys[bi])
		d.Reach[2][bi] = num(a.Reach.Unrecorded[bi])
	}
	return d
}

// state reads the form as typed.
func (f *activityForm) state() activityDraft {
	d := activityDraft{
		ID: f.id, Kind: f.kinds.code(f.kind.Selected), Status: f.statuses.code(f.status.Selected),
		Visibility: f.visibilities.code(f.visibility.Selected), Title: f.title.Text,
		StartDate: f.start.text(), EndDate: f.end.text(), Country: f.country.Code(),
		Place: f.place.Text, Lat: f.lat.Text, Lon: f.lon.Text, Adults: f.adults.Text,
		Partners: f.partners.Text, Summary: f.summary.Text, FollowUp: f.followUp.Text,
		FollowUpDate: f.followUpDate.text(), Started: f.started,
	}
	for i, c := range f.themes {
		if c.Checked {
			d.Themes = append(d.Themes, f.themeChoices.codes[i])
		}
	}
	for si := range 3 {
		for bi := range 3 {
			d.Reach[si][bi] = f.reach[si][bi].Text
		}
	}
	return d
}

func (f *activityForm) stateJSON() string {
	b, _ := json.Marshal(f.state()) // only strings: cannot fail
	return string(b)
}

// setState fills the form without treating it as typing.
func (f *activityForm) setState(d activityDraft) {
	f.filling = true
	defer func() { f.filling = false; f.updateSums() }()
	setSel := func(s *widget.Select, c choices, code string) {
		if code == "" {
			s.ClearSelected()
		} else {
			s.SetSelected(c.option(code))
		}
	}
	f.started = d.Started
	setSel(f.kind, f.kinds, d.Kind)
	setSel(f.status, f.statuses, d.Status)
	setSel(f.visibility, f.visibilities, d.Visibility)
	f.country.SetCode(d.Country)
	f.title.SetText(d.Title)
	f.start.setISO(d.StartDate)
	f.end.setISO(d.EndDate)
	f.place.SetText(d.Place)
	f.lat.SetText(d.Lat)
	f.lon.SetText(d.Lon)
	for i, c := range f.themes {
		want := false
		for _, t := range d.Themes {
			want = want || t == f.themeChoices.codes[i]
		}
		c.SetChecked(want)
	}
	for si := range 3 {
		for bi := range 3 {
			f.reach[si][bi].SetText(d.Reach[si][bi])
		}
	}
	f.adults.SetText(d.Adults)
	f.partners.SetText(d.Partners)
	f.summary.SetText(d.Summary)
	f.followUp.SetText(d.FollowUp)
	f.followUpDate.setISO(d.FollowUpDate)
}

// onChanged runs on every edit: it updates the sums and schedules a draft
// save if the form now differs from what was loaded.
func (f *activityForm) onChanged() {
	if f.filling {
		return
	}
	f.updateSums()
	if f.checked {
		f.showErrors(f.validate())
	}
	body := f.stateJSON()
	if body == f.base {
		return
	}
	f.mu.Lock()
	f.pendingKey, f.pendingBody = draftKey(f.id), body
	schedule := !f.timerSet
	f.timerSet = true
	f.mu.Unlock()
	if schedule {
		time.AfterFunc(draftDelay, f.flushDraft)
	}
}

// flushDraft writes the pending draft, if any. It runs on a timer goroutine
// and touches no widget.
func (f *activityForm) flushDraft() {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	f.mu.Lock()
	key, body := f.pendingKey, f.pendingBody
	f.pendingBody, f.timerSet = "", false
	f.mu.Unlock()
	if body == "" {
		return
	}
	if err := f.u.deps.Store.SaveDraft(context.Background(), key, body); err != nil {
		slog.Error("saveDraft", "key", key, "err", err)
	}
}

// dropDraft forgets the pending draft and deletes the stored one for key.
func (f *activityForm) dropDraft(key string) {
	f.mu.Lock()
	f.pendingBody = ""
	f.mu.Unlock()
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	if err := f.u.deps.Store.DeleteDraft(context.Background(), key); err != nil {
		slog.Error("deleteDraft", "key", key, "err", err)
	}
}

// offerDraft asks whether to bring back an unsaved draft of the record now
// in the form.
func (f *activityForm) offerDraft() {
	key := draftKey(f.id)
	d, err := f.u.deps.Store.Draft(context.Background(), key)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			f.u.showError(err)
		}
		return
	}
	if d.Body == f.base {
		return
	}
	l := f.u.l
	f.u.confirm(l.T("drafts.title"), l.T("drafts.restore_one", "When", f.u.formatTime(d.SavedAt)), l.T("drafts.restore"), func() {
		f.restoreDraft(d)
	})
}

// restoreDraft fills the form from a stored draft; the draft stays stored
// until the form is saved.
func (f *activityForm) restoreDraft(d store.Draft) {
	var st activityDraft
	if err := json.Unmarshal([]byte(d.Body), &st); err != nil {
		f.u.showError(err)
		return
	}
	f.setState(st)
	f.onChanged()
}

func (f *activityForm) updateSums() {
	total := 0
	var cols [3]int
	for si := range 3 {
		row := 0
		for bi := range 3 {
			n, _ := strconv.Atoi(strings.TrimSpace(f.reach[si][bi].Text))
			row += n
			cols[bi] += n
		}
		setText(f.u.l, f.rowSums[si], formatNumber(f.u.l, row))
		total += row
	}
	for bi := range 3 {
		setText(f.u.l, f.colSums[bi], formatNumber(f.u.l, cols[bi]))
	}
	setText(f.u.l, f.total, formatNumber(f.u.l, total))
}

// toActivity converts what was typed into a record; numbers that cannot be
// read come back as field errors.
func (f *activityForm) toActivity(d activityDraft) (model.Activity, []model.FieldError) {
	var errs []model.FieldError
	count := func(field, s string) int {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs = append(errs, model.FieldError{Field: field, Reason: reasonNotNumber, Value: s})
		}
		return n
	}
	coord := func(field, s string) *float64 {
		s = strings.TrimSpace(strings.ReplaceAll(s, ",", "."))
		if s == "" {
			return nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			errs = append(errs, model.FieldError{Field: field, Reason: reasonNotNumber, Value: s})
			return nil
		}
		return &v
	}
	a := model.Activity{
		Meta: model.Meta{ID: d.ID, Visibility: d.Visibility},
		Kind: d.Kind, Title: strings.TrimSpace(d.Title), StartDate: strings.TrimSpace(d.StartDate),
		EndDate: strings.TrimSpace(d.EndDate), Country: d.Country, Place: strings.TrimSpace(d.Place),
		Lat: coord("lat", d.Lat), Lon: coord("lon", d.Lon), Themes: d.Themes,
		Partners: strings.TrimSpace(d.Partners), Summary: strings.TrimSpace(d.Summary),
		FollowUp: strings.TrimSpace(d.FollowUp), FollowUpDate: strings.TrimSpace(d.FollowUpDate), Status: d.Status,
	}
	cells := (model.Reach{}).Cells()
	for si := range 3 {
		for bi := range 3 {
			n := count(cells[si*3+bi].Field, d.Reach[si][bi])
			switch si {
			case 0:
				a.Reach.Girls[bi] = n
			case 1:
				a.Reach.Boys[bi] = n
			case 2:
				a.Reach.Unrecorded[bi] = n
			}
		}
	}
	a.Reach.Adults = count("adults", d.Adults)
	return a, errs
}

// focusTargets maps each field a record error can name to the widget that
// takes the cursor for it.
func (f *activityForm) focusTargets() map[string]fyne.Focusable {
	t := map[string]fyne.Focusable{
		"title": f.title, "kind": f.kind, "start_date": f.start.entry, "end_date": f.end.entry,
		"country": f.country, "place": f.place, "lat": f.lat, "lon": f.lon, "location": f.lat,
		"reach": f.reach[0][0], "adults": f.adults, "partners": f.partners, "summary": f.summary,
		"follow_up": f.followUp, "follow_up_date": f.followUpDate.entry, "status": f.status,
		"visibility": f.visibility,
	}
	if len(f.themes) > 0 {
		t["themes"] = f.themes[0]
	}
	cells := (model.Reach{}).Cells()
	for si := range 3 {
		for bi := range 3 {
			t[cells[si*3+bi].Field] = f.reach[si][bi]
		}
	}
	return t
}

// validate returns what is wrong with the form as typed: numbers it cannot
// read and the record's own checks, together.
func (f *activityForm) validate() []model.FieldError {
	a, errs := f.toActivity(f.state())
	var ve *model.ValidationError
	if err := a.Validate(); errors.As(err, &ve) {
		errs = append(errs, ve.Fields...)
	}
	return errs
}

// onSave validates and stores the form; errors appear beside their fields
// and nothing is written.
func (f *activityForm) onSave() {
	errs := f.validate()
	a, _ := f.toActivity(f.state())
	saved, ok := submit(&f.formFrame, errs, func(ctx context.Context) (model.Activity, error) {
		return f.screen.spec.records.put(ctx, f.id, a)
	})
	if !ok {
		return
	}
	f.dropDraft(draftKey(f.id))
	f.edit(saved)
	f.screen.showForm()
	f.screen.refresh()
	f.u.notice.show(f.u, f.u.l.T("notice.activity_saved", "Title", saved.Title), "", nil)
}

// onDuplicate turns the form into a new activity with the same content.
func (f *activityForm) onDuplicate() {
	d := f.state()
	d.ID = ""
	d.Status = "draft"
	f.screen.list.UnselectAll()
	f.edit(model.Activity{})
	f.setState(d)
	f.screen.showForm()
	f.onChanged()
	f.u.notice.show(f.u, f.u.l.T("notice.activity_duplicated"), "", nil)
}

// onDelete tombstones the activity and offers an undo.
func (f *activityForm) onDelete() {
	if f.id == "" {
		return
	}
	id, title := f.id, f.title.Text
	if err := f.u.deps.Store.DeleteActivity(context.Background(), id); err != nil {
		f.u.showError(err)
		return
	}
	f.dropDraft(draftKey(id))
	f.id = ""
	f.screen.showPlaceholder()
	f.screen.refresh()
	l := f.u.l
	f.u.notice.show(f.u, l.T("notice.activity_deleted", "Title", title), l.T("button.undo"), func() {
		if err := f.u.deps.Store.RestoreActivity(context.Background(), id); err != nil {
			f.u.showError(err)
			return
		}
		f.screen.refresh()
		f.screen.open(id)
	})
}
