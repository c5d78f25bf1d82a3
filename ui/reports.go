package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/internal/chart"
	"github.com/a20-network/fieldbook/internal/chart/fynechart"
	"github.com/a20-network/fieldbook/internal/export"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// ReportStore is what the Reports screen reads: the report for a period and
// the activities in it. *store.Store satisfies it.
type ReportStore interface {
	Report(ctx context.Context, f report.Filter) (report.Report, error)
	Activities(ctx context.Context, f store.ActivityFilter) ([]model.Activity, error)
}

var _ ReportStore = (*store.Store)(nil)

// maxListed caps the activities an export lists beside the report.
const maxListed = 50000

// NewReportsTab returns the Reports screen: a period picker, the period's
// totals, charts of activities and children by month, theme, kind, country
// and sex and age band with their numbers beside them, and CSV, Excel and
// PDF exports. It reads local data only, so it works offline, and reloads
// whenever it is shown.
func NewReportsTab(st ReportStore, l *locales.Localizer, win fyne.Window) fyne.CanvasObject {
	s := newReportsScreen(st, l, win, time.Now)
	return s.build()
}

// reportsScreen is the Reports tab's state.
type reportsScreen struct {
	st  ReportStore
	l   *locales.Localizer
	win fyne.Window
	now func() time.Time

	period   *widget.Select
	from, to *widget.Entry
	dates    *fyne.Container // from and to, shown for custom dates only
	// built is set once every widget exists, so that setting the first
	// period does not load a report before the screen is whole.
	built  bool
	status *paraLabel
	totals *paraLabel
	body   *fyne.Container

	// asked counts the reports asked for, so that only the last one asked
	// is shown; touched on the UI goroutine only.
	asked int

	// run moves the report's reading off Fyne's goroutine and brings it
	// back; the window's own runner when the tab is part of the window.
	run runner

	// monthCharts and monthTable are the month section on screen, for
	// tests.
	monthCharts [2]*fynechart.Chart
	monthTable  *fyne.Container

	mu      sync.Mutex // guards current
	current report.Report
}

func newReportsScreen(st ReportStore, l *locales.Localizer, win fyne.Window, now func() time.Time) *reportsScreen {
	return &reportsScreen{st: st, l: l, win: win, now: now, run: fyneRunner{}}
}

// reportsView refreshes the screen each time it is shown, such as when its
// tab is selected, so it always shows what the device holds now.
type reportsView struct {
	widget.BaseWidget
	s       *reportsScreen
	content fyne.CanvasObject
}

func (v *reportsView) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(v.content)
}

// Show shows the screen and reloads its figures.
func (v *reportsView) Show() {
	v.BaseWidget.Show()
	v.s.onRefresh()
}

func (s *reportsScreen) build() fyne.CanvasObject {
	kinds := make([]string, len(report.PeriodKinds))
	for i, k := range report.PeriodKinds {
		kinds[i] = s.l.T("report.period." + string(k))
	}
	// Dates are typed in the person's era (the Buddhist era in Thai), as
	// in every other date field, and read with the same rule.
	s.from = &widget.Entry{PlaceHolder: dateHint(s.l, s.l.T("report.from")), OnChanged: s.onDate, OnSubmitted: func(string) { s.onRefresh() }}
	s.to = &widget.Entry{PlaceHolder: dateHint(s.l, s.l.T("report.to")), OnChanged: s.onDate, OnSubmitted: func(string) { s.onRefresh() }}
	s.status = newParaLabel(s.l, "")
	s.totals = newParaLabel(s.l, "")
	s.totals.TextStyle = fyne.TextStyle{Bold: true}
	s.body = container.NewVBox()
	s.period = widget.NewSelect(kinds, func(string) { s.onPeriod() })
	s.period.SetSelectedIndex(slices.Index(report.PeriodKinds, DefaultReportPeriod))

	s.dates = gridOf(isRTL(s.l), 2, s.from, s.to)
	s.onPeriod()
	bar := container.NewVBox(
		borderOf(isRTL(s.l), nil, nil, widget.NewLabel(s.l.T("report.period")), nil, s.period),
		s.dates,
		rowOf(isRTL(s.l),
			&widget.Button{Text: s.l.T("report.export_csv"), OnTapped: func() { s.onExport("csv") }},
			&widget.Button{Text: s.l.T("report.export_xlsx"), OnTapped: func() { s.onExport("xlsx") }},
			&widget.Button{Text: s.l.T("report.export_pdf"), OnTapped: func() { s.onExport("pdf") }},
		),
		s.status,
	)
	content := container.NewBorder(bar, nil, nil, nil, container.NewVScroll(container.NewPadded(container.NewVBox(s.totals, s.body))))
	mirrorLabels(s.l, content)
	v := &reportsView{s: s, content: content}
	v.ExtendBaseWidget(v)
	s.built = true
	s.onRefresh()
	return v
}

