package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/internal/report/rolluptest"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// rollupRows returns the rollup table, or, with grouped, the rollup the
// live activities give when summed from scratch, as text in one order.
func rollupRows(t *testing.T, h *Hub, grouped bool) []string {
	t.Helper()
	return rolluptest.RollupRows(t, h.reader, grouped)
}

func TestRollupMatchesActivitiesAfterBatchedPushes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	themes := [][]string{{}, {"education"}, {"violence", "child_marriage"}, {"education", "violence"}, {"child_labour"}}
	randomFields := func(c *protocol.Change) {
		set := func(k string, v any) { c.Fields[k] = raw(v) }
		for _, k := range []string{"start_date", "kind", "country", "themes", "girls_0_5", "boys_12_17", "adults", "deleted"} {
			if c.Op != protocol.OpCreate && rng.IntN(2) == 0 {
				continue
			}
			switch k {
			case "start_date":
				set(k, fmt.Sprintf("2026-%02d-%02d", 1+rng.IntN(4), 1+rng.IntN(28)))
			case "kind":
				set(k, []string{"training", "awareness_campaign", "school_visit"}[rng.IntN(3)])
			case "country":
				set(k, []string{"MW", "ZM", "KE"}[rng.IntN(3)])
			case "themes":
				set(k, themes[rng.IntN(len(themes))])
			case "deleted":
				if c.Op != protocol.OpCreate {
					set(k, rng.IntN(3)/2) // mostly live, sometimes deleted or undeleted
				}
			default:
				set(k, rng.IntN(20))
			}
		}
	}
	var ids []string
	seq := int64(0)
	for round := range 30 {
		// Pushes below and above the batch threshold.
		size := 1 + rng.IntN(3*rollupBatchMin)
		var push []protocol.Change
		inPush := map[string]bool{}
		for range size {
			seq++
			if len(ids) == 0 || rng.IntN(3) == 0 {
				id := fmt.Sprintf("act-%03d", len(ids))
				ids = append(ids, id)
				inPush[id] = true
				c := activityChange(seq, f.org, id)
				randomFields(&c)
				push = append(push, c)
				continue
			}
			id := ids[rng.IntN(len(ids))]
			if inPush[id] {
				seq--
				continue
			}
			inPush[id] = true
			var base int64
			if err := f.hub.reader.QueryRowContext(ctx, "SELECT version FROM records WHERE id = ?", id).Scan(&base); err != nil {
				// Created earlier in this push: edit it next time.
				seq--
				continue
			}
			c := activityChange(seq, f.org, id)
			c.Op, c.Base, c.Fields = protocol.OpUpdate, base, map[string]json.RawMessage{}
			randomFields(&c)
			if len(c.Fields) == 0 {
				c.Fields["adults"] = raw(rng.IntN(20))
			}
			push = append(push, c)
		}
		resp := f.sync(t, protocol.SyncRequest{V: protocol.Version, Org: f.org, Push: push})
		if len(resp.Rejected) != 0 {
			t.Fatalf("round %d: rejected %+v", round, resp.Rejected)
		}
		got, want := rollupRows(t, f.hub, false), rollupRows(t, f.hub, true)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d (%d changes): rollup\n%s\nwant\n%s", round, len(push), strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var marks int
		if err := f.hub.reader.QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key = ?", report.RollupBatchKey).Scan(&marks); err != nil || marks != 0 {
			t.Fatalf("round %d: batch mark left in meta (%d, %v)", round, marks, err)
		}
	}
	fl := report.Filter{From: "2026-01-01", To: "2026-12-31", OrgIDs: []string{f.org}}
	viaRollup, err1 := report.Compute(ctx, f.hub.reader, fl)
	direct, err2 := report.ComputeDirect(ctx, f.hub.reader, fl)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(viaRollup, direct) || viaRollup.Activities == 0 {
		t.Errorf("report from rollup %+v, from activities %+v (%v, %v)", viaRollup, direct, err1, err2)
	}
}

