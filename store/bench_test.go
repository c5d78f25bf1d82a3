package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/model"
)

// benchRows is the size of the search and open fixture.
const benchRows = 100_000

var (
	fixtureOnce sync.Once
	fixtureDir  string // temporary folder holding the fixture; removed in TestMain
	fixturePath string
	fixtureErr  error
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		// The crash test's child runs only TestCrashChild; nothing to clean.
		os.Exit(m.Run())
	}
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// fixture returns the path of a closed database holding benchRows realistic
// activities, built once per test process.
func fixture(b *testing.B) string {
	b.Helper()
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "fieldbook-bench-")
		if fixtureErr != nil {
			return
		}
		fixturePath = filepath.Join(fixtureDir, DBFile)
		fixtureErr = buildFixture(fixturePath, benchRows)
	})
	if fixtureErr != nil {
		b.Fatalf("build fixture: %v", fixtureErr)
	}
	return fixturePath
}

func buildFixture(path string, n int) error {
	ctx := context.Background()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	const chunk = 1000
	for done := 0; done < n; done += chunk {
		batch := make([]model.Activity, min(chunk, n-done))
		for i := range batch {
			batch[i] = fakeActivity(r)
		}
		if err := s.CreateActivities(ctx, batch); err != nil {
			return err
		}
	}
	// A synced device has an empty outbox: acknowledge everything, as the
	// hub would, so the fixture is the steady state.
	out, err := s.Outbox(ctx, 0, 1<<30)
	if err != nil || len(out) == 0 {
		return fmt.Errorf("read outbox: %v", err)
	}
	// Closing refreshes the planner's statistics, as the app's does.
	return s.AckOutbox(ctx, out[len(out)-1].Seq, nil, nil)
}

// BenchmarkInsertActivities measures batched creation: CreateActivities in
// chunks of 500, as the importer does, with the report rollup and its
// covering index kept in step (every device database has them).
func BenchmarkInsertActivities(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), DBFile), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(3, 4))
	const chunk = 500
	batches := make([][]model.Activity, 8)
	for i := range batches {
		batches[i] = make([]model.Activity, chunk)
		for j := range batches[i] {
			batches[i][j] = fakeActivity(r)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		batch := slices.Clone(batches[i%len(batches)])
		for j := range batch {
			batch[j].ID = ""
		}
		if err := s.CreateActivities(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*chunk)/time.Since(start).Seconds(), "rows/s")
}

// searchQueries is a realistic mix: what people type and click in the
// activity list.
var searchQueries = []ActivityFilter{
	{Text: "children"}, // the most frequent content word: the slowest kind of text query
	{Text: "marriage"},
	{Text: "school"},
	{Text: "lilong"},
	{Text: "radio programme"},
	{Text: "trường"},
	{Text: "school", Country: "MW"},
	{Text: "violence", Theme: "violence", From: "2024-01-01"},
	{Text: "teachers", Kind: "training", Offset: 100},
	{Country: "KE"},
	{Theme: "child_labour"},
	{Kind: "school_visit", Status: "final"},
	{Country: "BD", Theme: "education", From: "2022-01-01", To: "2023-12-31"},
	{From: "2025-01-01", To: "2025-03-31"},
	{},
	{Offset: 5000},
	{Country: "PH", Offset: 1000},
	{Text: "community", Offset: 500},
}

// BenchmarkSearch runs the query mix over benchRows activities and reports
// the 95th-percentile latency of one query.
func BenchmarkSearch(b *testing.B) { benchSearch(b, Options{}) }

// BenchmarkSearchLowMemory is [BenchmarkSearch] on a store opened as the
// desktop app opens it, with [Options.LowMemory].
func BenchmarkSearchLowMemory(b *testing.B) { benchSearch(b, Options{LowMemory: true}) }

func benchSearch(b *testing.B, opts Options) {
	path := fixture(b)
	ctx := context.Background()
	s, err := Open(ctx, path, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, q := range searchQueries { // warm the page cache as a running app has
		if _, err := s.Activities(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := searchQueries[i%len(searchQueries)]
		t0 := time.Now()
		res, err := s.Activities(ctx, q)
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if len(res) == 0 && q.Offset == 0 {
			b.Fatalf("query %+v found nothing", q)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkOpen measures opening a benchRows-activity database and reading
// the first page of the list, as the app does at start.
func BenchmarkOpen(b *testing.B) {
	path := fixture(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		s, err := Open(ctx, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Activities(ctx, ActivityFilter{Limit: 50}); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms")
}
