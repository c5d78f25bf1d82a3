package report_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// fixture stores five activities whose report figures are worked out by
// hand in TestComputeHandChecked.
func deviceStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mk := func(org, vis, kind, date, country, status string, themes []string, r model.Reach) model.Activity {
		return model.Activity{Meta: model.Meta{OrgID: org, Visibility: vis}, Kind: kind, Title: kind + " " + date,
			StartDate: date, Country: country, Themes: themes, Reach: r, Status: status}
	}
	as := []model.Activity{
		mk("o1", "org", "school_visit", "2026-01-10", "MW", "final", []string{"education", "child_labour"},
			model.Reach{Girls: [3]int{1, 2, 3}, Boys: [3]int{4, 5, 6}, Unrecorded: [3]int{0, 0, 1}, Adults: 10}),
		mk("o1", "network", "training", "2026-01-20", "MW", "draft", []string{"education"},
			model.Reach{Girls: [3]int{0, 10, 0}, Adults: 5}),
		mk("o2", "network", "training", "2026-03-05", "KE", "final", nil,
			model.Reach{Boys: [3]int{2, 0, 0}}),
		mk("o1", "org", "awareness_campaign", "2025-12-31", "TZ", "final", []string{"violence"},
			model.Reach{Girls: [3]int{5, 0, 0}, Adults: 1}),
		mk("o1", "org", "training", "2026-02-01", "MW", "final", []string{"education"},
			model.Reach{Girls: [3]int{100, 100, 100}, Adults: 100}),
	}
	if err := st.CreateActivities(ctx, as); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteActivity(ctx, as[4].ID); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestComputeHandChecked(t *testing.T) {
	t.Parallel()
	st := deviceStore(t)
	ctx := context.Background()
	q1 := report.Filter{From: "2026-01-01", To: "2026-03-31"}
	r, err := st.Report(ctx, q1)
	if err != nil {
		t.Fatal(err)
	}
	// 22 = 1+2+3+4+5+6+1 children in the school visit, 10 in the draft
	// training, 2 in the Kenyan one; the deleted and the 2025 rows are out.
	want := report.Report{
		Filter: q1, Activities: 3, Children: 34, Adults: 15,
		ByMonth:   []report.Bucket{{"2026-01", 2, 32, 15}, {"2026-03", 1, 2, 0}},
		ByTheme:   []report.Bucket{{"education", 2, 32, 15}, {"child_labour", 1, 22, 10}},
		ByKind:    []report.Bucket{{"training", 2, 12, 5}, {"school_visit", 1, 22, 10}},
		ByCountry: []report.Bucket{{"MW", 2, 32, 15}, {"KE", 1, 2, 0}},
		ByOrg:     []report.Bucket{{"o1", 2, 32, 15}, {"o2", 1, 2, 0}},
		BySexAge:  [3][3]int{{1, 12, 3}, {6, 5, 6}, {0, 0, 1}},
	}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("report:\n got %+v\nwant %+v", r, want)
	}
	if got := r.SexAgeCell("girls", "6_11"); got != 12 {
		t.Errorf("SexAgeCell(girls, 6_11) = %d, want 12", got)
	}
	series := r.MonthSeries()
	wantSeries := []report.Bucket{{"2026-01", 2, 32, 15}, {"2026-02", 0, 0, 0}, {"2026-03", 1, 2, 0}}
	if !reflect.DeepEqual(series, wantSeries) {
		t.Errorf("MonthSeries = %+v, want %+v", series, wantSeries)
	}

	cases := []struct {
		name             string
		f                report.Filter
		activities, kids int
	}{
		{"final only", report.Filter{From: "2026-01-01", To: "2026-03-31", FinalOnly: true}, 2, 24},
		{"one org", report.Filter{OrgIDs: []string{"o2"}}, 1, 2},
		{"network only", report.Filter{Visibility: "network"}, 2, 12},
		{"everything live", report.Filter{}, 4, 39},
		{"empty period", report.Filter{From: "2030-01-01", To: "2030-12-31"}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := st.Report(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if r.Activities != c.activities || r.Children != c.kids {
				t.Errorf("got %d activities, %d children; want %d, %d", r.Activities, r.Children, c.activities, c.kids)
			}
		})
	}
}

