package report_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/report"
	"github.com/a20-network/fieldbook/report/fixture"
	"github.com/a20-network/fieldbook/store"
)

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
		start := time.Now()
		if deviceErr = fixture.Build(ctx, devicePath, []string{fixture.SQL(100_000, 1)}, report.Migrate); deviceErr != nil {
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
