package ui

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/a20-network/fieldbook/internal/chart"
	"github.com/a20-network/fieldbook/internal/chart/fynechart"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// reportsFixture is a store with two activities in May 2026 and one in
// January, and a Reports screen over it with the clock on 17 May 2026.
func reportsFixture(t *testing.T, lang string) *reportsScreen {
	t.Helper()
	return reportsScreenOver(t, lang, []model.Activity{
		{Kind: "school_visit", Title: "Visit Zomba", StartDate: "2026-05-03", Country: "MW", Themes: []string{"education"},
			Reach: model.Reach{Girls: [3]int{0, 12, 0}, Boys: [3]int{0, 8, 0}, Adults: 3}, Status: "final"},
		{Kind: "training", Title: "Teachers", StartDate: "2026-05-10", Country: "MW", Themes: []string{"violence", "education"},
			Reach: model.Reach{Unrecorded: [3]int{0, 0, 5}, Adults: 20}, Status: "final"},
		{Kind: "training", Title: "January", StartDate: "2026-01-10", Country: "KE",
			Reach: model.Reach{Girls: [3]int{100, 0, 0}}, Status: "final"},
	})
}

// reportsScreenOver is a Reports screen in lang over a new store holding
// as, with the clock on 17 May 2026.
func reportsScreenOver(t *testing.T, lang string, as []model.Activity) *reportsScreen {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateActivities(ctx, as); err != nil {
		t.Fatal(err)
	}
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	a := test.NewTempApp(t)
	w := a.NewWindow("test")
	t.Cleanup(w.Close)
	s := newReportsScreen(st, b.Localizer(lang), w, func() time.Time { return time.Date(2026, 5, 17, 12, 0, 0, 0, time.UTC) })
	s.run = inPlace{}
	w.SetContent(s.build())
	return s
}

// pick chooses period kind k in the picker.
func (s *reportsScreen) pick(k report.PeriodKind) {
	s.period.SetSelectedIndex(slices.Index(report.PeriodKinds, k))
}

func TestReportsScreenThisMonth(t *testing.T) {
	s := reportsFixture(t, "en")
	s.pick(report.ThisMonth)
	if got, want := s.totals.Text, "Activities: 2    Children reached: 25    Adults reached: 23"; got != want {
		t.Errorf("totals = %q, want %q", got, want)
	}
	if s.status.Text != "1 May 2026 – 31 May 2026" {
		t.Errorf("period = %q", s.status.Text)
	}
	if len(s.body.Objects) != 10 {
		t.Fatalf("body has %d objects, want 5 charts with separators", len(s.body.Objects))
	}
	if !s.from.Disabled() {
		t.Error("date fields enabled for this month")
	}
	// The numbers stand beside the charts.
	var texts []string
	for _, o := range test.LaidOutObjects(s.body) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	}
	joined := strings.Join(texts, "|")
	for _, want := range []string{"School visit|1", "Training|1", "Education|2", "Malawi|2", "6–11|12|8|0|20"} {
		if !strings.Contains(joined, want) {
			t.Errorf("numbers lack %q: %s", want, joined)
		}
	}
}

func TestReportsScreenRefreshesOnShow(t *testing.T) {
	s := reportsFixture(t, "en")
	s.pick(report.ThisMonth)
	view := s.win.Content()
	ctx := context.Background()
	st := s.st.(*store.Store)
	if _, err := st.CreateActivity(ctx, model.Activity{Kind: "other", Title: "Added later", StartDate: "2026-05-16",
		Country: "MW", Status: "draft"}); err != nil {
		t.Fatal(err)
	}
	view.Hide()
	view.Show()
	if !strings.HasPrefix(s.totals.Text, "Activities: 3") {
		t.Errorf("after showing again, totals = %q", s.totals.Text)
	}
}

