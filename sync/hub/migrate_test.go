package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
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

var update = flag.Bool("update", false, "write migrations/0009_report_rollup.sql from the report package")

// rollupMigrationFile is the migration that gives the hub database the
// report index and rollup.
const rollupMigrationFile = "migrations/0009_report_rollup.sql"

// rollupFillKey marks in meta, while the rollup migration runs, that it
// made the rollup table and must fill it.
const rollupFillKey = "rollup_fill"

// rollupMigration is what rollupMigrationFile must hold: the report index
// and the rollup table as the report package makes them today, kept where
// a hub made them already; the rollup's triggers made again with the
// batch condition the hub relies on (see [report.GuardTriggers]); and the
// rollup filled from the live activities only when this migration made it.
func rollupMigration(t *testing.T) string {
	t.Helper()
	all := report.GuardedRollupSQL(report.TriggerInsert, report.TriggerDelete, report.TriggerUpdate)
	trig := strings.Index(all, "CREATE TRIGGER ")
	end := strings.LastIndex(all, "END;\n") + len("END;\n")
	table, triggers, fill := all[:trig], all[trig:end], strings.TrimSpace(all[end:])
	if want := strings.Join(report.GroupedSQL("", "activities a", ", ", "a.deleted = 0"), ";\n") + ";"; fill != want ||
		!strings.HasPrefix(table, "CREATE TABLE "+report.RollupTable+" (") || strings.Count(triggers, "CREATE TRIGGER ") != 3 {
		t.Fatal("the report package's rollup is no longer a table, three triggers and the statements that fill it: write this migration's generator again")
	}
	var b strings.Builder
	b.WriteString(`-- 0009: the report index and the monthly report rollup that the
-- dashboard's figures read, kept in step with the activities table by
-- triggers that skip a write the hub sums itself (see rollup.go). Written
-- by ` + "`go test ./sync/hub -run TestRollupMigration -update`" + ` from the report
-- package; never edit it: a later change to the rollup is a new migration
-- that drops it and makes it again.
--
-- Earlier versions of the hub made the index and the rollup when it
-- opened, if they were missing, then gave the triggers the batch
-- condition: a hub database they made holds both, the rollup filled and
-- kept current by its triggers. IF NOT EXISTS here is for that database:
-- it keeps its index and its rollup's rows. The triggers are made again,
-- as below, and the rollup is filled from the activities only when this
-- migration made it (marked in meta while it runs).

`)
	b.WriteString(report.IndexSQL + ";\n\n")
	b.WriteString(strings.Replace(table, "CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1))
	for _, name := range []string{report.TriggerInsert, report.TriggerDelete, report.TriggerUpdate} {
		b.WriteString("DROP TRIGGER IF EXISTS " + name + ";\n")
	}
	b.WriteString("\n" + triggers + "\n")
	b.WriteString("INSERT INTO meta (key, value) SELECT '" + rollupFillKey + "', '1' WHERE NOT EXISTS (SELECT 1 FROM " + report.RollupTable + ");\n")
	for _, q := range report.GroupedSQL("", "activities a", ", ", "a.deleted = 0 AND EXISTS (SELECT 1 FROM meta WHERE key = '"+rollupFillKey+"')") {
		b.WriteString(q + ";\n")
	}
	b.WriteString("DELETE FROM meta WHERE key = '" + rollupFillKey + "';\n")
	return b.String()
}

// TestRollupMigration checks that the hub's rollup migration is the rollup
// the report package reads. When it fails after a change to the rollup, do
// not rewrite 0009: add a migration that drops the rollup and makes it
// again, and point this test at it.
func TestRollupMigration(t *testing.T) {
	want := rollupMigration(t)
	if *update {
		if err := os.WriteFile(rollupMigrationFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(rollupMigrationFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is not the rollup the report package makes today; see this test's comment", rollupMigrationFile)
	}
}

// schemaOf returns the database's schema: every table, index, view and
// trigger with its SQL, by name.
func schemaOf(t *testing.T, db *sql.DB) string {
	t.Helper()
	return queryText(t, db, "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
}

// TestHubDatabaseOfSchema6Migrates opens, with this version, a hub
// database made before the hub's migrations owned every table: one where
// the dashboard had made its users and sessions tables, and the hub its
// report index and rollup, when the hub opened (testdata/hub-schema-6.sql).
// It migrates to this version's schema, exactly a new hub's, and keeps
// everything: the users with their password hashes, the signed-in
// session, the records, and a report rollup counted once that gives the
// figures the activities give.
func TestHubDatabaseOfSchema6Migrates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dump, err := os.ReadFile("testdata/hub-schema-6.sql")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, string(dump)); err != nil {
		t.Fatalf("load the schema-6 database: %v", err)
	}
	kept := []string{"SELECT * FROM users ORDER BY id", "SELECT * FROM dashboard_sessions ORDER BY token_hash",
		"SELECT * FROM records ORDER BY id", "SELECT * FROM conflicts ORDER BY id", "SELECT * FROM devices ORDER BY id",
		"SELECT * FROM activities ORDER BY id", "SELECT * FROM " + report.RollupTable + " ORDER BY dim, month, org_id, key"}
	before := map[string]string{}
	for _, q := range kept {
		if before[q] = queryText(t, db, q); before[q] == "" {
			t.Fatalf("the fixture has nothing for %s", q)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	h, err := Open(ctx, dir, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer h.Close()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var version int
	if err := h.reader.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != len(ms) {
		t.Fatalf("schema version %d (%v), want %d", version, err, len(ms))
	}
	for _, q := range kept {
		if got := rowsText(t, h, q); got != before[q] {
			t.Errorf("%s after migrating:\n%s\nwant\n%s", q, got, before[q])
		}
	}
	if got, want := rollupRows(t, h, false), rollupRows(t, h, true); !reflect.DeepEqual(got, want) {
		t.Errorf("rollup after migrating:\n%s\nthe activities give\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var marks int
	if err := h.reader.QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key IN (?, ?)", rollupFillKey, report.RollupBatchKey).Scan(&marks); err != nil || marks != 0 {
		t.Errorf("marks left in meta: %d, %v", marks, err)
	}

	fresh, err := Open(ctx, t.TempDir(), Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got, want := schemaOf(t, h.reader), schemaOf(t, fresh.reader); got != want {
		t.Errorf("schema after migrating:\n%s\na new hub's:\n%s", got, want)
	}

	// It goes on syncing: a new device's batch lands in the rollup.
	f := &fixture{hub: h, org: "01a23cc6-dc31-7597-9e0a-efeb52324341"}
	f.token = enrollIn(t, h, f.org, "device-1") // the creator activityChange names
	var push []protocol.Change
	for i := range rollupBatchMin + 1 {
		push = append(push, activityChange(int64(i+1), f.org, fmt.Sprintf("act-new-%02d", i)))
	}
	if resp := f.sync(t, protocol.SyncRequest{V: protocol.Version, Org: f.org, Push: push}); len(resp.Rejected) != 0 {
		t.Fatalf("rejected %+v", resp.Rejected)
	}
	if got, want := rollupRows(t, h, false), rollupRows(t, h, true); !reflect.DeepEqual(got, want) {
		t.Errorf("rollup after a push:\n%s\nthe activities give\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