// DefaultReportPeriod is the period the Reports screen opens on: the last
// twelve whole months, so that early in a month it shows a year of work
// rather than a month with nothing in it yet.
const DefaultReportPeriod = report.Last12Months

// onDate shows a custom period as soon as both dates are whole and valid;
// a date still being typed changes nothing.
func (s *reportsScreen) onDate(string) {
	if !s.built || s.kind() != report.Custom {
		return
	}
	if _, err := s.filter(); err == nil {
		s.onRefresh()
	}
}

// onPeriod shows and enables the date fields for custom dates only, and
// shows the picked period at once.
func (s *reportsScreen) onPeriod() {
	if s.from == nil {
		return
	}
	if s.built {
		defer s.onDate("")
		if s.kind() != report.Custom {
			defer s.onRefresh()
		}
	}
	custom := s.kind() == report.Custom
	if s.dates != nil {
		// Hidden unless wanted: on a small screen the figures need the room.
		if custom {
			s.dates.Show()
		} else {
			s.dates.Hide()
		}
	}
	for _, e := range []*widget.Entry{s.from, s.to} {
		if custom {
			e.Enable()
		} else {
			e.Disable()
		}
	}
}

func (s *reportsScreen) kind() report.PeriodKind {
	i := s.period.SelectedIndex()
	if i < 0 || i >= len(report.PeriodKinds) {
		return DefaultReportPeriod
	}
	return report.PeriodKinds[i]
}

// isoDate is typed, a date in l's era, as an ISO Gregorian date; text that
// is not a date is returned as typed, for the period's check to refuse.
func isoDate(l *locales.Localizer, typed string) string {
	typed = strings.TrimSpace(typed)
	if t, err := locales.ParseDate(l.Tag(), typed); err == nil {
		return t.Format(model.DateLayout)
	}
	return typed
}

// filter reads the picked period, or returns an error a person can act on.
func (s *reportsScreen) filter() (report.Filter, error) {
	p, err := report.ParsePeriod(string(s.kind()), isoDate(s.l, s.from.Text), isoDate(s.l, s.to.Text))
	if err != nil {
		return report.Filter{}, err
	}
	return p.Filter(s.now(), report.Filter{})
}

// onRefresh reloads the report off the UI goroutine and shows it.
func (s *reportsScreen) onRefresh() {
	f, err := s.filter()
	if err != nil {
		s.status.SetText(s.l.T("report.error.period"))
		return
	}
	s.asked++
	asked := s.asked
	s.run.async(func() func() {
		r, err := s.st.Report(context.Background(), f)
		return func() {
			// A period picked since asks again; a slower, older report
			// must not cover it.
			if asked == s.asked {
				s.show(r, err)
			}
		}
	})
}

// reload loads and shows the report on the calling goroutine.
func (s *reportsScreen) reload() error {
	f, err := s.filter()
	if err != nil {
		s.status.SetText(s.l.T("report.error.period"))
		return err
	}
	s.asked++
	r, err := s.st.Report(context.Background(), f)
	s.show(r, err)
	return err
}

func (s *reportsScreen) labels(r report.Report) export.Labels {
	return export.NewLabels(s.l, r.Filter.From, r.Filter.To)
}

// show puts r on screen; call it on the UI goroutine.
func (s *reportsScreen) show(r report.Report, err error) {
	if err != nil {
		slog.Error("reportFailed", "err", err)
		s.status.SetText(err.Error())
		return
	}
	s.mu.Lock()
	s.current = r
	s.mu.Unlock()
	lb := s.labels(r)
	s.status.SetText(s.periodText(r.Filter))
	n := func(v int) string { return locales.FormatNumber(s.l.Tag(), v) }
	s.totals.SetText(s.l.T("reports.totals", "ActivitiesLabel", lb.Activities, "Activities", n(r.Activities),
		"ChildrenLabel", lb.Children, "Children", n(r.Children), "AdultsLabel", lb.Adults, "Adults", n(r.Adults)))
	objs := []fyne.CanvasObject{s.monthSection(r, lb), widget.NewSeparator()}
	tables := export.Tables(r, lb)
	// Tables and charts come in the same order after the summary table;
	// the month table and chart are the screen's own (monthSection).
	for i, c := range export.Charts(r, lb, 12) {
		if i == 0 {
			continue
		}
		var numbers fyne.CanvasObject = widget.NewLabel("")
		if i+1 < len(tables) {
			numbers = numbersGrid(s.l, tables[i+1])
		}
		plot := fynechart.New(chartFor(s.l, c), 360, 160)
		objs = append(objs, borderOf(isRTL(s.l), nil, nil, nil, numbers, plot), widget.NewSeparator())
	}
	s.body.Objects = objs
	mirrorLabels(s.l, s.body)
	s.body.Refresh()
}