func TestReportsScreenCustomPeriod(t *testing.T) {
	s := reportsFixture(t, "fr")
	s.pick(report.Custom)
	if s.from.Disabled() {
		t.Fatal("date fields disabled for custom dates")
	}
	test.Type(s.from, "2026-01-01")
	test.Type(s.to, "2026-12-31")
	if err := s.reload(); err != nil {
		t.Fatal(err)
	}
	if got, want := s.totals.Text, "Activités : 3    Enfants touchés : 125    Adultes touchés : 23"; got != want {
		t.Errorf("totals = %q, want %q", got, want)
	}
	// Dates the wrong way round: a message, and the figures stay.
	s.to.SetText("2025-12-31")
	if err := s.reload(); err == nil {
		t.Fatal("backwards dates accepted")
	}
	if !strings.Contains(s.status.Text, "AAAA-MM-JJ") {
		t.Errorf("status = %q, want the localized date error", s.status.Text)
	}
	if !strings.Contains(s.totals.Text, "125") {
		t.Errorf("figures changed after a bad period: %q", s.totals.Text)
	}
}

func TestReportsScreenExports(t *testing.T) {
	s := reportsFixture(t, "en")
	s.pick(report.ThisMonth)
	ctx := context.Background()
	var csv, xlsx, pdf bytes.Buffer
	for format, buf := range map[string]*bytes.Buffer{"csv": &csv, "xlsx": &xlsx, "pdf": &pdf} {
		if err := s.writeExport(ctx, format, buf); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
	}
	if !strings.HasPrefix(csv.String(), "\ufeffSummary") || !strings.Contains(csv.String(), "School visit,1,20,3") {
		t.Errorf("CSV:\n%s", csv.String())
	}
	f, err := excelize.OpenReader(&xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 7 || sheets[6] != "Activities" {
		t.Fatalf("sheets = %v", sheets)
	}
	rows, _ := f.GetRows("Activities")
	if len(rows) != 3 || rows[1][1] != "Teachers" || rows[2][1] != "Visit Zomba" {
		t.Errorf("activities sheet = %v", rows)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Error("PDF export is not a PDF")
	}
	if err := s.writeExport(ctx, "doc", &bytes.Buffer{}); err == nil {
		t.Error("unknown format accepted")
	}
}

// In Arabic a report chart is laid out mirrored, its texts prepared; in
// English it is passed on as it is.
func TestChartForArabicIsMirrored(t *testing.T) {
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ar, en := b.Localizer("ar"), b.Localizer("en")
	c := chart.Chart{Kind: chart.Bars, Title: ar.T("tab.reports"), Categories: []string{"زواج الأطفال", "Malawi 2026"},
		Series: []chart.Series{{Name: "الأنشطة", Values: []float64{3, 4}}}}
	got := chartFor(ar, c)
	if !got.RightToLeft || got.Title != shown(ar, c.Title) || got.Categories[0] != shown(ar, c.Categories[0]) || got.Series[0].Name != shown(ar, "الأنشطة") {
		t.Errorf("Arabic chart = %+v", got)
	}
	if c.Categories[0] != "زواج الأطفال" {
		t.Error("chartFor changed the caller's categories")
	}
	if e := chartFor(en, c); e.RightToLeft {
		t.Error("English chart mirrored")
	}
}

// monthFixture is a store with activities in every month from May 2024 to
// May 2026, each month's count and children its own, and a Reports screen
// over it with the clock on 17 May 2026; want holds each month's figures.
func monthFixture(t *testing.T, lang string) (s *reportsScreen, want map[string][2]int) {
	t.Helper()
	want = map[string][2]int{}
	var as []model.Activity
	for k, m := 0, time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC); k < 25; k, m = k+1, m.AddDate(0, 1, 0) {
		n := k%4 + 1
		for i := range n {
			girls := 10*k + 3 + i
			as = append(as, model.Activity{Kind: "training", Title: fmt.Sprintf("T%d-%d", k, i), StartDate: m.AddDate(0, 0, i).Format(time.DateOnly),
				Country: "MW", Reach: model.Reach{Girls: [3]int{0, girls, 0}}, Status: "final"})
			f := want[m.Format("2006-01")]
			want[m.Format("2006-01")] = [2]int{f[0] + 1, f[1] + girls}
		}
	}
	return reportsScreenOver(t, lang, as), want
}

// drawnPoint is a point of a line chart as drawn: its centre.
type drawnPoint struct{ x, y float32 }

// centre returns the middle of o as drawn.
func centre(o fyne.CanvasObject) drawnPoint {
	return drawnPoint{o.Position().X + o.Size().Width/2, o.Position().Y + o.Size().Height/2}
}

