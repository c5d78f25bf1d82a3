package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/model"
)

// createAtVersion makes a database holding only the first n migrations,
// as an older Fieldbook left it, with one activity and its outbox row.
func createAtVersion(t *testing.T, path string, n int, journal string) (activityID string, last hlc.Timestamp) {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode("+journal+")")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, m := range ms[:n] {
		if _, err := db.Exec(m.SQL); err != nil {
			t.Fatalf("migration %s: %v", m.Name, err)
		}
	}
	activityID = model.NewID()
	last = hlc.Timestamp{Wall: time.Now().Add(-time.Hour).UnixMilli(), Logical: 3, Node: "old-device"}
	stmts := []string{
		"PRAGMA user_version = " + itoa(n),
		`INSERT INTO meta (key, value) VALUES ('device_id', 'old-device')`,
		`INSERT INTO activities (id, org_id, visibility, created_by, created_at, updated_at, kind, title, start_date, country, status)
			VALUES ('` + activityID + `', 'unassigned', 'org', 'old-device', '2026-01-01T00:00:00Z', '` + last.String() + `',
			'training', 'Training before the upgrade', '2026-01-01', 'MW', 'final')`,
		`INSERT INTO outbox (entity, record_id, org_id, op, base_version, changes, hlc, created_at)
			VALUES ('activity', '` + activityID + `', 'unassigned', 'create', 0, '{}', '` + last.String() + `', '2026-01-01T00:00:00.000Z')`,
	}
	// From version 2 on, the store itself (not a trigger) puts a new row
	// into the full-text index.
	var trigger int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'activities_fts_ai'").Scan(&trigger); err != nil {
		t.Fatal(err)
	}
	if trigger == 0 {
		stmts = append(stmts, `INSERT INTO activities_fts (rowid, title, summary, place, partners)
			SELECT rowid, title, summary, place, partners FROM activities`)
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return activityID, last
}

func itoa(n int) string {
	return string(rune('0'+n/100%10)) + string(rune('0'+n/10%10)) + string(rune('0'+n%10))
}

func TestMigrateFromEveryOlderVersion(t *testing.T) {
	t.Parallel()
	for n := 1; n < SchemaVersion(); n++ {
		t.Run("from version "+itoa(n), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), DBFile)
			id, last := createAtVersion(t, path, n, "WAL")
			s, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			var v int
			s.reader.QueryRow("PRAGMA user_version").Scan(&v)
			if v != SchemaVersion() {
				t.Fatalf("schema version %d, want %d", v, SchemaVersion())
			}
			// An existing database keeps the page size it was made with,
			// and its log the same size in bytes as a new one's.
			var pageSize, walPages int
			s.reader.QueryRow("PRAGMA page_size").Scan(&pageSize)
			s.writer.QueryRow("PRAGMA wal_autocheckpoint").Scan(&walPages)
			if pageSize != 4096 || walPages != 8192 {
				t.Fatalf("page size %d, log %d pages; want the old database's 4096 and 8192", pageSize, walPages)
			}
			if s.DeviceID() != "old-device" {
				t.Fatalf("device id %q", s.DeviceID())
			}
			a, err := s.Activity(ctx, id)
			if err != nil || a.Title != "Training before the upgrade" {
				t.Fatalf("old record %+v %v", a, err)
			}
			if n, _ := s.CountActivities(ctx, ActivityFilter{Text: "upgrade"}); n != 1 {
				t.Fatal("old record not found by search after the upgrade")
			}
			b, err := s.CreateActivity(ctx, sampleActivity())
			if err != nil {
				t.Fatal(err)
			}
			if b.UpdatedAt.Compare(last) <= 0 {
				t.Fatalf("new timestamp %s not after the stored %s", b.UpdatedAt, last)
			}
			if n, _ := s.CountActivities(ctx, ActivityFilter{Text: "lilongwe"}); n != 1 {
				t.Fatal("new record not indexed after the upgrade")
			}
			if res, _ := s.IntegrityCheck(ctx); res != "ok" {
				t.Fatalf("integrity %q", res)
			}
		})
	}
}

