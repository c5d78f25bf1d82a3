// Package export writes reports and activity lists as files people open
// elsewhere: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read
// every script), XLSX with a sheet and a native chart per breakdown, and a
// one-page PDF summary with the charts.
//
// Every heading and code name comes from [Labels], already localized; the
// same tables feed every format, so a CSV, an XLSX and a PDF of one report
// always agree.
package export

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/a20-network/fieldbook/internal/chart"
	"github.com/a20-network/fieldbook/internal/codes"
	"github.com/a20-network/fieldbook/internal/report"
)

// Labels is the localized text an export shows.
type Labels struct {
	// Title heads the report ("Fieldbook report").
	Title string
	// Period describes the dates covered, such as "2026-01-01 – 2026-03-31".
	Period string
	// Section headings: a title for each breakdown.
	Summary, ByMonth, ByTheme, ByKind, ByCountry, SexAge string
	// Column headings.
	Month, Theme, Kind, Country, AgeBand, Activities, Children, Adults, Total string
	// Other names the sum of the categories a chart leaves out; NoData is
	// shown in place of an empty chart.
	Other, NoData string
	// Activity-list headings: the title and summary columns, and the others.
	ActivityTitle, ActivitySummary, Date, Organization, Place, Status string
	// Files heads the column of attached files' names.
	Files string
	// Code names a code of a [codes] list ("kind", "theme", "sex",
	// "ageband", "status" or "country"); nil shows the code itself.
	Code func(list, code string) string
}

func (lb Labels) code(list, c string) string {
	if lb.Code == nil {
		return c
	}
	if s := lb.Code(list, c); s != "" {
		return s
	}
	return c
}

// Table is one breakdown as rows of cells. Cells are string or int, so
// spreadsheets keep numbers as numbers.
type Table struct {
	// Key is a stable name for file and sheet names ("month", "theme" …).
	Key string
	// Title is the localized heading.
	Title  string
	Header []string
	Rows   [][]any
	// Chart says how the table is charted: Line over months, else Bars.
	Chart chart.Kind
}

// Tables returns the report's breakdowns: summary, month, theme, kind,
// country, and children by sex and age band, in that order.
func Tables(r report.Report, lb Labels) []Table {
	head := []string{"", lb.Activities, lb.Children, lb.Adults}
	summary := Table{Key: "summary", Title: lb.Summary, Header: []string{lb.Summary, lb.Total}, Rows: [][]any{
		{lb.Period, ""}, {lb.Activities, r.Activities}, {lb.Children, r.Children}, {lb.Adults, r.Adults},
	}}
	if lb.Period == "" {
		summary.Rows = summary.Rows[1:]
	}
	bucketTable := func(key, title, col, list string, bs []report.Bucket, kind chart.Kind) Table {
		h := slices.Clone(head)
		h[0] = col
		t := Table{Key: key, Title: title, Header: h, Chart: kind, Rows: [][]any{}}
		for _, b := range bs {
			name := b.Key
			if list != "" {
				name = lb.code(list, b.Key)
			}
			t.Rows = append(t.Rows, []any{name, b.Activities, b.Children, b.Adults})
		}
		return t
	}
	sexAge := Table{Key: "sex_age", Title: lb.SexAge, Header: []string{lb.AgeBand}, Chart: chart.Bars}
	for _, s := range codes.Sexes.Codes {
		sexAge.Header = append(sexAge.Header, lb.code("sex", s))
	}
	sexAge.Header = append(sexAge.Header, lb.Total)
	var colTotals [4]int
	for bi, band := range codes.AgeBands.Codes {
		row := []any{lb.code("ageband", band)}
		sum := 0
		for si := range codes.Sexes.Codes {
			v := r.BySexAge[si][bi]
			row = append(row, v)
			sum += v
			colTotals[si] += v
		}
		colTotals[3] += sum
		sexAge.Rows = append(sexAge.Rows, append(row, sum))
	}
	sexAge.Rows = append(sexAge.Rows, []any{lb.Total, colTotals[0], colTotals[1], colTotals[2], colTotals[3]})
	return []Table{
		summary,
		bucketTable("month", lb.ByMonth, lb.Month, "", r.MonthSeries(), chart.Line),
		bucketTable("theme", lb.ByTheme, lb.Theme, "theme", r.ByTheme, chart.Bars),
		bucketTable("kind", lb.ByKind, lb.Kind, "kind", r.ByKind, chart.Bars),
		bucketTable("country", lb.ByCountry, lb.Country, "country", r.ByCountry, chart.Bars),
		sexAge,
	}
}