// periodText is the report's dates as l's language writes dates.
func (s *reportsScreen) periodText(f report.Filter) string {
	from, to := s.date(f.From), s.date(f.To)
	if from == "" && to == "" {
		return s.l.T("report.period.all")
	}
	return s.l.T("report.period.range", "From", from, "To", to)
}

// date writes a YYYY-MM-DD date the language's way; "" stays "".
func (s *reportsScreen) date(d string) string {
	t, err := time.Parse(report.DateLayout, d)
	if err != nil {
		return d
	}
	return locales.FormatDate(s.l.Tag(), t)
}

// monthSection shows the months of r up to today: a chart of activities
// and one of children reached, each on its own scale (children outnumber
// activities a hundred to one, and on one scale the activities lie flat
// on zero), beside a table of both. The month still running is marked
// "so far" and drawn muted; later months are left out unless an activity
// is planned in them.
func (s *reportsScreen) monthSection(r report.Report, lb export.Labels) fyne.CanvasObject {
	months, partial := r.MonthsUntil(s.now())
	t := export.Table{Key: "month", Header: []string{lb.Month, lb.Activities, lb.Children}}
	acts := chart.Chart{Kind: chart.Line, Title: s.l.T("report.activities_by_month"), Empty: lb.NoData}
	kids := chart.Chart{Kind: chart.Line, Title: s.l.T("report.children_by_month"), Empty: lb.NoData}
	as, ks := chart.Series{Name: lb.Activities}, chart.Series{Name: lb.Children}
	for i, b := range months {
		label := s.monthLabel(b.Key)
		if i == partial {
			label = s.l.T("report.month_so_far", "Month", label)
		}
		t.Rows = append(t.Rows, []any{label, b.Activities, b.Children})
		acts.Categories = append(acts.Categories, label)
		as.Values = append(as.Values, float64(b.Activities))
		ks.Values = append(ks.Values, float64(b.Children))
		acts.Partial = append(acts.Partial, i == partial)
	}
	if len(months) > 0 {
		acts.Series, kids.Series = []chart.Series{as}, []chart.Series{ks}
	}
	kids.Categories, kids.Partial = acts.Categories, acts.Partial
	// A narrow minimum leaves room for the table's long headings on a
	// netbook's 1024 pixels; the charts grow with the window.
	s.monthCharts = [2]*fynechart.Chart{fynechart.New(chartFor(s.l, acts), 240, 120), fynechart.New(chartFor(s.l, kids), 240, 120)}
	s.monthTable = numbersGrid(s.l, t)
	return borderOf(isRTL(s.l), nil, nil, nil, s.monthTable, container.NewVBox(s.monthCharts[0], s.monthCharts[1]))
}

// monthLabel writes a "YYYY-MM" month with the language's digits and in
// its era. In a
// right-to-left language it starts with a RIGHT-TO-LEFT MARK, as the
// language's dates do (see locales.FormatDate): the month then reads year
// first from the right whether it stands alone under a chart's point or
// beside "(so far)" in the table; without it the two would differ.
func (s *reportsScreen) monthLabel(key string) string {
	// The year in the person's era, as every date they read (2569-01 in
	// Thai for January 2026).
	if off := locales.EraOffset(s.l.Tag()); off != 0 {
		if t, err := time.Parse("2006-01", key); err == nil {
			key = fmt.Sprintf("%04d-%02d", t.Year()+off, int(t.Month()))
		}
	}
	if isRTL(s.l) {
		return "\u200f" + locales.LocalDigits(s.l.Tag(), key)
	}
	return locales.LocalDigits(s.l.Tag(), key)
}

// numbersGrid shows a table's first columns as a grid of labels: the
// category and its activities, the month's children too, or every column
// for the sex and age table; the first column on the right in a
// right-to-left language. Numbers are written the language's way.
func numbersGrid(l *locales.Localizer, t export.Table) *fyne.Container {
	cols := 2
	switch t.Key {
	case "sex_age":
		cols = len(t.Header)
	case "month":
		cols = 3
	}
	var cells []fyne.CanvasObject
	for i := 0; i < cols; i++ {
		text := ""
		if i < len(t.Header) {
			text = t.Header[i]
		}
		cells = append(cells, &widget.Label{Text: text, TextStyle: fyne.TextStyle{Bold: true}})
	}
	for _, row := range t.Rows {
		for i := 0; i < cols; i++ {
			var cell fyne.CanvasObject = widget.NewLabel("")
			if i < len(row) {
				switch v := row[i].(type) {
				case int:
					cell = &widget.Label{Text: locales.FormatNumber(l.Tag(), v), Alignment: fyne.TextAlignTrailing}
				default:
					cell = widget.NewLabel(fmt.Sprint(v))
				}
			}
			cells = append(cells, cell)
		}
	}
	return gridOf(isRTL(l), cols, cells...)
}

