package activitycsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

func ptr(f float64) *float64 { return &f }

// activities covers what text can hold: scripts, commas, quotes, line
// breaks, leading spaces; and empty coordinates and themes.
func activities() []model.Activity {
	return []model.Activity{
		{
			Meta: model.Meta{ID: "01936f0e-7b1a-7c3d-8e4f-5a6b7c8d9e0f", OrgID: "org-mw-1", Visibility: "network"},
			Kind: "school_visit", Title: `Visit, "quoted", and more`, StartDate: "2026-03-04", EndDate: "2026-03-05",
			Country: "MW", Place: "Lilongwe", Lat: ptr(-13.9626), Lon: ptr(33.7741),
			Themes:   []string{"education", "child_marriage"},
			Reach:    model.Reach{Girls: [3]int{1, 2, 3}, Boys: [3]int{4, 5, 6}, Unrecorded: [3]int{7, 8, 9}, Adults: 10},
			Partners: "District office; chiefs", Summary: "Line one\nLine two, with comma\n\n\"Quoted\" end",
			FollowUp: "Call back", FollowUpDate: "2026-04-01", Status: "final",
		},
		{
			Meta: model.Meta{ID: "01936f0e-7b1a-7c3d-8e4f-000000000002", OrgID: "unassigned", Visibility: "org"},
			Kind: "awareness_campaign", Title: "ការ​ផ្សព្វផ្សាយ — حملة توعية — 宣传活动 — Кампания", StartDate: "2025-12-31",
			Country: "KH", Place: " Phnom Penh ", Themes: []string{},
			Summary: "ɓ ŋ ŵ  ʻokina ﷺ 🙂", Status: "draft",
		},
		{
			Meta: model.Meta{ID: "01936f0e-7b1a-7c3d-8e4f-000000000003", OrgID: "org-2", Visibility: "org"},
			Kind: "other", Title: "=SUM(A1) looks like a formula", StartDate: "2024-02-29",
			Country: "HU", Lat: ptr(0), Lon: ptr(-180), Themes: []string{"poverty"},
			Reach: model.Reach{Adults: 1_000_000}, Status: "final",
		},
	}
}

// normal makes an activity comparable: nil and empty theme lists are the
// same, and meta the CSV does not carry is dropped.
func normal(a model.Activity) model.Activity {
	a.Meta = model.Meta{ID: a.ID, OrgID: a.OrgID, Visibility: a.Visibility}
	if a.Themes == nil {
		a.Themes = []string{}
	}
	return a
}

func readAll(t *testing.T, data []byte) ([]model.Activity, []*RowError) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var out []model.Activity
	var bad []*RowError
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, bad
		}
		var re *RowError
		if errors.As(err, &re) {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		out = append(out, row.Activity)
	}
}

