package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/model"
)

// openTest opens a fresh store in a temporary folder, closed at cleanup.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), DBFile), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sampleActivity returns a valid activity for tests.
func sampleActivity() model.Activity {
	lat, lon := -13.98, 33.78
	return model.Activity{
		Kind: "school_visit", Title: "School visit in Lilongwe", StartDate: "2026-03-04", EndDate: "2026-03-05",
		Country: "MW", Place: "Lilongwe", Lat: &lat, Lon: &lon, Themes: []string{"education", "child_marriage"},
		Reach:    model.Reach{Girls: [3]int{0, 12, 30}, Boys: [3]int{0, 10, 25}, Adults: 8},
		Partners: "District education office", Summary: "Talked to pupils about early marriage.", Status: "final",
	}
}

func TestCreateUpdateDeleteWritesOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	a, err := s.CreateActivity(ctx, sampleActivity())
	if err != nil {
		t.Fatalf("CreateActivity: %v", err)
	}
	got, err := s.Activity(ctx, a.ID)
	if err != nil || got.Title != a.Title || got.Reach != a.Reach || *got.Lat != *a.Lat || len(got.Themes) != 2 {
		t.Fatalf("Activity = %+v, %v", got, err)
	}
	got.Title = "School visit in Lilongwe (2 days)"
	got.Reach.Girls[2] = 31
	if _, err := s.UpdateActivity(ctx, got); err != nil {
		t.Fatalf("UpdateActivity: %v", err)
	}
	if _, err := s.UpdateActivity(ctx, got); err != nil { // unchanged: no outbox row
		t.Fatalf("UpdateActivity again: %v", err)
	}
	if err := s.DeleteActivity(ctx, a.ID); err != nil {
		t.Fatalf("DeleteActivity: %v", err)
	}
	out, err := s.Outbox(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0].Op != OpCreate || out[1].Op != OpUpdate || out[2].Op != OpDelete {
		t.Fatalf("outbox = %+v", out)
	}
	if len(out[1].Changes) != 2 || string(out[1].Changes["girls_12_17"].Old) != "30" || string(out[1].Changes["girls_12_17"].New) != "31" {
		t.Fatalf("update changes = %+v", out[1].Changes)
	}
	if n, _ := s.CountActivities(ctx, ActivityFilter{}); n != 0 {
		t.Fatalf("deleted activity still listed: %d", n)
	}
	if err := s.RestoreActivity(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountActivities(ctx, ActivityFilter{Text: "lilong", Theme: "education"}); n != 1 {
		t.Fatalf("restored activity not found by search: %d", n)
	}
}

func TestValidationRejectsAndChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	bad := sampleActivity()
	bad.Title = ""
	bad.EndDate = "2026-03-01"
	bad.Reach.Boys[0] = -1
	bad.Themes = []string{"nonsense"}
	_, err := s.CreateActivity(ctx, bad)
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want ValidationError", err)
	}
	for _, f := range []string{"title", "end_date", "boys_0_5", "themes"} {
		if _, ok := ve.Field(f); !ok {
			t.Errorf("no error for %s in %v", f, ve)
		}
	}
	if st, _ := s.OutboxStats(ctx); st.Pending != 0 {
		t.Fatalf("rejected write queued %d changes", st.Pending)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFile)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.ExecContext(ctx, "PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path, Options{Now: time.Now}); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open newer = %v, want ErrNewerSchema", err)
	}
}

func TestNewDatabaseSettings(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	for _, tt := range []struct {
		pragma string
		want   string
	}{
		{"page_size", "16384"},
		{"journal_mode", "wal"},
		{"wal_autocheckpoint", "2048"}, // 32 MiB of log
	} {
		var got string
		if err := s.writer.QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil || got != tt.want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", tt.pragma, got, err, tt.want)
		}
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "Reports #2? 100% done")
	s, err := OpenDir(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateActivity(ctx, sampleActivity()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, DBFile)); err != nil {
		t.Fatalf("database not where it was asked to be: %v", err)
	}
	s, err = OpenDir(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.CountActivities(ctx, ActivityFilter{}); n != 1 {
		t.Fatalf("reopened store holds %d activities", n)
	}
}

func TestOpenRefusesAFileThatIsNotADatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), DBFile)
	os.WriteFile(path, []byte(strings.Repeat("not a database\n", 20)), 0o600)
	if _, err := Open(context.Background(), path, Options{}); err == nil || !strings.Contains(err.Error(), "not a Fieldbook database") {
		t.Fatalf("Open = %v", err)
	}
}

// TestCloseRefreshesStatistics imports a few thousand activities, closes the
// store as the app does when it quits, and finds the query planner's
// statistics for the activities table in the file: the next start plans
// its searches from real figures.
func TestCloseRefreshesStatistics(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFile)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	batch := make([]model.Activity, 3000)
	for i := range batch {
		batch[i] = fakeActivity(r)
	}
	if err := s.CreateActivities(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := s.reader.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'activities'").Scan(&n); err != nil {
		t.Fatalf("no statistics after closing: %v", err)
	}
	if n == 0 {
		t.Fatal("closing left no statistics for the activities table")
	}
}