func TestPeriodRange(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 17, 15, 4, 0, 0, time.UTC)
	cases := []struct {
		p        report.Period
		from, to string
	}{
		{report.Period{Kind: report.ThisMonth}, "2026-05-01", "2026-05-31"},
		{report.Period{Kind: report.ThisQuarter}, "2026-04-01", "2026-06-30"},
		{report.Period{Kind: report.ThisYear}, "2026-01-01", "2026-12-31"},
		{report.Period{Kind: report.LastMonth}, "2026-04-01", "2026-04-30"},
		{report.Period{Kind: report.Last12Months}, "2025-05-01", "2026-04-30"},
		{report.Period{Kind: report.Custom, From: "2025-02-01", To: "2025-02-28"}, "2025-02-01", "2025-02-28"},
		{report.Period{Kind: report.Custom, From: "2025-02-01"}, "2025-02-01", ""},
	}
	for _, c := range cases {
		t.Run(string(c.p.Kind)+c.p.From, func(t *testing.T) {
			from, to, err := c.p.Range(now)
			if err != nil || from != c.from || to != c.to {
				t.Errorf("Range = %q, %q, %v; want %q, %q", from, to, err, c.from, c.to)
			}
		})
	}
	// February in a leap year and the last quarter.
	if f, to, _ := (report.Period{Kind: report.ThisMonth}).Range(time.Date(2028, 2, 10, 0, 0, 0, 0, time.UTC)); f != "2028-02-01" || to != "2028-02-29" {
		t.Errorf("leap February = %s..%s", f, to)
	}
	// Last month and the last 12 months seen from January, and from the
	// 31st of a month (a month back from 31 March is not 3 March).
	if f, to, _ := (report.Period{Kind: report.LastMonth}).Range(time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC)); f != "2026-12-01" || to != "2026-12-31" {
		t.Errorf("last month in January = %s..%s", f, to)
	}
	if f, to, _ := (report.Period{Kind: report.LastMonth}).Range(time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)); f != "2026-02-01" || to != "2026-02-28" {
		t.Errorf("last month on 31 March = %s..%s", f, to)
	}
	if f, to, _ := (report.Period{Kind: report.Last12Months}).Range(time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)); f != "2026-01-01" || to != "2026-12-31" {
		t.Errorf("last 12 months in January = %s..%s", f, to)
	}
	if f, to, _ := (report.Period{Kind: report.ThisQuarter}).Range(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)); f != "2026-10-01" || to != "2026-12-31" {
		t.Errorf("Q4 = %s..%s", f, to)
	}
}

func TestParsePeriodErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ kind, from, to string }{
		{"week", "", ""}, {"custom", "2026-13-01", ""}, {"custom", "", "tomorrow"}, {"custom", "2026-05-02", "2026-05-01"},
	} {
		if _, err := report.ParsePeriod(c.kind, c.from, c.to); !errors.Is(err, report.ErrPeriod) {
			t.Errorf("ParsePeriod(%q, %q, %q) error = %v, want ErrPeriod", c.kind, c.from, c.to, err)
		}
	}
	p, err := report.ParsePeriod("", "x", "y")
	if err != nil || p.Kind != report.ThisMonth || p.From != "" {
		t.Errorf("ParsePeriod default = %+v, %v", p, err)
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range [][3]string{{"month", "", ""}, {"last_month", "", ""}, {"last_12_months", "", ""}, {"custom", "2026-01-01", "2026-02-01"}, {"custom", "2026-02-30", ""}, {"x", "", ""}} {
		f.Add(s[0], s[1], s[2])
	}
	now := time.Date(2026, 5, 17, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, kind, from, to string) {
		p, err := report.ParsePeriod(kind, from, to)
		if err != nil {
			if !errors.Is(err, report.ErrPeriod) {
				t.Fatalf("error %v does not wrap ErrPeriod", err)
			}
			return
		}
		f, tt, err := p.Range(now)
		if err != nil {
			t.Fatalf("parsed period %+v does not give a range: %v", p, err)
		}
		if f != "" && tt != "" && f > tt {
			t.Fatalf("range %s..%s runs backwards", f, tt)
		}
	})
}

// The months of a report that reaches past today end at the current month,
// marked unfinished; months a planned activity falls in stay.
func TestMonthsUntil(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 3, 9, 0, 0, 0, time.UTC)
	r := report.Report{Filter: report.Filter{From: "2026-01-01", To: "2026-12-31"},
		ByMonth: []report.Bucket{{Key: "2026-02", Activities: 2, Children: 7}, {Key: "2026-05", Activities: 1}, {Key: "2026-09", Activities: 1}}}
	ms, partial := r.MonthsUntil(now)
	var keys []string
	for _, b := range ms {
		keys = append(keys, b.Key)
	}
	if got, want := strings.Join(keys, ","), "2026-01,2026-02,2026-03,2026-04,2026-05,2026-06,2026-07,2026-08,2026-09"; got != want {
		t.Errorf("months = %s, want %s", got, want)
	}
	if partial != 4 {
		t.Errorf("unfinished month at %d, want 4 (May)", partial)
	}
	r.ByMonth = r.ByMonth[:2]
	if ms, partial = r.MonthsUntil(now); len(ms) != 5 || partial != 4 {
		t.Errorf("without a planned activity: %d months, unfinished %d; want 5, 4", len(ms), partial)
	}
	r.Filter, r.ByMonth = report.Filter{From: "2025-05-01", To: "2026-04-30"}, r.ByMonth[:1]
	if ms, partial = r.MonthsUntil(now); len(ms) != 12 || partial != -1 {
		t.Errorf("last 12 months: %d months, unfinished %d; want 12, -1", len(ms), partial)
	}
}
