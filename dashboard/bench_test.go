package dashboard

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/internal/report/fixture"
	"github.com/a20-network/fieldbook/locales"
)

// hub is a hub database holding 1,000,000 activities from 200
// organizations (see fixture.SQL), built once per test process in a
// temporary folder removed at exit.
var hub fixture.Once

func hubFixture(b *testing.B) string {
	return hub.Path(b, "hub.db", "1,000,000-activity hub", []string{
		// The hub searches with its own tables; full-text triggers only
		// slow the bulk load.
		"DROP TRIGGER IF EXISTS activities_fts_ai",
		fixture.SQL(1_000_000, 200),
		`INSERT INTO organizations (id, org_id, visibility, created_by, created_at, updated_at, name, country)
			 WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 200)
			 SELECT 'org-' || i, 'org-' || i, 'network', 'bench', '2026-01-01T00:00:00.000Z', '1767225600000.0000000000.bench', 'Organization ' || i, 'MW' FROM n`,
	}, Migrate)
}

func TestMain(m *testing.M) {
	code := m.Run()
	hub.Remove()
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
	orgs, err := orgSource(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	h := &Handler{db: db, bundle: bundle, orgs: orgs}
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
