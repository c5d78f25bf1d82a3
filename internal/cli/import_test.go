package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/internal/activitycsv"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// runCmd runs the fieldbook command line and returns its exit status and
// output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func ptr(f float64) *float64 { return &f }

// seed stores activities in a data folder and returns them as stored.
func seed(t *testing.T, dir string) []model.Activity {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenDir(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	as := []model.Activity{
		{Kind: "school_visit", Title: "Visit, with \"quotes\"", StartDate: "2026-03-04", Country: "MW", Place: "Zomba",
			Lat: ptr(-15.38), Lon: ptr(35.33), Themes: []string{"education"}, Reach: model.Reach{Girls: [3]int{1, 2, 3}, Adults: 4},
			Summary: "Two lines\nof summary, with a comma", Status: "final"},
		{Kind: "community_dialogue", Title: "Диалог с общиной — 社区对话", StartDate: "2025-11-20", Country: "AZ",
			Summary: "Ünïcödé ✓", Status: "draft", Meta: model.Meta{Visibility: model.VisibilityNetwork}},
		{Kind: "training", Title: "Old training", StartDate: "2023-01-15", Country: "KE", Status: "final", Partners: "Teachers' union"},
	}
	for i := range as {
		a, err := st.CreateActivity(ctx, as[i])
		if err != nil {
			t.Fatal(err)
		}
		as[i] = a
	}
	return as
}

// readCSV parses an export file.
func readCSV(t *testing.T, path string) []model.Activity {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := activitycsv.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Activity
	for {
		row, err := r.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatalf("read %s: %v", path, err)
		}
		out = append(out, row.Activity)
	}
}

