package dashboard_test

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/internal/report/fixture"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/hub"
)

// hubDB is a hub database holding 1,000,000 activities from 200
// organizations (see fixture.SQL), built once per test process in a
// temporary folder removed at exit.
var hubDB fixture.Once

func hubFixture(b *testing.B) string {
	return hubDB.Path(b, hub.DBFile, "1,000,000-activity hub", func(ctx context.Context, path string) error {
		h, err := hub.Open(ctx, filepath.Dir(path), hub.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return err
		}
		return h.Close()
	}, []string{
		fixture.SQL(1_000_000, 200),
		// The organizations the activities belong to, in the hub's
		// directory: each with its record, as the hub adds one.
		`INSERT INTO orgs (id, name, country, created_at)
			WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 200)
			SELECT 'org-' || i, 'Organization ' || i, 'MW', '2026-01-01T00:00:00Z' FROM n`,
		`INSERT INTO records (id, entity, org_id, visibility, version, hlc, last_by, last_clean, body, state)
			SELECT id, 'organization', id, 'network', 1, '1767225600000.0000000000.hub', 'hub', 1,
				json_object('name', name, 'country', country, 'visibility', 'network', 'created_by', 'hub',
					'created_at', created_at, 'deleted', 0, 'description', '', 'contact', ''), '{}'
			FROM orgs`,
	})
}

// TestMain shares one throwaway PostgreSQL server among the tests that
// keep their hub on it (see hubdb_test.go), and removes the benchmarks'
// fixture at the end.
func TestMain(m *testing.M) { pgtest.Main(m, hubDB.Remove) }

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
	h, err := dashboard.New(ctx, dashboard.Options{DB: db, Bundle: bundle})
	if err != nil {
		b.Fatal(err)
	}
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
				if _, err := h.OrganizationRows(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms")
			b.ReportMetric(float64(r.Activities), "activities")
		})
	}
}
