package store

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/internal/report/rolluptest"
	"github.com/a20-network/fieldbook/model"
)

// TestBatchRollup checks that batch inserts on a device with the report
// rollup leave the same rollup as filling it from the stored activities,
// and that single inserts still reach it through the trigger.
func TestBatchRollup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	batch := func() []model.Activity {
		r := rand.New(rand.NewPCG(7, 8))
		as := make([]model.Activity, 400)
		for i := range as {
			as[i] = fakeActivity(r)
		}
		return as
	}
	one := fakeActivity(rand.New(rand.NewPCG(9, 10)))

	// Rollup first, then a batch and a single insert.
	live := openTest(t)
	if _, err := live.Report(ctx, report.Filter{}); err != nil {
		t.Fatal(err)
	}
	if err := live.CreateActivities(ctx, batch()); err != nil {
		t.Fatal(err)
	}
	if _, err := live.CreateActivity(ctx, one); err != nil {
		t.Fatal(err)
	}
	// The same activities first, then the rollup filled from them.
	filled := openTest(t)
	if err := filled.CreateActivities(ctx, batch()); err != nil {
		t.Fatal(err)
	}
	if _, err := filled.CreateActivity(ctx, one); err != nil {
		t.Fatal(err)
	}
	if _, err := filled.Report(ctx, report.Filter{}); err != nil {
		t.Fatal(err)
	}
	got, want := rollupRows(t, live), rollupRows(t, filled)
	if len(got) == 0 || !slices.Equal(got, want) {
		t.Fatalf("rollup after batch inserts differs: %d rows, want %d", len(got), len(want))
	}
	var marks int
	if err := live.reader.QueryRow("SELECT count(*) FROM meta WHERE key = ?", report.RollupBatchKey).Scan(&marks); err != nil || marks != 0 {
		t.Fatalf("batch mark left behind: %d %v", marks, err)
	}
	// A failed batch adds nothing.
	bad := batch()[:3]
	bad[2].Title = ""
	if err := live.CreateActivities(ctx, bad); err == nil {
		t.Fatal("invalid batch accepted")
	}
	dup := batch()[:3]
	dup[2].ID = dup[1].ID
	dup[1].ID, dup[2].ID = "dup-1", "dup-1"
	if err := live.CreateActivities(ctx, dup); err == nil {
		t.Fatal("batch reusing an id accepted")
	}
	if after := rollupRows(t, live); !slices.Equal(after, got) {
		t.Fatal("a refused batch changed the rollup")
	}
}

func rollupRows(t *testing.T, s *Store) []string {
	t.Helper()
	return rolluptest.RollupRows(t, s.reader, false)
}
