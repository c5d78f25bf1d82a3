package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// activityRows returns every activities row but its rowid, as text.
func activityRowsOf(t *testing.T, h *Hub) []string {
	t.Helper()
	rows, err := h.reader.Query("SELECT * FROM activities ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for i, c := range cols {
			if c != "rowid" {
				fmt.Fprintf(&sb, "%s=%T:%v ", c, vals[i], vals[i])
			}
		}
		out = append(out, sb.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A hub whose activities were a view (schema 1) gets the same activities
// table, and report rollup, from migration 0002 as the write path gives.
func TestMigrationFillsActivitiesFromRecords(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := Options{Logger: slog.New(slog.DiscardHandler)}
	h, err := Open(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	org, err := h.AddOrg(ctx, "Org One", "MW")
	if err != nil {
		t.Fatal(err)
	}
	code, err := h.NewEnrollCode(ctx, org, RoleStaff, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	enr, err := h.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: code, Device: "device-1"})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := h.Authenticate(ctx, enr.Token)
	if err != nil {
		t.Fatal(err)
	}
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	var push []protocol.Change
	for i := range 12 {
		c := activityChange(int64(i+1), org, fmt.Sprintf("act-%02d", i))
		c.Fields["start_date"] = raw(fmt.Sprintf("2026-%02d-%02d", 1+i%5, 1+i))
		c.Fields["themes"] = raw([][]string{{"education"}, {}, {"violence", "child_marriage"}}[i%3])
		c.Fields["title"] = raw(fmt.Sprintf("Café <b>%d</b> \"quoted\" \\ line\nbreak", i))
		c.Fields["adults"] = raw(i)
		if i%2 == 0 {
			c.Fields["lat"], c.Fields["lon"] = raw(-13.5+float64(i)), raw(33)
		}
		if i%4 == 0 {
			c.Fields["visibility"] = raw("network")
		}
		push = append(push, c)
	}
	// An edit and a delete, so rows were updated, not only inserted.
	edit := activityChange(13, org, "act-03")
	edit.Op, edit.Base, edit.Fields = protocol.OpUpdate, 4, map[string]json.RawMessage{"start_date": raw("2026-09-09"), "girls_6_11": raw(40)}
	del := activityChange(14, org, "act-05")
	del.Op, del.Base, del.Fields = protocol.OpDelete, 6, map[string]json.RawMessage{"deleted": raw(1)}
	push = append(push, edit, del)
	resp, err := h.Sync(ctx, dev, &protocol.SyncRequest{V: protocol.Version, Org: org, Push: push})
	if err != nil || len(resp.Rejected) != 0 {
		t.Fatalf("Sync: %v, rejected %+v", err, resp)
	}
	written := activityRowsOf(t, h)
	if len(written) != 12 {
		t.Fatalf("%d activities rows after the sync, want 12", len(written))
	}
	f := report.Filter{From: "2026-01-01", To: "2026-12-31", OrgIDs: []string{org}}
	want, err := report.Compute(ctx, h.reader, f)
	if err != nil {
		t.Fatal(err)
	}
	if want.Activities != 11 {
		t.Fatalf("report before: %d activities, want 11", want.Activities)
	}

	// Back to schema 1: the activities view, no rollup.
	view, err := migrationFS.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	createView := string(view[strings.Index(string(view), "CREATE VIEW activities"):])
	if _, err := h.writer.ExecContext(ctx, "DROP TABLE activity_rollup; DROP TABLE activities; DROP VIEW organizations; DROP TABLE applied; DROP TABLE file_holders; DROP TABLE file_refs; DROP TABLE files; "+
		"ALTER TABLE devices DROP COLUMN copy_of; ALTER TABLE devices DROP COLUMN diverged_at; ALTER TABLE devices DROP COLUMN log_from; "+
		createView+"; PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}

	h, err = Open(ctx, dir, opts)
	if err != nil {
		t.Fatalf("Open after downgrade: %v", err)
	}
	defer h.Close()
	if got := activityRowsOf(t, h); !reflect.DeepEqual(got, written) {
		t.Errorf("migrated rows differ from written rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(written, "\n"))
	}
	if ok, err := report.HasRollup(ctx, h.reader); err != nil || !ok {
		t.Fatalf("no rollup after migration: %v, %v", ok, err)
	}
	got, err := report.Compute(ctx, h.reader, f)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report after migration %+v, want %+v", got, want)
	}
	var n int
	if err := h.reader.QueryRow("SELECT count(*) FROM organizations WHERE id = ? AND name = 'Org One' AND deleted = 0", org).Scan(&n); err != nil || n != 1 {
		t.Errorf("organizations view: %d rows, %v", n, err)
	}
}
