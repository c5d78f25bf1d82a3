package dashboard_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/internal/report/fixture"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/hub"
)

// aggregateOrgs is how many organizations the aggregate benchmark's
// activities come from, each with activities in every period it measures.
const aggregateOrgs = 200

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
		fixture.SQL(1_000_000, aggregateOrgs),
		// The organizations the activities belong to, in the hub's
		// directory: each with its record, as the hub adds one.
		`INSERT INTO orgs (id, name, country, created_at)
			WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ` + fmt.Sprint(aggregateOrgs) + `)
			SELECT 'org-' || i, 'Organization ' || i, 'MW', '2026-01-01T00:00:00Z' FROM n`,
		`INSERT INTO records (id, entity, org_id, visibility, version, hlc, last_by, last_clean, body, state)
			SELECT id, 'organization', id, 'network', 1, '1767225600000.0000000000.hub', 'hub', 1,
				json_object('name', name, 'country', country, 'visibility', 'network', 'created_by', 'hub',
					'created_at', created_at, 'deleted', 0, 'description', '', 'contact', ''), '{}'
			FROM orgs`,
	})
}

// hubPG is the same hub on PostgreSQL, for a run that keeps hubs there: a
// database of the test binary's shared server, made once and gone with
// the server at the end.
var hubPG struct {
	once sync.Once
	cfg  pgdb.Config
	err  error
}

// aggregateDB opens a pool on the 1,000,000-activity hub, on SQLite or,
// when the run keeps hubs on PostgreSQL, on PostgreSQL.
func aggregateDB(b *testing.B) *sql.DB {
	ctx := context.Background()
	if !dashboard.OnPostgres() {
		db, err := sql.Open("sqlite", "file:"+hubFixture(b)+"?_pragma=busy_timeout(10000)&_pragma=query_only(ON)")
		if err != nil {
			b.Fatal(err)
		}
		return db
	}
	hubPG.once.Do(func() {
		start := time.Now()
		if hubPG.cfg, hubPG.err = buildPostgresHub(ctx, b); hubPG.err == nil {
			b.Logf("built 1,000,000-activity hub on PostgreSQL in %v", time.Since(start).Round(time.Millisecond))
		}
	})
	if hubPG.err != nil {
		b.Fatal(hubPG.err)
	}
	db, err := pgdb.OpenPortable(ctx, hubPG.cfg)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// buildPostgresHub makes the hub of [hubFixture] in a new database of the
// shared PostgreSQL server: the same activities (fixture.PostgresSQL),
// summed into the rollup in one pass as the hub's batches do, the same
// organizations with their records, then ANALYZE.
func buildPostgresHub(ctx context.Context, b *testing.B) (pgdb.Config, error) {
	srv := pgtest.Shared(b)
	const name = "bench_hub_aggregate"
	if err := srv.CreateDB(ctx, name); err != nil {
		return pgdb.Config{}, err
	}
	cfg, err := pgdb.ParseURL(srv.URL(name))
	if err != nil {
		return cfg, err
	}
	h, err := hub.Open(ctx, b.TempDir(), hub.Options{Postgres: &cfg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return cfg, err
	}
	if err := h.Close(); err != nil {
		return cfg, err
	}
	db, err := pgdb.OpenPortable(ctx, cfg)
	if err != nil {
		return cfg, err
	}
	defer db.Close()
	stmts := []string{"INSERT INTO meta (key, value) VALUES ('" + report.RollupBatchKey + "', '1')", fixture.PostgresSQL(1_000_000, aggregateOrgs)}
	stmts = append(stmts, report.PortableGroupedSQL("", "activities a", ", ", "a.deleted = 0")...)
	stmts = append(stmts, "DELETE FROM meta WHERE key = '"+report.RollupBatchKey+"'",
		`INSERT INTO orgs (id, name, country, created_at)
			SELECT 'org-' || i, 'Organization ' || i, 'MW', '2026-01-01T00:00:00Z' FROM generate_series(0, `+fmt.Sprint(aggregateOrgs-1)+`) i`,
		`INSERT INTO records (id, entity, org_id, visibility, version, hlc, last_by, last_clean, body, state)
			SELECT id, 'organization', id, 'network', 1, '1767225600000.0000000000.hub', 'hub', 1,
				json_build_object('name', name, 'country', country, 'visibility', 'network', 'created_by', 'hub',
					'created_at', created_at, 'deleted', 0, 'description', '', 'contact', '')::text, '{}'
			FROM orgs`)
	err = pgdb.InTx(ctx, db, nil, func(tx *sql.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("fill the hub: %w", err)
			}
		}
		return nil
	})
	if err == nil {
		_, err = db.ExecContext(ctx, "ANALYZE")
	}
	return cfg, err
}

// TestMain shares one throwaway PostgreSQL server among the tests that
// keep their hub on it (see hubdb_test.go), and removes the benchmarks'
// fixture at the end.
func TestMain(m *testing.M) { pgtest.Main(m, hubDB.Remove) }

// BenchmarkHubAggregate computes what the coordinator's page shows — the
// network report and every organization's figures — over 1,000,000
// activities from 200 organizations, on SQLite or, when the run keeps
// hubs there, on PostgreSQL. Target: 1 s.
func BenchmarkHubAggregate(b *testing.B) {
	ctx := context.Background()
	db := aggregateDB(b)
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
			var orgs int
			start := time.Now()
			for b.Loop() {
				if r, err = report.Compute(ctx, db, c.f); err != nil {
					b.Fatal(err)
				}
				if orgs, err = h.OrganizationRows(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms")
			b.ReportMetric(float64(r.Activities), "activities")
			b.ReportMetric(float64(orgs), "organizations")
			if orgs != aggregateOrgs {
				b.Fatalf("the page shows %d organizations' figures, want %d", orgs, aggregateOrgs)
			}
		})
	}
}
