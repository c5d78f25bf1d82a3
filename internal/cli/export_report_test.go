package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

func TestExportReportFormats(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.OpenDir(ctx, dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.CreateActivities(ctx, []model.Activity{
		{Kind: "training", Title: "In range", StartDate: "2026-02-03", Country: "MW", Reach: model.Reach{Boys: [3]int{0, 4, 0}}, Status: "final"},
		{Kind: "training", Title: "Out of range", StartDate: "2025-02-03", Country: "MW", Reach: model.Reach{Boys: [3]int{0, 50, 0}}, Status: "final"},
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := func(name string) string { return filepath.Join(t.TempDir(), name) }
	cases := []struct {
		format string
		check  func(t *testing.T, b []byte)
	}{
		{"report-csv", func(t *testing.T, b []byte) {
			if !bytes.HasPrefix(b, []byte("\ufeffRésumé")) || !bytes.Contains(b, []byte("Enfants touchés,4")) {
				t.Errorf("CSV:\n%s", b)
			}
		}},
		{"xlsx", func(t *testing.T, b []byte) {
			f, err := excelize.OpenReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, _ := f.GetRows("Activités")
			if len(rows) != 2 || rows[1][1] != "In range" {
				t.Errorf("activities sheet = %v", rows)
			}
		}},
		{"pdf", func(t *testing.T, b []byte) {
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Error("not a PDF")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			path := out("report." + c.format)
			var stdout, stderr bytes.Buffer
			code := run([]string{"--data", dir, "--lang", "fr", "export", "--format", c.format, "--out", path,
				"--from", "2026-01-01", "--to", "2026-12-31"}, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, b)
		})
	}
	// A bad date is refused before anything is written.
	path := out("bad.pdf")
	var stderr bytes.Buffer
	if code := run([]string{"--data", dir, "export", "--format", "pdf", "--out", path, "--from", "2026-13-01"}, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), "--from") {
		t.Errorf("bad date: exit %d, %s", code, stderr.String())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a refused export left a file")
	}
}