// checkMonthChart checks that line chart c draws column col of the month
// table rows: a point per row in reading order, each at a height in
// proportion to the row's figure; every value drawn above the point of the
// row it belongs to; every text below the axis a month label under its
// own month's point.
func checkMonthChart(t *testing.T, what string, c *fynechart.Chart, rows [][3]string, col int, figures []int, rtl bool) {
	t.Helper()
	var points []drawnPoint
	var texts []*canvas.Text
	bottom := float32(-1)
	for _, o := range test.LaidOutObjects(c) {
		switch v := o.(type) {
		case *canvas.Rectangle:
			if v.Size().Width == 6 && v.Size().Height == 6 {
				points = append(points, centre(v))
			}
		case *canvas.Line:
			if v.Position1.Y == v.Position2.Y && v.StrokeWidth == 1 {
				bottom = max(bottom, v.Position1.Y)
			}
		case *canvas.Text:
			if v.Visible() && v.Text != "" {
				texts = append(texts, v)
			}
		}
	}
	if len(points) != len(rows) {
		t.Fatalf("%s: %d points drawn for %d months", what, len(points), len(rows))
	}
	slices.SortFunc(points, func(a, b drawnPoint) int {
		if rtl {
			return cmp.Compare(b.x, a.x)
		}
		return cmp.Compare(a.x, b.x)
	})
	top := slices.Max(figures)
	var hmax float32
	for _, p := range points {
		hmax = max(hmax, bottom-p.y)
	}
	for i, p := range points {
		if top > 0 && math.Abs(float64((bottom-p.y)/hmax)-float64(figures[i])/float64(top)) > 0.02 {
			t.Errorf("%s: %s's point stands at %.2f of the highest, its figure %d is %.2f of %d", what, rows[i][0],
				(bottom-p.y)/hmax, figures[i], float64(figures[i])/float64(top), top)
		}
	}
	row := func(x float32) int {
		for i, p := range points {
			if math.Abs(float64(p.x-x)) < 1 {
				return i
			}
		}
		return -1
	}
	values, labels := 0, 0
	var valueTexts []*canvas.Text
	for _, txt := range texts {
		at := centre(txt)
		i := row(at.x)
		switch {
		case txt.TextSize == chart.FontSize-2:
			values++
			valueTexts = append(valueTexts, txt)
			if i < 0 || at.y > points[i].y {
				t.Errorf("%s: value %q at %v stands above no point", what, txt.Text, at)
			} else if txt.Text != rows[i][col] {
				t.Errorf("%s: %s's point is labelled %q, the table says %q", what, rows[i][0], txt.Text, rows[i][col])
			}
		case at.y > bottom:
			labels++
			if i < 0 {
				t.Errorf("%s: %q under the axis at %v is under no month", what, txt.Text, at)
			} else if txt.Text != rows[i][0] {
				t.Errorf("%s: %q stands under %s's point", what, txt.Text, rows[i][0])
			}
		}
	}
	// Every month's value when the chart is wide enough, else every few
	// months': never two values run into one another.
	if len(rows) <= 13 && values == 0 {
		t.Errorf("%s: no value drawn for %d months", what, len(rows))
	}
	for i, a := range valueTexts {
		for _, b := range valueTexts[i+1:] {
			if overlap(a, b) {
				t.Errorf("%s: values %q and %q overlap", what, a.Text, b.Text)
			}
		}
	}
	if labels == 0 {
		t.Errorf("%s: no month labelled", what)
	}
}

// monthRows reads the month table on screen: month, activities, children.
func monthRows(s *reportsScreen) [][3]string {
	var rows [][3]string
	cells := s.monthTable.Objects[3:]
	for i := 0; i+2 < len(cells); i += 3 {
		var r [3]string
		for j := range r {
			r[j] = cells[i+j].(*widget.Label).Text
		}
		// A figure's cell may be fenced by invisible left-to-right marks
		// (Arabic-Indic digits prepared for Fyne, see shown): a person
		// reads the digits only.
		r[1], r[2] = strings.ReplaceAll(r[1], "\u200e", ""), strings.ReplaceAll(r[2], "\u200e", "")
		rows = append(rows, r)
	}
	return rows
}