func TestOpenRefusesNewerSchemaAndLeavesFileAlone(t *testing.T) {
	t.Parallel()
	for _, journal := range []string{"WAL", "DELETE"} {
		t.Run(journal, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dir := t.TempDir()
			path := filepath.Join(dir, DBFile)
			createAtVersion(t, path, SchemaVersion(), journal)
			db, _ := sql.Open("sqlite", "file:"+path)
			db.Exec("PRAGMA user_version = 999")
			db.Close()
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Open(ctx, path, Options{})
			if !errors.Is(err, ErrNewerSchema) {
				t.Fatalf("Open = %v, want ErrNewerSchema", err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Fatal("refusing a newer database changed its file")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Fatalf("files left beside the database: %v", names)
			}
		})
	}
}

func TestClockSurvivesReopenWithClockMovedBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFile)
	wall := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s, err := Open(ctx, path, Options{Now: func() time.Time { return wall }})
	if err != nil {
		t.Fatal(err)
	}
	var last hlc.Timestamp
	for range 3 {
		a, err := s.CreateActivity(ctx, sampleActivity())
		if err != nil {
			t.Fatal(err)
		}
		last = a.UpdatedAt
	}
	s.Close()
	for _, back := range []time.Duration{time.Second, time.Hour, 400 * 24 * time.Hour} {
		s, err := Open(ctx, path, Options{Now: func() time.Time { return wall.Add(-back) }})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.CreateActivity(ctx, sampleActivity())
		if err != nil {
			t.Fatal(err)
		}
		if a.UpdatedAt.Compare(last) <= 0 {
			t.Fatalf("clock moved back %s: new timestamp %s not after stored %s", back, a.UpdatedAt, last)
		}
		if err := s.DeleteActivity(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Activity(ctx, a.ID)
		if got.UpdatedAt.Compare(a.UpdatedAt) <= 0 {
			t.Fatal("delete timestamp not after create")
		}
		last = got.UpdatedAt
		s.Close()
	}
	// When the wall clock is ahead again, timestamps follow it.
	later := wall.Add(time.Hour)
	s, _ = Open(ctx, path, Options{Now: func() time.Time { return later }})
	defer s.Close()
	a, _ := s.CreateActivity(ctx, sampleActivity())
	if a.UpdatedAt.Wall != later.UnixMilli() {
		t.Fatalf("wall %d, want %d", a.UpdatedAt.Wall, later.UnixMilli())
	}
}

// TestActivityListIndex checks what migrations 0003, 0004 and 0006 leave,
// on a new database and on one made before them: one list index, whose
// order is the list's (no sort for a page, none for a country) and which
// the list's queries use even beside the report index of 0006, and
// full-text segments merged eight at a time.
func TestActivityListIndex(t *testing.T) {
	t.Parallel()
	for _, from := range []int{0, 1, 2} {
		t.Run("from version "+itoa(from), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), DBFile)
			if from > 0 {
				createAtVersion(t, path, from, "WAL")
			}
			s, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var indexes []string
			rows, err := s.reader.Query("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'activities' AND sql IS NOT NULL ORDER BY name")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var name string
				rows.Scan(&name)
				indexes = append(indexes, name)
			}
			rows.Close()
			if len(indexes) != 2 || indexes[0] != "activities_by_start" || indexes[1] != "activities_report" {
				t.Fatalf("activity indexes %v, want [activities_by_start activities_report]", indexes)
			}
			for _, f := range []ActivityFilter{{}, {Country: "MW"}, {Offset: 100}, {From: "2026-01-01", To: "2026-02-01"}} {
				tables, where := f.where(true)
				rows, err := s.reader.Query("EXPLAIN QUERY PLAN SELECT a.rowid FROM "+tables+" WHERE "+where.SQL()+
					" ORDER BY a.start_date DESC, a.id DESC LIMIT 10", where.Args()...)
				if err != nil {
					t.Fatal(err)
				}
				var plan []string
				for rows.Next() {
					var id, parent, notused int
					var detail string
					rows.Scan(&id, &parent, &notused, &detail)
					plan = append(plan, detail)
				}
				rows.Close()
				if len(plan) != 1 || !strings.Contains(plan[0], "COVERING INDEX activities_by_start") {
					t.Errorf("%+v: plan %q, want one covering walk of activities_by_start", f, plan)
				}
			}
			var automerge int
			if err := s.reader.QueryRow("SELECT v FROM activities_fts_config WHERE k = 'automerge'").Scan(&automerge); err != nil || automerge != 8 {
				t.Fatalf("automerge %d, %v; want 8", automerge, err)
			}
		})
	}
}