func stored(t *testing.T, dir string) (map[string]model.Activity, int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenDir(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := map[string]model.Activity{}
	err = st.WalkActivities(ctx, store.ActivityFilter{}, func(a model.Activity) error {
		m[a.ID] = a
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	stats, err := st.OutboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return m, stats.Pending
}

// content is what the CSV carries of an activity.
func content(a model.Activity) model.Activity {
	a.Meta = model.Meta{ID: a.ID, OrgID: a.OrgID, Visibility: a.Visibility}
	if a.Themes == nil {
		a.Themes = []string{}
	}
	return a
}

func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	src, dst := filepath.Join(tmp, "src"), filepath.Join(tmp, "dst")
	want := seed(t, src)
	file := filepath.Join(tmp, "activities.csv")
	if code, out, errOut := runCmd(t, "--data", src, "export", "--format", "csv", "--out", file); code != 0 {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte(activitycsv.BOM+"id,")) {
		t.Fatalf("export starts %q, want the UTF-8 BOM and header", data[:20])
	}

	code, out, errOut := runCmd(t, "--data", dst, "import", file)
	if code != 0 || !strings.Contains(out, "imported: 3 (new 3, updated 0, unchanged 0)\nfailed: 0\n") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	got, pending := stored(t, dst)
	if len(got) != len(want) || pending != len(want) {
		t.Fatalf("imported %d activities with %d outbox rows, want %d", len(got), pending, len(want))
	}
	for _, a := range want {
		if !reflect.DeepEqual(content(got[a.ID]), content(a)) {
			t.Errorf("activity %s:\n got %+v\nwant %+v", a.ID, content(got[a.ID]), content(a))
		}
	}

	// The second store's export holds exactly the same activities.
	again := filepath.Join(tmp, "again.csv")
	if code, _, errOut := runCmd(t, "--data", dst, "export", "--out", again); code != 0 {
		t.Fatalf("export again: %s", errOut)
	}
	a1, a2 := readCSV(t, file), readCSV(t, again)
	key := func(a, b model.Activity) int { return strings.Compare(a.ID, b.ID) }
	slices.SortFunc(a1, key)
	slices.SortFunc(a2, key)
	if !reflect.DeepEqual(a1, a2) {
		t.Fatalf("exports differ:\n%+v\n%+v", a1, a2)
	}

	// Importing the same file again duplicates nothing and queues nothing.
	code, out, errOut = runCmd(t, "--data", dst, "import", file)
	if code != 0 || !strings.Contains(out, "imported: 3 (new 0, updated 0, unchanged 3)") {
		t.Fatalf("re-import: %d %q %q", code, out, errOut)
	}
	if got2, pending2 := stored(t, dst); len(got2) != 3 || pending2 != pending {
		t.Fatalf("re-import left %d activities and %d outbox rows, want 3 and %d", len(got2), pending2, pending)
	}
}

func TestImportReportsBadRowsAndKeepsGoodOnes(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	var buf bytes.Buffer
	w := activitycsv.NewWriter(&buf)
	good := model.Activity{Meta: model.Meta{Visibility: "org"}, Kind: "training", Title: "Good", StartDate: "2026-01-10", Country: "TZ", Status: "final"}
	bad := good
	bad.Title = ""
	worse := good
	worse.EndDate = "2026-01-01"
	worse.Country = "ZZ"
	for _, a := range []model.Activity{good, bad, good, worse} {
		w.Write(a)
	}
	w.Flush()
	file := filepath.Join(tmp, "in.csv")
	os.WriteFile(file, buf.Bytes(), 0o600)
	data := filepath.Join(tmp, "data")
	code, out, errOut := runCmd(t, "--data", data, "import", file)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (out %q, err %q)", code, out, errOut)
	}
	for _, want := range []string{
		"imported: 2 (new 2, updated 0, unchanged 0)\nfailed: 2\n",
		"line 3: title: is required\n",
		"line 5: end_date: is before start_date\n",
		"line 5: country: \"ZZ\" is not a known code\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "2 rows failed") {
		t.Errorf("stderr = %q", errOut)
	}
	if got, pending := stored(t, data); len(got) != 2 || pending != 2 {
		t.Fatalf("stored %d activities, %d outbox rows; want 2 and 2", len(got), pending)
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		content  string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown column", strings.Join(activitycsv.Columns, ",") + ",colour\n", nil, 1, `unknown column(s) "colour"`},
		{"missing columns", "id,title\n", nil, 1, "missing column(s) org_id"},
		{"empty file", "", nil, 1, "the file is empty"},
		{"no such file", "", []string{"import", "does-not-exist.csv"}, 1, "does-not-exist.csv"},
		{"no file argument", "", []string{"import"}, 2, "want exactly one file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			file := filepath.Join(tmp, "in.csv")
			os.WriteFile(file, []byte(tt.content), 0o600)
			args := tt.args
			if args == nil {
				args = []string{"import", file}
			}
			data := filepath.Join(tmp, "data")
			code, _, errOut := runCmd(t, append([]string{"--data", data}, args...)...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, tt.wantCode, tt.wantErr)
			}
			if _, err := os.Stat(filepath.Join(data, store.DBFile)); err == nil {
				if got, pending := stored(t, data); len(got) != 0 || pending != 0 {
					t.Fatalf("a refused file wrote %d activities", len(got))
				}
			}
		})
	}
}

func TestImportHandMadeFileWithoutBOM(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	header := strings.Join(activitycsv.Columns, ",")
	row := make([]string, len(activitycsv.Columns))
	set := map[string]string{"kind": "media_engagement", "title": "Radio talk", "start_date": "2026-05-01", "country": "lr", "status": "final", "themes": "violence; online_safety"}
	for i, c := range activitycsv.Columns {
		row[i] = set[c]
	}
	file := filepath.Join(tmp, "hand.csv")
	os.WriteFile(file, []byte(header+"\r\n"+strings.Join(row, ",")+"\r\n"), 0o600)
	data := filepath.Join(tmp, "data")
	if code, out, errOut := runCmd(t, "--data", data, "import", file); code != 0 {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	got, _ := stored(t, data)
	if len(got) != 1 {
		t.Fatalf("stored %d", len(got))
	}
	for _, a := range got {
		if a.Country != "LR" || !slices.Equal(a.Themes, []string{"violence", "online_safety"}) || a.Visibility != "org" || a.Lat != nil {
			t.Fatalf("stored %+v", a)
		}
	}
}

func TestExportCSVFiltersByStartDate(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	seed(t, data)
	tests := []struct {
		name     string
		args     []string
		wantDate []string
	}{
		{"all", nil, []string{"2026-03-04", "2025-11-20", "2023-01-15"}},
		{"from", []string{"--from", "2025-01-01"}, []string{"2026-03-04", "2025-11-20"}},
		{"to", []string{"--to", "2025-11-20"}, []string{"2025-11-20", "2023-01-15"}},
		{"between", []string{"--from", "2024-01-01", "--to", "2025-12-31"}, []string{"2025-11-20"}},
		{"none", []string{"--from", "2027-01-01"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "out.csv")
			args := append([]string{"--data", data, "export", "--format", "csv", "--out", file}, tt.args...)
			if code, _, errOut := runCmd(t, args...); code != 0 {
				t.Fatalf("export: %s", errOut)
			}
			var dates []string
			for _, a := range readCSV(t, file) {
				dates = append(dates, a.StartDate)
			}
			if !slices.Equal(dates, tt.wantDate) {
				t.Fatalf("exported start dates %v, want %v", dates, tt.wantDate)
			}
		})
	}
}

