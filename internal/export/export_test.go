package export_test

import (
	"golang.org/x/text/language"

	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/a20-network/fieldbook/internal/export"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/locales"
)

// sample is a report with hand-set figures: two months, two themes, two
// kinds, two countries.
func sample() report.Report {
	return report.Report{
		Filter:     report.Filter{From: "2026-01-01", To: "2026-03-31"},
		Activities: 3, Children: 34, Adults: 15,
		ByMonth:   []report.Bucket{{Key: "2026-01", Activities: 2, Children: 32, Adults: 15}, {Key: "2026-03", Activities: 1, Children: 2}},
		ByTheme:   []report.Bucket{{Key: "education", Activities: 2, Children: 32, Adults: 15}, {Key: "child_labour", Activities: 1, Children: 22, Adults: 10}},
		ByKind:    []report.Bucket{{Key: "training", Activities: 2, Children: 12, Adults: 5}, {Key: "school_visit", Activities: 1, Children: 22, Adults: 10}},
		ByCountry: []report.Bucket{{Key: "MW", Activities: 2, Children: 32, Adults: 15}, {Key: "KE", Activities: 1, Children: 2}},
		BySexAge:  [3][3]int{{1, 12, 3}, {6, 5, 6}, {0, 0, 1}},
	}
}

func labels(t *testing.T, lang string) export.Labels {
	t.Helper()
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return export.NewLabels(b.Localizer(lang), "2026-01-01", "2026-03-31")
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(export.BOM)) {
		t.Fatalf("CSV does not start with a byte-order mark: %q", b[:min(len(b), 10)])
	}
	r := csv.NewReader(bytes.NewReader(b[len(export.BOM):]))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse back: %v", err)
	}
	return recs
}

