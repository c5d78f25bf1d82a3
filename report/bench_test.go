package report_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/report"
	"github.com/a20-network/fieldbook/store"
)

// FixtureSQL fills the activities table with n generated activities from
// orgs organizations over three years (2024–2026): eight kinds, twenty
// countries, one or two of twelve themes, every reach cell set, one in 97
// tombstoned, one in ten a draft, one in three shared. It is one INSERT …
// SELECT over a recursive CTE, so a million rows take seconds.
func FixtureSQL(n, orgs int) string {
	return fmt.Sprintf(`INSERT INTO activities (id, org_id, visibility, created_by, created_at, updated_at, deleted, version,
		kind, title, start_date, country, themes,
		girls_0_5, girls_6_11, girls_12_17, boys_0_5, boys_6_11, boys_12_17, unrecorded_0_5, unrecorded_6_11, unrecorded_12_17,
		adults, summary, status)
	WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < %d)
	SELECT printf('bench-%%09d', i), 'org-' || (i %% %d), CASE WHEN i %% 3 = 0 THEN 'network' ELSE 'org' END,
		'bench', '2026-01-01T00:00:00.000Z', '1767225600000.0000000000.bench', CASE WHEN i %% 97 = 0 THEN 1 ELSE 0 END, 0,
		json_extract('["training","awareness_campaign","community_dialogue","school_visit","policy_meeting","media_engagement","case_referral","other"]', '$[' || (i %% 8) || ']'),
		'Activity ' || i, date('2024-01-01', '+' || ((i * 7919) %% 1096) || ' days'),
		json_extract('["MW","KE","TZ","LR","ZW","SD","MU","IN","MN","PH","TH","VN","LA","BD","ID","KH","KR","HU","AL","AZ"]', '$[' || (i %% 20) || ']'),
		CASE WHEN i %% 4 = 0 THEN json_array(json_extract('["child_labour","child_marriage","education","violence","online_safety","birth_registration","health_nutrition","disability_inclusion","conflict_displacement","climate_environment","juvenile_justice","poverty"]', '$[' || (i %% 12) || ']'))
			ELSE json_array(json_extract('["child_labour","child_marriage","education","violence","online_safety","birth_registration","health_nutrition","disability_inclusion","conflict_displacement","climate_environment","juvenile_justice","poverty"]', '$[' || (i %% 12) || ']'),
				json_extract('["child_labour","child_marriage","education","violence","online_safety","birth_registration","health_nutrition","disability_inclusion","conflict_displacement","climate_environment","juvenile_justice","poverty"]', '$[' || ((i / 12 + 5) %% 12) || ']')) END,
		i %% 5, i %% 7, i %% 3, i %% 4, i %% 6, i %% 2, i %% 3, 0, i %% 2,
		i %% 11, 'Generated summary text for activity ' || i, CASE WHEN i %% 10 = 0 THEN 'draft' ELSE 'final' END
	FROM n`, n, orgs)
}

var (
	deviceOnce sync.Once
	devicePath string
	deviceErr  error
)

// deviceFixture returns the path of a device database holding 100,000
// activities, built once per test process in a temporary folder.
func deviceFixture(b *testing.B) string {
	deviceOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fieldbook-bench-")
		if err != nil {
			deviceErr = err
			return
		}
		benchDirs = append(benchDirs, dir)
		devicePath = filepath.Join(dir, store.DBFile)
		ctx := context.Background()
		st, err := store.Open(ctx, devicePath, store.Options{})
		if err != nil {
			deviceErr = err
			return
		}
		st.Close()
		db, err := sql.Open("sqlite", "file:"+devicePath+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		if err != nil {
			deviceErr = err
			return
		}
		defer db.Close()
		start := time.Now()
		if _, err := db.ExecContext(ctx, FixtureSQL(100_000, 1)); err != nil {
			deviceErr = fmt.Errorf("fill fixture: %w", err)
			return
		}
		if err := report.Migrate(ctx, db); err != nil {
			deviceErr = err
			return
		}
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			deviceErr = err
			return
		}
		b.Logf("built 100,000-activity device fixture in %v", time.Since(start).Round(time.Millisecond))
	})
	if deviceErr != nil {
		b.Fatal(deviceErr)
	}
	return devicePath
}

// benchDirs are removed when the test binary ends.
var benchDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// BenchmarkDeviceReport computes a year's report and the all-time report
// over a device holding 100,000 activities. Target: 150 ms per report.
func BenchmarkDeviceReport(b *testing.B) {
	path := deviceFixture(b)
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for _, c := range []struct {
		name string
		f    report.Filter
	}{
		{"year", report.Filter{From: "2025-01-01", To: "2025-12-31"}},
		{"all", report.Filter{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var r report.Report
			start := time.Now()
			for b.Loop() {
				if r, err = st.Report(ctx, c.f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms")
			b.ReportMetric(float64(r.Activities), "activities")
		})
	}
}
