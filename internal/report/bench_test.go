package report_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/internal/report/fixture"
	"github.com/a20-network/fieldbook/store"
)

// device is a device database holding 100,000 activities, built once per
// test process in a temporary folder.
var device fixture.Once

func deviceFixture(b *testing.B) string {
	return device.Path(b, store.DBFile, "100,000-activity device", func(ctx context.Context, path string) error {
		st, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			return err
		}
		return st.Close()
	}, []string{fixture.SQL(100_000, 1)})
}

func TestMain(m *testing.M) {
	code := m.Run()
	device.Remove()
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