// Charts returns the report's charts: activities and children by month
// (line), by theme, kind and country (bars, at most limit categories each
// with the rest summed under Other; limit 0 means all), and children by age
// band and sex (grouped bars).
func Charts(r report.Report, lb Labels, limit int) []chart.Chart {
	bars := func(title, list string, bs []report.Bucket) chart.Chart {
		c := chart.Chart{Kind: chart.Bars, Title: title, Empty: lb.NoData}
		s := chart.Series{Name: lb.Activities}
		var rest float64
		for i, b := range bs {
			if limit > 0 && i >= limit-1 && len(bs) > limit {
				rest += float64(b.Activities)
				continue
			}
			c.Categories = append(c.Categories, lb.code(list, b.Key))
			s.Values = append(s.Values, float64(b.Activities))
		}
		if rest > 0 {
			c.Categories = append(c.Categories, lb.Other)
			s.Values = append(s.Values, rest)
		}
		if len(c.Categories) > 0 {
			c.Series = []chart.Series{s}
		}
		return c
	}
	month := chart.Chart{Kind: chart.Line, Title: lb.ByMonth, Empty: lb.NoData}
	acts, kids := chart.Series{Name: lb.Activities}, chart.Series{Name: lb.Children}
	for _, b := range r.MonthSeries() {
		month.Categories = append(month.Categories, b.Key)
		acts.Values = append(acts.Values, float64(b.Activities))
		kids.Values = append(kids.Values, float64(b.Children))
	}
	if len(month.Categories) > 0 {
		month.Series = []chart.Series{acts, kids}
	}
	sexAge := chart.Chart{Kind: chart.Bars, Title: lb.SexAge, Empty: lb.NoData}
	for _, band := range codes.AgeBands.Codes {
		sexAge.Categories = append(sexAge.Categories, lb.code("ageband", band))
	}
	for si, s := range codes.Sexes.Codes {
		ser := chart.Series{Name: lb.code("sex", s)}
		for bi := range codes.AgeBands.Codes {
			ser.Values = append(ser.Values, float64(r.BySexAge[si][bi]))
		}
		sexAge.Series = append(sexAge.Series, ser)
	}
	if r.Children == 0 {
		sexAge.Series = nil
	}
	return []chart.Chart{
		month,
		bars(lb.ByTheme, "theme", r.ByTheme),
		bars(lb.ByKind, "kind", r.ByKind),
		bars(lb.ByCountry, "country", r.ByCountry),
		sexAge,
	}
}

// sheetName makes a valid, unique Excel sheet name from title: at most 31
// characters, none of []:*?/\, not empty.
func sheetName(title, fallback string, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(title))
	if name == "" {
		name = fallback
	}
	name = truncateRunes(name, 31)
	base := name
	for i := 2; used[strings.ToLower(name)]; i++ {
		suffix := " " + strconv.Itoa(i)
		name = truncateRunes(base, 31-len(suffix)) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

func truncateRunes(s string, n int) string {
	for utf8.RuneCountInString(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// ActivityRow is one activity in a list export. Only records the reader may
// see in full belong in one.
type ActivityRow struct {
	Date, Title, Organization, Country, Kind, Place, Status, Summary string
	Themes                                                           []string
	Children, Adults                                                 int
	// Files are the names of the attached files, in the record's order.
	Files []string
}

// ActivityTable returns rows as a table for the list exports. The last
// column lists each activity's files by name (see [JoinFileNames]).
func ActivityTable(rows []ActivityRow, lb Labels) Table {
	t := Table{Key: "activities", Title: lb.Activities, Chart: chart.Bars, Rows: [][]any{},
		Header: []string{lb.Date, lb.ActivityTitle, lb.Organization, lb.Country, lb.Kind, lb.Theme, lb.Place, lb.Status, lb.Children, lb.Adults, lb.ActivitySummary, lb.Files}}
	for _, a := range rows {
		themes := make([]string, len(a.Themes))
		for i, th := range a.Themes {
			themes[i] = lb.code("theme", th)
		}
		status := ""
		if a.Status != "" {
			status = lb.code("status", a.Status)
		}
		t.Rows = append(t.Rows, []any{a.Date, a.Title, a.Organization, lb.code("country", a.Country), lb.code("kind", a.Kind),
			strings.Join(themes, "; "), a.Place, status, a.Children, a.Adults, a.Summary, JoinFileNames(a.Files)})
	}
	return t
}
