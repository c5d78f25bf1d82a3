package hubload_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/a20-network/fieldbook/internal/hubload"
	"github.com/a20-network/fieldbook/sync/hub"
)

// TestPushAppliesEveryChange: a small load against a real hub (SQLite in
// a temporary folder) served at two addresses is acknowledged whole,
// spread over both addresses, and leaves the hub holding every activity.
func TestPushAppliesEveryChange(t *testing.T) {
	ctx := context.Background()
	h, err := hub.Open(ctx, filepath.Join(t.TempDir(), "hub"), hub.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	job, err := hubload.NewJob(ctx, h, 3, 25, 10)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		srv := httptest.NewServer(h.Handler())
		t.Cleanup(srv.Close)
		job.URLs = append(job.URLs, srv.URL)
	}
	l, err := hubload.Build(job)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Push(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changes != 75 || res.Requests != 9 || res.Rejected != 0 {
		t.Errorf("result %+v: want 75 changes in 9 requests, none rejected", res)
	}
	if len(res.PerURL) != 2 || res.PerURL[0]+res.PerURL[1] != 9 || res.PerURL[0] == 0 || res.PerURL[1] == 0 {
		t.Errorf("requests per address %v: want 9 spread over both", res.PerURL)
	}
	var n int
	if err := hub.ReportDB(h).QueryRowContext(ctx, "SELECT count(*) FROM activities").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 75 {
		t.Errorf("the hub holds %d activities, want 75", n)
	}
}

// TestBuildRefusesAnEmptyJob: a job without addresses or page size is
// refused before anything is sent.
func TestBuildRefusesAnEmptyJob(t *testing.T) {
	for _, job := range []hubload.Job{{PerDevice: 1, Page: 1}, {URLs: []string{"http://x"}, PerDevice: 1}, {URLs: []string{"http://x"}, Page: 1}} {
		if _, err := hubload.Build(job); err == nil {
			t.Errorf("Build(%+v): no error", job)
		}
	}
}