// TestExportImportKeepsStoredFiles: the export's files column names an
// activity's attached files; importing the file back never attaches or
// drops files: the activity on this device keeps its own (unchanged, or
// edited in the file), one new to the device gets none, and the output
// says so.
func TestExportImportKeepsStoredFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tmp := t.TempDir()
	src, dst := filepath.Join(tmp, "src"), filepath.Join(tmp, "dst")
	a := seed(t, src)[0]
	guide := filepath.Join(tmp, "minutes; May.pdf")
	if err := os.WriteFile(guide, []byte("%PDF-1.4\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCmd(t, "--data", src, "attach", "--activity", a.ID, guide); code != 0 {
		t.Fatalf("attach: %d %s %s", code, out, errOut)
	}
	file := filepath.Join(tmp, "activities.csv")
	if code, out, errOut := runCmd(t, "--data", src, "export", "--out", file); code != 0 {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	data, _ := os.ReadFile(file)
	if !strings.Contains(string(data), ",files\n") || !strings.Contains(string(data), `,final,minutes\; May.pdf`+"\n") {
		t.Fatalf("export lacks the files column naming the file:\n%s", data)
	}
	note := "note: 1 row(s) name attached files in the files column. Import does not attach files"
	filesOf := func(dir string) []string {
		t.Helper()
		st, err := store.OpenDir(ctx, dir, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		got, err := st.Activity(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range got.Files {
			names = append(names, f.Name)
		}
		return names
	}

	code, out, errOut := runCmd(t, "--data", src, "import", file)
	if code != 0 || !strings.Contains(out, "imported: 3 (new 0, updated 0, unchanged 3)") || !strings.Contains(out, note) {
		t.Fatalf("import into the same store: %d %q %q", code, out, errOut)
	}
	if got := filesOf(src); !slices.Equal(got, []string{"minutes; May.pdf"}) {
		t.Errorf("after importing its own export the activity has files %q", got)
	}
	edited := strings.Replace(string(data), "Visit, with \"\"quotes\"\"", "Visit, edited", 1)
	if edited == string(data) {
		t.Fatal("the title to edit is not in the file")
	}
	os.WriteFile(file, []byte(edited), 0o600)
	if code, out, errOut = runCmd(t, "--data", src, "import", file); code != 0 || !strings.Contains(out, "updated 1") {
		t.Fatalf("import of an edit: %d %q %q", code, out, errOut)
	}
	if got := filesOf(src); !slices.Equal(got, []string{"minutes; May.pdf"}) {
		t.Errorf("after an edit in the file the activity has files %q", got)
	}

	if code, out, errOut = runCmd(t, "--data", dst, "import", file); code != 0 || !strings.Contains(out, "new 3") || !strings.Contains(out, note) {
		t.Fatalf("import into another store: %d %q %q", code, out, errOut)
	}
	if got := filesOf(dst); len(got) != 0 {
		t.Errorf("import attached %q from names alone", got)
	}
}