func write(t *testing.T, as []model.Activity) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, a := range as {
		if err := w.Write(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	want := activities()
	data := write(t, want)
	if !bytes.HasPrefix(data, []byte(BOM+"id,org_id,visibility,")) {
		t.Fatalf("file starts %q, want BOM and header", data[:40])
	}
	got, bad := readAll(t, data)
	if len(bad) > 0 {
		t.Fatalf("row errors: %v", bad)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d activities, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(normal(got[i]), normal(want[i])) {
			t.Errorf("activity %d:\n got %+v\nwant %+v", i, normal(got[i]), normal(want[i]))
		}
	}
	if again := write(t, got); !bytes.Equal(again, data) {
		t.Errorf("writing what was read differs:\n%s\n---\n%s", again, data)
	}
}

func TestEmptyExportHasHeader(t *testing.T) {
	t.Parallel()
	data := write(t, nil)
	if string(data) != BOM+strings.Join(Columns, ",")+"\n" {
		t.Fatalf("empty export = %q", data)
	}
	got, bad := readAll(t, data)
	if len(got) != 0 || len(bad) != 0 {
		t.Fatalf("read %v %v from an empty export", got, bad)
	}
}

func TestReadWithoutBOMAndReorderedColumns(t *testing.T) {
	t.Parallel()
	cols := slices.Clone(Columns)
	slices.Reverse(cols)
	rec := Record(activities()[0])
	slices.Reverse(rec)
	var buf bytes.Buffer
	buf.WriteString(strings.ToUpper(strings.Join(cols, " , ")) + "\n") // case and spaces around names are forgiven
	w := csv.NewWriter(&buf)
	w.Write(rec)
	w.Flush()
	got, bad := readAll(t, buf.Bytes())
	if len(bad) > 0 || len(got) != 1 || !reflect.DeepEqual(normal(got[0]), normal(activities()[0])) {
		t.Fatalf("got %+v, errors %v", got, bad)
	}
}

// TestFilesColumnNamesFilesAndAttachesNone: the files column names an
// activity's files ("; " between names, a ";" in a name escaped); reading
// returns the names beside the activity and never as its files, and a file
// written before the column existed reads as before.
func TestFilesColumnNamesFilesAndAttachesNone(t *testing.T) {
	t.Parallel()
	a := activities()[0]
	a.Files = []protocol.FileRef{
		{Hash: strings.Repeat("a", 64), Name: "guide.pdf", Size: 10, Type: "application/pdf"},
		{Hash: strings.Repeat("b", 64), Name: "minutes; May.pdf", Size: 20, Type: "application/pdf"},
	}
	data := write(t, []model.Activity{a})
	if !bytes.Contains(data, []byte(`,final,guide.pdf; minutes\; May.pdf`+"\n")) {
		t.Errorf("files column not written as names:\n%s", data)
	}
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(row.Files, []string{"guide.pdf", "minutes; May.pdf"}) || row.Activity.Files != nil {
		t.Errorf("read names %q and files %v; want the two names and no files", row.Files, row.Activity.Files)
	}
	// A file from before the column: every column but files.
	old := strings.Replace(string(write(t, activities()[:1])), ","+FilesColumn+"\n", "\n", 1)
	old = strings.Replace(old, ",final,\n", ",final\n", 1)
	got, bad := readAll(t, []byte(old))
	if len(bad) > 0 || len(got) != 1 || !reflect.DeepEqual(normal(got[0]), normal(activities()[0])) {
		t.Fatalf("file without a files column: got %+v, errors %v\n%s", got, bad, old)
	}
}

func TestHeaderErrors(t *testing.T) {
	t.Parallel()
	all := strings.Join(Columns, ",")
	tests := []struct {
		name, header string
		check        func(*HeaderError) bool
	}{
		{"empty file", "", func(e *HeaderError) bool { return e.Empty }},
		{"BOM only", BOM, func(e *HeaderError) bool { return e.Empty }},
		{"unknown column", all + ",colour", func(e *HeaderError) bool { return slices.Equal(e.Unknown, []string{`"colour"`}) }},
		{"missing column", strings.Replace(all, ",summary", "", 1), func(e *HeaderError) bool { return slices.Equal(e.Missing, []string{"summary"}) }},
		{"repeated column", all + ",title", func(e *HeaderError) bool { return slices.Equal(e.Duplicate, []string{"title"}) }},
		{"not our file", "name,age\nAda,36", func(e *HeaderError) bool {
			return len(e.Unknown) == 2 && len(e.Missing) == len(Columns)-1 && !slices.Contains(e.Missing, FilesColumn)
		}},
		{"repeated files column", all + ",files", func(e *HeaderError) bool { return slices.Equal(e.Duplicate, []string{FilesColumn}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewReader(strings.NewReader(tt.header + "\n"))
			if tt.header == "" {
				_, err = NewReader(strings.NewReader(""))
			}
			var he *HeaderError
			if !errors.As(err, &he) || !tt.check(he) {
				t.Fatalf("NewReader error = %#v", err)
			}
			if he.Error() == "" {
				t.Fatal("empty message")
			}
		})
	}
}

// row returns a CSV line for a valid activity with the given cells changed.
func row(t *testing.T, set map[string]string) string {
	t.Helper()
	rec := Record(activities()[0])
	rec[0] = "" // no id: rows in one table test must not repeat ids
	for k, v := range set {
		i := slices.Index(Columns, k)
		if i < 0 {
			t.Fatalf("no column %s", k)
		}
		rec[i] = v
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(rec)
	w.Flush()
	return buf.String()
}

func TestRowErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		set     map[string]string
		column  string
		reason  string
		message string
	}{
		{"missing title", map[string]string{"title": "  "}, "title", "required", "line 2: title: is required"},
		{"end before start", map[string]string{"end_date": "2026-03-01"}, "end_date", "end_before_start", "line 2: end_date: is before start_date"},
		{"bad date", map[string]string{"start_date": "04/03/2026"}, "start_date", "bad_date", `line 2: start_date: "04/03/2026" is not a date (want YYYY-MM-DD)`},
		{"negative count", map[string]string{"boys_6_11": "-3"}, "boys_6_11", "negative", "line 2: boys_6_11: is negative"},
		{"absurd count", map[string]string{"adults": "99999999"}, "adults", "too_large", "line 2: adults: is larger than 1000000"},
		{"count not a number", map[string]string{"girls_0_5": "twelve"}, "girls_0_5", ReasonNotInteger, `line 2: girls_0_5: "twelve" is not a whole number`},
		{"count with decimals", map[string]string{"girls_0_5": "1.5"}, "girls_0_5", ReasonNotInteger, `line 2: girls_0_5: "1.5" is not a whole number`},
		{"unknown kind", map[string]string{"kind": "picnic"}, "kind", "unknown_code", `line 2: kind: "picnic" is not a known code`},
		{"unknown theme", map[string]string{"themes": "education;fishing"}, "themes", "unknown_code", `line 2: themes: "fishing" is not a known code`},
		{"unknown country", map[string]string{"country": "XX"}, "country", "unknown_code", `line 2: country: "XX" is not a known code`},
		{"lat out of range", map[string]string{"lat": "91"}, "lat", "out_of_range", `line 2: lat: "91" is out of range`},
		{"lat not a number", map[string]string{"lat": "12°N"}, "lat", ReasonNotNumber, `line 2: lat: "12°N" is not a number`},
		{"lat without lon", map[string]string{"lon": ""}, "lon", "pair_required", "line 2: lon: lat and lon must be given together"},
		{"bad id", map[string]string{"id": "42"}, "id", ReasonBadID, `line 2: id: "42" is not a UUID`},
		{"title too long", map[string]string{"title": strings.Repeat("é", model.MaxTitle+1)}, "title", "too_long", "line 2: title: is longer than 200 characters"},
		{"bad visibility", map[string]string{"visibility": "public"}, "visibility", "unknown_code", `line 2: visibility: "public" is not a known code`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := BOM + strings.Join(Columns, ",") + "\n" + row(t, tt.set) + row(t, nil)
			got, bad := readAll(t, []byte(data))
			if len(got) != 1 {
				t.Errorf("read %d good rows, want the 1 good one", len(got))
			}
			if len(bad) != 1 {
				t.Fatalf("errors = %v, want one", bad)
			}
			fe := bad[0].Fields[0]
			if bad[0].Line != 2 || fe.Field != tt.column || fe.Reason != tt.reason {
				t.Errorf("error = line %d %+v, want line 2 %s %s", bad[0].Line, fe, tt.column, tt.reason)
			}
			if msg := bad[0].Problems()[0]; msg != tt.message {
				t.Errorf("message = %q, want %q", msg, tt.message)
			}
		})
	}
}