func TestCSVPerBreakdownParsesBack(t *testing.T) {
	t.Parallel()
	lb := labels(t, "fr")
	tables := export.Tables(sample(), lb)
	byKey := map[string]export.Table{}
	for _, tb := range tables {
		byKey[tb.Key] = tb
	}
	cases := []struct {
		key  string
		want [][]string
	}{
		{"month", [][]string{{"Mois", "Activités", "Enfants touchés", "Adultes touchés"},
			{"2026-01", "2", "32", "15"}, {"2026-02", "0", "0", "0"}, {"2026-03", "1", "2", "0"}}},
		{"country", [][]string{{"Pays", "Activités", "Enfants touchés", "Adultes touchés"},
			{"Malawi", "2", "32", "15"}, {"Kenya", "1", "2", "0"}}},
		{"sex_age", [][]string{{"Tranche d’âge", "Filles", "Garçons", "Non précisé", "Total"},
			{"0–5", "1", "6", "0", "7"}, {"6–11", "12", "5", "0", "17"}, {"12–17", "3", "6", "1", "10"}, {"Total", "16", "17", "1", "34"}}},
		{"summary", [][]string{{"Résumé", "Total"}, {"2026-01-01 – 2026-03-31", ""}, {"Activités", "3"}, {"Enfants touchés", "34"}, {"Adultes touchés", "15"}}},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			var buf bytes.Buffer
			if err := export.WriteCSV(&buf, byKey[c.key]); err != nil {
				t.Fatal(err)
			}
			got := readCSV(t, buf.Bytes())
			if len(got) != len(c.want) {
				t.Fatalf("got %d rows %v, want %v", len(got), got, c.want)
			}
			for i := range got {
				if strings.Join(got[i], "|") != strings.Join(c.want[i], "|") {
					t.Errorf("row %d = %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestSectionedCSV(t *testing.T) {
	t.Parallel()
	lb := labels(t, "en")
	tables := export.Tables(sample(), lb)
	var buf bytes.Buffer
	if err := export.WriteSectionedCSV(&buf, tables); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	var titles []string
	for _, r := range recs {
		if len(r) == 1 && r[0] != "" {
			titles = append(titles, r[0])
		}
	}
	want := []string{"Summary", "By month", "By theme", "By kind", "By country", "Children by sex and age band"}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Errorf("sections = %v, want %v", titles, want)
	}
	if !strings.Contains(buf.String(), "Child labour,1,22,10") {
		t.Errorf("theme row missing:\n%s", buf.String())
	}
}

func TestCSVDefusesFormulas(t *testing.T) {
	t.Parallel()
	tb := export.ActivityTable([]export.ActivityRow{{Date: "2026-01-02", Title: "=HYPERLINK(\"http://x\")", Summary: "+1", Country: "MW", Kind: "training"}}, labels(t, "en"))
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, tb); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	if recs[1][1] != "'=HYPERLINK(\"http://x\")" || recs[1][10] != "'+1" {
		t.Errorf("formula cells not defused: %v", recs[1])
	}
	if recs[1][3] != "Malawi" || recs[1][4] != "Training" {
		t.Errorf("codes not named: %v", recs[1])
	}
}

func TestXLSXSheetsValuesAndCharts(t *testing.T) {
	t.Parallel()
	lb := labels(t, "en")
	var buf bytes.Buffer
	if err := export.WriteXLSX(&buf, export.Tables(sample(), lb)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("XLSX does not open: %v", err)
	}
	defer f.Close()
	want := []string{"Summary", "By month", "By theme", "By kind", "By country", "Children by sex and age band"}
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	cells := []struct{ sheet, cell, want string }{
		{"Summary", "B3", "3"}, {"Summary", "B4", "34"},
		{"By month", "A3", "2026-02"}, {"By month", "C2", "32"},
		{"By kind", "A2", "Training"}, {"By kind", "B2", "2"},
		{"Children by sex and age band", "E4", "10"}, {"Children by sex and age band", "E5", "34"},
	}
	for _, c := range cells {
		if v, err := f.GetCellValue(c.sheet, c.cell); err != nil || v != c.want {
			t.Errorf("%s!%s = %q, %v; want %q", c.sheet, c.cell, v, err, c.want)
		}
	}
	// Numbers are stored as numbers, not text.
	if typ, _ := f.GetCellType("By kind", "B2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("B2 stored as text")
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var charts []string
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			charts = append(charts, string(b))
		}
	}
	if len(charts) != 5 {
		t.Fatalf("got %d charts, want 5 (month, theme, kind, country, sex and age)", len(charts))
	}
	all := strings.NewReplacer("&#39;", "'", "&apos;", "'").Replace(strings.Join(charts, "\n"))
	for _, ref := range []string{"'By month'!$B$2:$B$4", "<lineChart>", "<barChart>", "'Children by sex and age band'!$D$2:$D$4"} {
		if !strings.Contains(all, ref) {
			t.Errorf("charts lack %s", ref)
		}
	}
}

var pageObj = regexp.MustCompile(`/Type\s*/Page[^s]`)

func TestPDFOnePage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, lang, fontDir string
	}{
		{"noto font, French", "fr", ""},
		{"built-in font", "en", t.TempDir()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			r := sample()
			// Many countries: the chart keeps ten and sums the rest.
			for _, cc := range []string{"TZ", "IN", "MN", "PH", "TH", "VN", "LA", "BD", "ID", "KH", "KR", "LR"} {
				r.ByCountry = append(r.ByCountry, report.Bucket{Key: cc, Activities: 1})
			}
			if err := export.WritePDF(&buf, r, labels(t, c.lang), export.PDFOptions{FontDir: c.fontDir}); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", b[:min(len(b), 8)])
			}
			if n := len(pageObj.FindAll(b, -1)); n != 1 {
				t.Errorf("PDF has %d pages, want 1", n)
			}
			if !bytes.Contains(b, []byte("%%EOF")) {
				t.Error("PDF is not complete")
			}
		})
	}
}

func TestChartsLimitCategories(t *testing.T) {
	t.Parallel()
	r := sample()
	for _, cc := range []string{"TZ", "IN", "MN", "PH", "TH"} {
		r.ByCountry = append(r.ByCountry, report.Bucket{Key: cc, Activities: 1})
	}
	cs := export.Charts(r, labels(t, "en"), 4)
	country := cs[3]
	if len(country.Categories) != 4 || country.Categories[3] != "Other" || country.Series[0].Values[3] != 4 {
		t.Errorf("country chart = %v %v", country.Categories, country.Series)
	}
	if len(cs[4].Series) != 3 || cs[4].Series[0].Values[1] != 12 {
		t.Errorf("sex and age chart = %+v", cs[4])
	}
}

func TestPDFDrawsOnlyScriptsItHasFontsFor(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]bool{"en": true, "fr": true, "vi": true, "ru": true, "mn": true, "az": true,
		"ar": false, "km": false, "th": false, "lo": false, "hi": false, "bn": false, "zh-Hans": false, "ko": false} {
		if got := export.PDFDraws(language.MustParse(tag)); got != want {
			t.Errorf("PDFDraws(%s) = %v, want %v", tag, got, want)
		}
	}
}
