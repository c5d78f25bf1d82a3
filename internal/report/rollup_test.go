package report_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// TestRollupMatchesActivities checks, over random histories of creates,
// edits, deletes and restores, that reports read through the rollup equal
// reports read from the activities alone, for random periods and filters —
// including records written before the rollup existed.
func TestRollupMatchesActivities(t *testing.T) {
	ctx := context.Background()
	dates := []string{"2025-11-30", "2025-12-01", "2025-12-15", "2025-12-31", "2026-01-01", "2026-01-17", "2026-02-28", "2026-03-01", "2026-03-31"}
	bounds := append([]string{"", "2025-12-02", "2026-01-31", "2026-02-01", "2026-02-27", "2026-03-30"}, dates...)
	kinds := []string{"training", "school_visit", "other"}
	themes := []string{"education", "violence", "poverty"}
	// A fresh database every ten checks: in between, histories pile up,
	// which only makes the comparison harder to pass.
	n := 0
	var st *store.Store
	var ids []string
	t.Cleanup(func() {
		if st != nil {
			st.Close()
		}
	})
	rapid.Check(t, func(rt *rapid.T) {
		if n%10 == 0 {
			if st != nil {
				st.Close()
			}
			var err error
			if st, err = store.Open(ctx, filepath.Join(t.TempDir(), fmt.Sprintf("r%d.db", n)), store.Options{}); err != nil {
				rt.Fatal(err)
			}
			ids = nil
		}
		n++
		genActivity := func() model.Activity {
			a := model.Activity{
				Meta:      model.Meta{OrgID: rapid.SampledFrom([]string{"o1", "o2"}).Draw(rt, "org"), Visibility: rapid.SampledFrom([]string{"org", "network"}).Draw(rt, "vis")},
				Kind:      rapid.SampledFrom(kinds).Draw(rt, "kind"),
				Title:     "t",
				StartDate: rapid.SampledFrom(dates).Draw(rt, "date"),
				Country:   rapid.SampledFrom([]string{"MW", "KE"}).Draw(rt, "country"),
				Status:    rapid.SampledFrom([]string{"draft", "final"}).Draw(rt, "status"),
			}
			for _, th := range themes {
				if rapid.Bool().Draw(rt, "theme") {
					a.Themes = append(a.Themes, th)
				}
			}
			a.Reach.Girls[1] = rapid.IntRange(0, 9).Draw(rt, "g")
			a.Reach.Boys[2] = rapid.IntRange(0, 9).Draw(rt, "b")
			a.Reach.Unrecorded[0] = rapid.IntRange(0, 3).Draw(rt, "u")
			a.Reach.Adults = rapid.IntRange(0, 5).Draw(rt, "ad")
			return a
		}
		migrateAt := rapid.IntRange(0, 12).Draw(rt, "migrateAt")
		steps := rapid.IntRange(1, 12).Draw(rt, "steps")
		for i := range steps {
			if i == migrateAt {
				// The first report creates the rollup from what is stored.
				if _, err := st.Report(ctx, report.Filter{}); err != nil {
					rt.Fatal(err)
				}
			}
			switch op := rapid.IntRange(0, 3).Draw(rt, "op"); {
			case op == 0 || len(ids) == 0:
				a, err := st.CreateActivity(ctx, genActivity())
				if err != nil {
					rt.Fatal(err)
				}
				ids = append(ids, a.ID)
			case op == 1:
				id := rapid.SampledFrom(ids).Draw(rt, "id")
				old, err := st.Activity(ctx, id)
				if err != nil {
					rt.Fatal(err)
				}
				a := genActivity()
				a.Meta = old.Meta
				a.Visibility = rapid.SampledFrom([]string{"org", "network"}).Draw(rt, "vis2")
				if _, err := st.UpdateActivity(ctx, a); err != nil {
					rt.Fatal(err)
				}
			case op == 2:
				if err := st.DeleteActivity(ctx, rapid.SampledFrom(ids).Draw(rt, "del")); err != nil {
					rt.Fatal(err)
				}
			default:
				if err := st.RestoreActivity(ctx, rapid.SampledFrom(ids).Draw(rt, "restore")); err != nil {
					rt.Fatal(err)
				}
			}
		}
		if _, err := st.Report(ctx, report.Filter{}); err != nil {
			rt.Fatal(err)
		}
		db, err := sql.Open("sqlite", "file:"+st.Path()+"?_pragma=busy_timeout(10000)")
		if err != nil {
			rt.Fatal(err)
		}
		defer db.Close()
		if ok, err := report.HasRollup(ctx, db); err != nil || !ok {
			rt.Fatalf("no rollup after a report: %v", err)
		}
		for range 3 {
			f := report.Filter{
				From: rapid.SampledFrom(bounds).Draw(rt, "from"), To: rapid.SampledFrom(bounds).Draw(rt, "to"),
				FinalOnly: rapid.Bool().Draw(rt, "final"), Visibility: rapid.SampledFrom([]string{"", "org", "network"}).Draw(rt, "fvis"),
			}
			if rapid.Bool().Draw(rt, "byorg") {
				f.OrgIDs = []string{"o2"}
			}
			got, err := report.Compute(ctx, db, f)
			if err != nil {
				rt.Fatal(err)
			}
			want, err := report.ComputeDirect(ctx, db, f)
			if err != nil {
				rt.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				rt.Fatalf("filter %+v:\nrollup %+v\ndirect %+v", f, got, want)
			}
		}
	})
}
