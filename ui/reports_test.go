package ui

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/a20-network/fieldbook/chart"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
)

// reportsFixture is a store with two activities in May 2026 and one in
// January, and a Reports screen over it with the clock on 17 May 2026.
func reportsFixture(t *testing.T, lang string) *reportsScreen {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	as := []store.Activity{
		{Kind: "school_visit", Title: "Visit Zomba", StartDate: "2026-05-03", Country: "MW", Themes: []string{"education"},
			Reach: store.Reach{Girls: [3]int{0, 12, 0}, Boys: [3]int{0, 8, 0}, Adults: 3}, Status: "final"},
		{Kind: "training", Title: "Teachers", StartDate: "2026-05-10", Country: "MW", Themes: []string{"violence", "education"},
			Reach: store.Reach{Unrecorded: [3]int{0, 0, 5}, Adults: 20}, Status: "final"},
		{Kind: "training", Title: "January", StartDate: "2026-01-10", Country: "KE",
			Reach: store.Reach{Girls: [3]int{100, 0, 0}}, Status: "final"},
	}
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
	s.spawn = func(fn func()) { fn() }
	w.SetContent(s.build())
	return s
}

func TestReportsScreenThisMonth(t *testing.T) {
	s := reportsFixture(t, "en")
	if err := s.reload(); err != nil {
		t.Fatal(err)
	}
	if got, want := s.totals.Text, "Activities: 2    Children reached: 25    Adults reached: 23"; got != want {
		t.Errorf("totals = %q, want %q", got, want)
	}
	if s.status.Text != "2026-05-01 – 2026-05-31" {
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
	view := s.win.Content()
	ctx := context.Background()
	st := s.st.(*store.Store)
	if _, err := st.CreateActivity(ctx, store.Activity{Kind: "other", Title: "Added later", StartDate: "2026-05-16",
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
	s.period.SetSelectedIndex(3)
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
	s.from.SetText("2026-12-31")
	s.to.SetText("2026-01-01")
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
	if err := s.reload(); err != nil {
		t.Fatal(err)
	}
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