func TestRowErrorLinesAcrossMultilineCells(t *testing.T) {
	t.Parallel()
	head := strings.Join(Columns, ",") + "\n"
	data := head + row(t, map[string]string{"summary": "a\nb\nc"}) + row(t, map[string]string{"title": ""}) +
		"too,few,cells\n" + row(t, nil)
	got, bad := readAll(t, []byte(data))
	if len(got) != 2 || len(bad) != 2 {
		t.Fatalf("got %d good, %v bad", len(got), bad)
	}
	if bad[0].Line != 5 || bad[0].Fields[0].Field != "title" {
		t.Errorf("first error %v, want line 5 title", bad[0])
	}
	// The good row before it has a four-line summary: lines 5 to 8.
	if bad[1].Line != 9 || bad[1].Fields[0].Reason != ReasonFieldCount {
		t.Errorf("second error %v, want line 9 field count", bad[1])
	}
}

func TestDuplicateIDInFile(t *testing.T) {
	t.Parallel()
	a := activities()[0]
	data := write(t, []model.Activity{a, a})
	got, bad := readAll(t, data)
	if len(got) != 1 || len(bad) != 1 {
		t.Fatalf("got %d good, %v bad", len(got), bad)
	}
	if msg := bad[0].Problems()[0]; !strings.Contains(msg, "repeats the id of line 2") {
		t.Fatalf("message %q", msg)
	}
}