// The month charts draw the table's figures, month by month, for periods
// of 1, 3, 5, 12 and 24 months, in English and Arabic, at the sizes of a
// laptop and a netbook, and after switching period back and forth.
func TestReportMonthChartsMatchTable(t *testing.T) {
	type step struct {
		kind     report.PeriodKind
		from, to string
		months   int
	}
	steps := []step{
		{report.Last12Months, "", "", 12}, {report.ThisMonth, "", "", 1}, {report.Custom, "2026-02-01", "2026-04-30", 3},
		{report.Custom, "2024-05-01", "2026-04-30", 24}, {report.ThisYear, "", "", 5}, {report.Last12Months, "", "", 12},
		{report.ThisMonth, "", "", 1}, {report.Custom, "2024-05-01", "2026-04-30", 24}, {report.LastMonth, "", "", 1},
	}
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			s, want := monthFixture(t, lang)
			for _, size := range []fyne.Size{{Width: 1280, Height: 800}, {Width: 1024, Height: 600}, {Width: 1500, Height: 900}} {
				s.win.Resize(size)
				for _, st := range steps {
					s.pick(st.kind)
					if st.kind == report.Custom {
						s.from.SetText(st.from)
						s.to.SetText(st.to)
					}
					what := fmt.Sprintf("%s, %v, %s %s", st.kind, size, st.from, st.to)
					rows := monthRows(s)
					if len(rows) != st.months {
						t.Fatalf("%s: the table has %d months, want %d", what, len(rows), st.months)
					}
					acts, kids := make([]int, len(rows)), make([]int, len(rows))
					for j, r := range rows {
						key := strings.Fields(r[0])[0]
						f, ok := want[key]
						if lang == "en" && (!ok || r[1] != strconv.Itoa(f[0]) || r[2] != strconv.Itoa(f[1])) {
							t.Errorf("%s: table row %v, want %s %v", what, r, key, f)
						}
						acts[j], kids[j] = f[0], f[1]
					}
					if lang == "ar" {
						acts, kids = arabicFigures(t, rows, 1), arabicFigures(t, rows, 2)
					}
					checkMonthChart(t, what+", activities", s.monthCharts[0], rows, 1, acts, lang == "ar")
					checkMonthChart(t, what+", children", s.monthCharts[1], rows, 2, kids, lang == "ar")
				}
			}
		})
	}
}

// arabicFigures reads column col of the month table written in Arabic
// digits (or Latin ones, should the language's default change).
func arabicFigures(t *testing.T, rows [][3]string, col int) []int {
	t.Helper()
	out := make([]int, len(rows))
	for i, r := range rows {
		n := 0
		for _, c := range r[col] {
			switch {
			case c >= '0' && c <= '9':
				n = n*10 + int(c-'0')
			case c >= '٠' && c <= '٩':
				n = n*10 + int(c-'٠')
			}
		}
		out[i] = n
	}
	return out
}

// In Arabic, on a laptop and on a netbook, every text of the report lies
// inside the window and every chart text a few pixels inside its chart,
// clear of the scroll bar: the first letter of a heading was cut at the
// right edge.
func TestReportsArabicTextsInside(t *testing.T) {
	s, _ := monthFixture(t, "ar")
	d := fyne.CurrentApp().Driver()
	for _, size := range []fyne.Size{{Width: 1024, Height: 600}, {Width: 1280, Height: 800}} {
		s.win.Resize(size)
		for _, k := range []report.PeriodKind{report.Last12Months, report.ThisYear} {
			s.pick(k)
			width := s.win.Canvas().Size().Width
			for _, o := range test.LaidOutObjects(s.body) {
				if l, ok := o.(*widget.Label); ok && l.Visible() {
					if right := d.AbsolutePositionForObject(l).X + l.MinSize().Width; right > width+0.5 {
						t.Errorf("%v %s: %q ends at %v, past the window's %v", size, k, l.Text, right, width)
					}
				}
				c, ok := o.(*fynechart.Chart)
				if !ok {
					continue
				}
				for _, m := range test.LaidOutObjects(c) {
					txt, ok := m.(*canvas.Text)
					if !ok {
						continue
					}
					left, right := txt.Position().X, txt.Position().X+txt.Size().Width
					if left < 4 || right > c.Size().Width-4 {
						t.Errorf("%v %s: %q spans %v..%v of its chart's %v", size, k, txt.Text, left, right, c.Size().Width)
					}
					if abs := d.AbsolutePositionForObject(c).X + right; abs > width-4 {
						t.Errorf("%v %s: %q ends at %v, at the window's edge %v", size, k, txt.Text, abs, width)
					}
				}
			}
		}
	}
}