// exportNames are the file names offered for each format.
var exportNames = map[string]string{"csv": "fieldbook-report.csv", "xlsx": "fieldbook-report.xlsx", "pdf": "fieldbook-report.pdf"}

// onExport asks where to save the current report and writes it there.
func (s *reportsScreen) onExport(format string) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			s.fail(err)
			return
		}
		if w == nil {
			return // cancelled
		}
		// Write to memory first: a failed export leaves no half-written file
		// content behind the chosen name.
		var buf bytes.Buffer
		werr := s.writeExport(context.Background(), format, &buf)
		if werr == nil {
			_, werr = w.Write(buf.Bytes())
		}
		if err := errors.Join(werr, w.Close()); err != nil {
			s.fail(err)
			return
		}
		s.status.SetText(s.l.T("report.exported", "File", w.URI().Name()))
	}, s.win)
	d.SetFileName(exportNames[format])
	d.Show()
}

func (s *reportsScreen) fail(err error) {
	slog.Error("reportExportFailed", "err", err)
	dialog.ShowError(err, s.win)
}

// writeExport writes the report on screen in format (csv, xlsx or pdf) to w.
// The spreadsheet also lists the period's activities.
func (s *reportsScreen) writeExport(ctx context.Context, format string, w io.Writer) error {
	s.mu.Lock()
	r := s.current
	s.mu.Unlock()
	lb := s.labels(r)
	switch format {
	case "csv":
		return export.WriteSectionedCSV(w, export.Tables(r, lb))
	case "xlsx":
		as, err := s.st.Activities(ctx, store.ActivityFilter{From: r.Filter.From, To: r.Filter.To, Limit: maxListed})
		if err != nil {
			return fmt.Errorf("export: list activities: %w", err)
		}
		rows := make([]export.ActivityRow, len(as))
		for i, a := range as {
			rows[i] = export.ActivityRow{Date: a.StartDate, Title: a.Title, Country: a.Country,
				Kind: a.Kind, Place: a.Place, Status: a.Status, Summary: a.Summary, Themes: a.Themes,
				Children: a.Reach.Children(), Adults: a.Reach.Adults, Files: export.FileNames(a.Files)}
		}
		return export.WriteXLSX(w, append(export.Tables(r, lb), export.ActivityTable(rows, lb)))
	case "pdf":
		if !export.PDFDraws(s.l.Tag()) {
			// The PDF cannot draw this script: English labels, not boxes.
			b, _ := locales.Load("")
			lb = export.NewLabels(b.Localizer("en"), r.Filter.From, r.Filter.To)
		}
		return export.WritePDF(w, r, lb, export.PDFOptions{Created: s.now()})
	}
	return fmt.Errorf("export: unknown format %q", format)
}

// ReportsScreen returns the Reports tab as a [Screen] for [Deps.Extra]: it
// is rebuilt in the new language after every language switch.
func ReportsScreen(st ReportStore) Screen { return &reportsTab{st: st} }

type reportsTab struct {
	st  ReportStore
	run runner // set by the window (see [runnerUser]); nil means goroutines and fyne.Do
}

// useRunner makes the tab's background work go through the window's
// runner, as every built-in screen's does.
func (r *reportsTab) useRunner(run runner) { r.run = run }

func (r *reportsTab) Key() string { return TabReports }

func (r *reportsTab) Title(l *locales.Localizer) string { return l.T("report.tab") }

func (r *reportsTab) Build(l *locales.Localizer, w fyne.Window) fyne.CanvasObject {
	s := newReportsScreen(r.st, l, w, time.Now)
	if r.run != nil {
		s.run = r.run
	}
	return s.build()
}

// chartFor is c as l's screens show it: in a right-to-left language
// mirrored, with its texts prepared like every other text (see [shown]).
func chartFor(l *locales.Localizer, c chart.Chart) chart.Chart {
	c.Format = func(v float64) string { return locales.FormatNumber(l.Tag(), int(math.Round(v))) }
	if !isRTL(l) {
		return c
	}
	c.RightToLeft = true
	c.Title, c.Empty = shown(l, c.Title), shown(l, c.Empty)
	cats := make([]string, len(c.Categories))
	for i, s := range c.Categories {
		cats[i] = shown(l, s)
	}
	c.Categories = cats
	series := make([]chart.Series, len(c.Series))
	for i, s := range c.Series {
		s.Name = shown(l, s.Name)
		series[i] = s
	}
	c.Series = series
	return c
}