func TestSyntaxErrorIsARowError(t *testing.T) {
	t.Parallel()
	data := strings.Join(Columns, ",") + "\n" + `a "bare" quote` + strings.Repeat(",", len(Columns)-1) + "\n"
	_, bad := readAll(t, []byte(data))
	if len(bad) != 1 || bad[0].Line != 2 || bad[0].Fields[0].Reason != ReasonSyntax {
		t.Fatalf("errors = %v", bad)
	}
}

// FuzzRead feeds arbitrary bytes to the reader. It must never panic, every
// row it accepts must be a valid activity, and writing an accepted row and
// reading it back must give the same activity.
func FuzzRead(f *testing.F) {
	f.Add(string(writeSeed(activities())))
	f.Add(BOM + strings.Join(Columns, ",") + "\n")
	f.Add(strings.Join(Columns, ",") + "\n" + `"unterminated`)
	f.Add(strings.Join(Columns, ",") + "\n,,,,\n")
	f.Add("id,title\n1,2\n")
	f.Add("")
	f.Add(BOM + BOM)
	f.Add(strings.Join(Columns, ";") + "\n")
	f.Fuzz(func(t *testing.T, data string) {
		r, err := NewReader(strings.NewReader(data))
		if err != nil {
			return
		}
		for range 1000 {
			row, err := r.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *RowError
			if errors.As(err, &re) {
				if len(re.Fields) == 0 || re.Line < 1 || re.Error() == "" {
					t.Fatalf("row error without detail: %#v", re)
				}
				continue
			}
			if err != nil {
				return
			}
			a := row.Activity
			if err := a.Validate(); err != nil {
				t.Fatalf("accepted an invalid activity: %v", err)
			}
			back, bad := readAll(t, writeSeed([]model.Activity{a}))
			if len(bad) > 0 || len(back) != 1 {
				t.Fatalf("re-reading %+v: %v", a, bad)
			}
			if !reflect.DeepEqual(normal(back[0]), normal(crlf(a))) {
				t.Fatalf("round trip changed the activity:\n got %+v\nwant %+v", normal(back[0]), normal(a))
			}
		}
	})
}

// crlf applies what CSV does to line breaks in cells: CR LF reads as LF.
func crlf(a model.Activity) model.Activity {
	for _, p := range []*string{&a.Title, &a.Place, &a.Partners, &a.Summary, &a.FollowUp, &a.OrgID} {
		*p = strings.ReplaceAll(*p, "\r\n", "\n")
	}
	return a
}

func writeSeed(as []model.Activity) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, a := range as {
		w.Write(a)
	}
	w.Flush()
	return buf.Bytes()
}