// Periods picked one after the other show the last one picked, even when
// an earlier, larger report finishes loading after it.
func TestReportsLastPickedPeriodWins(t *testing.T) {
	s, _ := monthFixture(t, "en")
	var queue []func()
	s.run = queued{&queue}
	s.pick(report.ThisMonth)
	s.pick(report.Last12Months)
	s.pick(report.LastMonth)
	for i := len(queue) - 1; i >= 0; i-- {
		queue[i]()
	}
	if got := len(monthRows(s)); got != 1 || !strings.Contains(s.status.Text, "Apr 2026") {
		t.Errorf("after picking last month: %d months, period %q", got, s.status.Text)
	}
	queue = nil
	s.pick(report.ThisYear)
	s.pick(report.Last12Months)
	for _, fn := range queue {
		fn()
	}
	if got := len(monthRows(s)); got != 12 {
		t.Errorf("after picking the last 12 months: %d months", got)
	}
}

// inPlace is a runner that does the work and applies it at once, on the
// test's goroutine.
type inPlace struct{}

func (inPlace) async(work func() func()) {
	if apply := work(); apply != nil {
		apply()
	}
}

func (inPlace) post(fn func()) { fn() }

// queued is a runner that keeps each piece of work, with what applies it,
// for the test to run in the order it chooses.
type queued struct{ q *[]func() }

func (r queued) async(work func() func()) {
	*r.q = append(*r.q, func() { inPlace{}.async(work) })
}

func (r queued) post(fn func()) { *r.q = append(*r.q, fn) }

// overlap reports whether two drawn texts' boxes intersect.
func overlap(a, b *canvas.Text) bool {
	as, bs := a.MinSize(), b.MinSize()
	ap, bp := a.Position(), b.Position()
	if a.Alignment == fyne.TextAlignCenter {
		ap.X += (a.Size().Width - as.Width) / 2
	}
	if b.Alignment == fyne.TextAlignCenter {
		bp.X += (b.Size().Width - bs.Width) / 2
	}
	return ap.X < bp.X+bs.Width && bp.X < ap.X+as.Width && ap.Y < bp.Y+bs.Height && bp.Y < ap.Y+as.Height
}

// In Thai a report's custom dates are typed in the Buddhist era, as in the
// form and the filters: 2569-02-01 to 2569-04-30 is February to April 2026,
// and the hints name the era.
func TestReportsThaiDatesInTheBuddhistEra(t *testing.T) {
	s, _ := monthFixture(t, "th")
	if !strings.Contains(s.from.PlaceHolder, "พ.ศ.") {
		t.Errorf("from hint %q does not name the Buddhist era", s.from.PlaceHolder)
	}
	s.pick(report.Custom)
	s.from.SetText("2569-02-01")
	s.to.SetText("2569-04-30")
	if rows := monthRows(s); len(rows) != 3 {
		t.Fatalf("2569-02-01 – 2569-04-30: %d months, want 3 (%v)", len(rows), rows)
	}
	f, err := s.filter()
	if err != nil || f.From != "2026-02-01" || f.To != "2026-04-30" {
		t.Fatalf("filter %+v, %v; want 2026-02-01 to 2026-04-30", f, err)
	}
}

// In Thai the month table and the charts' months are in the Buddhist era
// too: January 2026 reads 2569-01.
func TestReportsThaiMonthsInTheBuddhistEra(t *testing.T) {
	s, _ := monthFixture(t, "th")
	s.pick(report.Custom)
	s.from.SetText("2569-01-01")
	s.to.SetText("2569-01-31")
	rows := monthRows(s)
	if len(rows) != 1 || !strings.HasPrefix(rows[0][0], "2569-01") {
		t.Fatalf("month rows %v, want 2569-01", rows)
	}
}
