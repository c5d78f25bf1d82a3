package store

import (
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/model"
)

var update = flag.Bool("update", false, "write migrations/0006_report_rollup.sql from the report package")

// rollupMigrationFile is the migration that gives the device database the
// report index and rollup.
const rollupMigrationFile = "migrations/0006_report_rollup.sql"

// rollupMigration is what rollupMigrationFile must hold: any rollup an
// earlier version made on first use of Reports dropped, then the report
// index and the rollup as the report package makes them today, its insert
// trigger already guarded for batch inserts (see [report.GuardTriggers]).
func rollupMigration() string {
	var b strings.Builder
	b.WriteString("-- 0006: the report index and the monthly report rollup, kept in step by\n" +
		"-- triggers. Written by `go test ./store -run TestRollupMigration -update`\n" +
		"-- from the report package; never edit it: a later change to the rollup is\n" +
		"-- a new migration that drops and makes it again.\n\n" +
		"-- Earlier versions made the rollup on first use of Reports: start afresh.\n")
	for _, name := range []string{report.TriggerInsert, report.TriggerDelete, report.TriggerUpdate} {
		b.WriteString("DROP TRIGGER IF EXISTS " + name + ";\n")
	}
	b.WriteString("DROP TABLE IF EXISTS " + report.RollupTable + ";\n\n")
	b.WriteString(report.IndexSQL + ";\n\n")
	b.WriteString(report.GuardedRollupSQL(report.TriggerInsert))
	return b.String()
}

// TestRollupMigration checks that the device's rollup migration is the
// rollup the report package reads. When it fails after a change to the
// rollup, do not rewrite 0006: add a migration that drops the rollup and
// makes it again, and point this test at it.
func TestRollupMigration(t *testing.T) {
	want := rollupMigration()
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

// TestRollupMigrationOverAnEarlierRollup opens, with this version, a
// database an earlier version left at schema 5 with a rollup it made on
// first use of Reports, and finds the report's figures unchanged and the
// rollup made once.
func TestRollupMigrationOverAnEarlierRollup(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFile)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	batch := make([]model.Activity, 300)
	for i := range batch {
		batch[i] = fakeActivity(r)
	}
	if err := s.CreateActivities(ctx, batch); err != nil {
		t.Fatal(err)
	}
	before, err := s.Report(ctx, report.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// As an earlier version left it: schema 5, the rollup already there,
	// without what later migrations add.
	for _, q := range []string{"DROP TABLE blobs", "ALTER TABLE activities DROP COLUMN files",
		"ALTER TABLE resources DROP COLUMN files", "ALTER TABLE comments DROP COLUMN file", "PRAGMA user_version = 5"} {
		if _, err := s.writer.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after, err := s.Report(ctx, report.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Activities != len(batch) || !reflect.DeepEqual(before, after) {
		t.Fatalf("after migrating: %+v\nbefore: %+v (%d activities)", after, before, len(batch))
	}
	var rows, acts int
	if err := s.reader.QueryRowContext(ctx, "SELECT coalesce(sum(n), 0) FROM "+report.RollupTable+" WHERE dim = 'total'").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err := s.reader.QueryRowContext(ctx, "SELECT count(*) FROM activities WHERE deleted = 0").Scan(&acts); err != nil {
		t.Fatal(err)
	}
	if rows != acts {
		t.Fatalf("the rollup counts %d activities, the table holds %d", rows, acts)
	}
}
