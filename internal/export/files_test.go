package export_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/a20-network/fieldbook/internal/export"
)

func TestFileNamesCellRoundTrips(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		names []string
		cell  string
	}{
		{"none", nil, ""},
		{"one", []string{"guide.pdf"}, "guide.pdf"},
		{"two", []string{"guide.pdf", "photo 1.jpg"}, "guide.pdf; photo 1.jpg"},
		{"a semicolon inside a name", []string{"minutes; May.pdf", "b.pdf"}, `minutes\; May.pdf; b.pdf`},
		{"a backslash inside a name", []string{`a\b.txt`}, `a\\b.txt`},
		{"any script", []string{"تقرير.pdf", "报告.docx", "ملف;٢.pdf"}, `تقرير.pdf; 报告.docx; ملف\;٢.pdf`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := export.JoinFileNames(c.names); got != c.cell {
				t.Errorf("JoinFileNames(%q) = %q, want %q", c.names, got, c.cell)
			}
			if got := export.SplitFileNames(c.cell); !slices.Equal(got, c.names) {
				t.Errorf("SplitFileNames(%q) = %q, want %q", c.cell, got, c.names)
			}
		})
	}
	// Typed by a person: no spaces, empty names, a backslash at the end.
	if got := export.SplitFileNames(" a.pdf;;b.jpg ; \\"); !slices.Equal(got, []string{"a.pdf", "b.jpg", `\`}) {
		t.Errorf("typed list read as %q", got)
	}
}

// FuzzSplitFileNames: any cell reads as names without surrounding spaces,
// none empty, and writing them back and reading again gives the same
// names.
func FuzzSplitFileNames(f *testing.F) {
	for _, s := range []string{"", "a.pdf; b.jpg", `minutes\; May.pdf`, `\`, `\\;\;`, ";;;", " x ; y ", "ملف;٢.pdf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		names := export.SplitFileNames(cell)
		for _, n := range names {
			if n == "" || strings.TrimSpace(n) != n {
				t.Fatalf("SplitFileNames(%q) gave name %q", cell, n)
			}
		}
		if again := export.SplitFileNames(export.JoinFileNames(names)); !slices.Equal(again, names) {
			t.Fatalf("names %q wrote as %q and read back as %q", names, export.JoinFileNames(names), again)
		}
	})
}

// TestActivityListNamesFiles: the activity list's last column names each
// activity's files, in CSV and on the XLSX sheet alike, under the
// language's heading.
func TestActivityListNamesFiles(t *testing.T) {
	t.Parallel()
	rows := []export.ActivityRow{
		{Date: "2026-01-02", Title: "Radio", Country: "MW", Kind: "training", Files: []string{"guide.pdf", "minutes; May.pdf"}},
		{Date: "2026-01-03", Title: "Visit", Country: "KE", Kind: "school_visit"},
	}
	tb := export.ActivityTable(rows, labels(t, "fr"))
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, tb); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	last := len(recs[0]) - 1
	if recs[0][last] != "Fichiers" || recs[1][last] != `guide.pdf; minutes\; May.pdf` || recs[2][last] != "" {
		t.Errorf("files column: header %q, rows %q and %q", recs[0][last], recs[1][last], recs[2][last])
	}
	if got := export.SplitFileNames(recs[1][last]); !slices.Equal(got, rows[0].Files) {
		t.Errorf("files cell reads back as %q", got)
	}
	buf.Reset()
	if err := export.WriteXLSX(&buf, []export.Table{tb}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xrows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(xrows) < 2 || xrows[1][len(xrows[0])-1] != `guide.pdf; minutes\; May.pdf` {
		t.Errorf("XLSX files cell: %q, %v", xrows, err)
	}
}