// The rollup's triggers skip a batch the hub sums itself: each has the
// batch condition once, in a new hub and one opened again.
func TestRollupTriggersSkipBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	for range 2 {
		h, err := Open(ctx, dir, Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{report.TriggerInsert, report.TriggerDelete, report.TriggerUpdate} {
			var def string
			if err := h.reader.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", name).Scan(&def); err != nil {
				t.Fatalf("trigger %s: %v", name, err)
			}
			if strings.Count(def, report.RollupBatchWhen) != 1 {
				t.Errorf("trigger %s:\n%s", name, def)
			}
		}
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// The batch's statements look its activities up by id, rather than read
// every live activity: their cost grows with the batch, not the hub.
func TestRollupBatchLooksActivitiesUpByID(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if f.hub.pg {
		// PostgreSQL plans by the table's size: give it a hub's worth of
		// activities, copies of one, and their statistics.
		ctx := context.Background()
		rows, err := f.hub.reader.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_name = 'activities' AND column_name <> 'rowid' ORDER BY ordinal_position`)
		if err != nil {
			t.Fatal(err)
		}
		var cols, vals []string
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				t.Fatal(err)
			}
			v := "0"
			switch {
			case name == "id":
				v = "'plan-' || g"
			case name == "themes" || name == "files":
				v = "'[]'"
			case name == "start_date":
				v = "'2026-01-01'"
			case typ == "text":
				v = "'x'"
			}
			cols, vals = append(cols, name), append(vals, v)
		}
		rows.Close()
		for _, q := range []string{sqlRollupMark,
			"INSERT INTO activities (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(vals, ", ") + " FROM generate_series(1, 20000) g",
			sqlRollupUnmark, "ANALYZE activities"} {
			if _, err := f.hub.writer.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range append([]string{sqlRollupRows}, append(sqlRollupSubtract, sqlRollupAdd...)...) {
			var plan []string
			rows, err := f.hub.writer.Query("EXPLAIN "+q, `["a"]`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, line)
			}
			rows.Close()
			if p := strings.Join(plan, "\n"); !strings.Contains(p, "activities_id_key") || strings.Contains(p, report.IndexName) {
				t.Errorf("%s\nplan:\n%s", q, p)
			}
		}
		return
	}
	for _, q := range append([]string{sqlRollupRows}, append(sqlRollupSubtract, sqlRollupAdd...)...) {
		rows, err := f.hub.writer.Query("EXPLAIN QUERY PLAN "+q, `["a"]`)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "\n"); !strings.Contains(p, "SEARCH a USING INDEX sqlite_autoindex_activities_1 (id=?)") || strings.Contains(p, report.IndexName) {
			t.Errorf("%s\nplan:\n%s", q, p)
		}
	}
}

// Activities whose themes are not a JSON array of texts — which the hub's
// validation does not let through a sync, but an older database may hold —
// go through the grouped statements in a batch, with the same figures as
// the triggers give.
func TestRollupBatchOfUnusualThemes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var push []protocol.Change
	for i := range 2 * rollupBatchMin {
		push = append(push, activityChange(int64(i+1), f.org, fmt.Sprintf("act-%02d", i)))
	}
	if resp := f.sync(t, protocol.SyncRequest{V: protocol.Version, Org: f.org, Push: push}); len(resp.Rejected) != 0 {
		t.Fatalf("rejected %+v", resp.Rejected)
	}
	unusual := []string{`"education"`, `{"a":"violence","b":"education"}`, `["education","education"]`, `[]`}
	// Rewrite the rows through the hub's batch, twice: from plain themes
	// to unusual ones, and back.
	for pass := range 2 {
		err := f.hub.inTx(ctx, func(tx writeTx) error {
			for i, p := range push {
				var row []any
				vals := make([]any, len(activityColumns))
				ptrs := make([]any, len(vals))
				for j := range vals {
					ptrs[j] = &vals[j]
				}
				if err := tx.QueryRowContext(ctx, "SELECT "+strings.Join(activityColumns, ", ")+" FROM activities WHERE id = ?", p.ID).Scan(ptrs...); err != nil {
					return err
				}
				row = vals
				for j, c := range activityColumns {
					switch {
					case c == "themes" && pass == 0:
						row[j] = unusual[i%len(unusual)]
					case c == "themes":
						row[j] = `["violence"]`
					case c == "start_date" && pass == 1:
						row[j] = fmt.Sprintf("2026-%02d-01", 1+i%3)
					}
				}
				tx.acts.add(p.ID, row)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := rollupRows(t, f.hub, false), rollupRows(t, f.hub, true); !reflect.DeepEqual(got, want) {
			t.Fatalf("pass %d: rollup\n%s\nwant\n%s", pass, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
