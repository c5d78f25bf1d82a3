package dashboard

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/report"
	"github.com/a20-network/fieldbook/report/fixture"
)

var (
	hubOnce sync.Once
	hubPath string
	hubErr  error
)

// hubFixture returns the path of a hub database holding 1,000,000
// activities from 200 organizations (see report's FixtureSQL), built once
// per test process in a temporary folder removed at exit.
func hubFixture(b *testing.B) string {
	hubOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fieldbook-hub-bench-")
		if err != nil {
			hubErr = err
			return
		}
		benchDirs = append(benchDirs, dir)
		hubPath = filepath.Join(dir, "hub.db")
		ctx := context.Background()
		start := time.Now()
		// The hub searches with its own tables; full-text triggers only
		// slow the bulk load.
		hubErr = fixture.Build(ctx, hubPath, []string{
			"DROP TRIGGER IF EXISTS activities_fts_ai",
			fixture.SQL(1_000_000, 200),
			`INSERT INTO organizations (id, org_id, visibility, created_by, created_at, updated_at, name, country)
			 WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 200)
			 SELECT 'org-' || i, 'org-' || i, 'network', 'bench', '2026-01-01T00:00:00.000Z', '1767225600000.0000000000.bench', 'Organization ' || i, 'MW' FROM n`,
		}, Migrate)
		if hubErr != nil {
			return
		}
		b.Logf("built 1,000,000-activity hub fixture in %v", time.Since(start).Round(time.Millisecond))
	})
	if hubErr != nil {
		b.Fatal(hubErr)
	}
	return hubPath
}

var benchDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// BenchmarkHubAggregate computes what the coordinator's page shows — the
// network report and every organization's figures — over 1,000,000
// activities from 200 organizations. Target: 1 s.
func BenchmarkHubAggregate(b *testing.B) {
	path := hubFixture(b)
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(ON)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bundle, _ := locales.Load("")
	h := &Handler{db: db, bundle: bundle}
	for _, c := range []struct {
		name string
		f    report.Filter
	}{
		{"year", report.Filter{From: "2025-01-01", To: "2025-12-31"}},
		{"all", report.Filter{}},
		{"custom", report.Filter{From: "2024-03-15", To: "2026-06-20"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var r report.Report
			start := time.Now()
			for b.Loop() {
				if r, err = report.Compute(ctx, db, c.f); err != nil {
					b.Fatal(err)
				}
				if _, err := h.byOrganization(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms")
			b.ReportMetric(float64(r.Activities), "activities")
		})
	}
}
