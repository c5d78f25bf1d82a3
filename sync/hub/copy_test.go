package hub

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/internal/report/rolluptest"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// fullHub fills h with a row in every table a copy moves: organizations,
// devices (one revoked), an unused enrollment code, activities (with
// coordinates) and comments, a resource with a file the hub holds, two
// conflicts (one resolved), a rejection, a dashboard account with a
// session; it returns the file's content.
func fullHub(t *testing.T, h *Hub) []byte {
	t.Helper()
	ctx := context.Background()
	fx := &attackFixture{hub: h, seq: map[string]int64{}}
	var err error
	if fx.orgA, err = h.AddOrg(ctx, "Org A", "MW"); err != nil {
		t.Fatal(err)
	}
	if fx.orgB, err = h.AddOrg(ctx, "Org B", "KE"); err != nil {
		t.Fatal(err)
	}
	enroll := func(org, id string) actor { return actor{id: id, token: enrollIn(t, h, org, id)} }
	fx.a, fx.a2, fx.b = enroll(fx.orgA, "dev-a"), enroll(fx.orgA, "dev-a2"), enroll(fx.orgB, "dev-b")
	revoked := enroll(fx.orgA, "dev-gone")
	if err := h.RevokeDevice(ctx, revoked.id); err != nil {
		t.Fatal(err)
	}
	fx.code(t, fx.orgB, RoleAdmin)
	act := fx.activity(fx.a, "act-1", fx.orgA, model.VisibilityNetwork)
	act.Fields["lat"], act.Fields["lon"] = []byte("-13.962612"), []byte("33.774119")
	act.Fields["themes"] = []byte(`["education","child_marriage"]`)
	resp := fx.mustPush(t, fx.a, act, fx.activity(fx.a, "act-2", fx.orgA, model.VisibilityOrg))
	base := resp.Cursor.Seq - 1
	fx.mustPush(t, fx.b, fx.activity(fx.b, "act-b", fx.orgB, model.VisibilityOrg),
		fx.comment(fx.b, "cmt-1", fx.orgA, "act-1", model.VisibilityNetwork))
	// Two edits of the same fields from the same version: two conflicts.
	editA := fx.edit(fx.a, model.EntityActivity, "act-1", fx.orgA, map[string]any{"title": "Title by a", "place": "Zomba"})
	editA.Base = base
	fx.mustPush(t, fx.a, editA)
	editA2 := fx.edit(fx.a2, model.EntityActivity, "act-1", fx.orgA, map[string]any{"title": "Title by a2", "place": "Mzuzu"})
	editA2.Base = base
	fx.mustPush(t, fx.a2, editA2)
	conflicts, err := h.Conflicts(ctx)
	if err != nil || len(conflicts) != 2 {
		t.Fatalf("conflicts = %+v, %v", conflicts, err)
	}
	fx.mustPush(t, fx.a, fx.change(fx.a, protocol.EntityConflict, conflicts[0].ID, fx.orgA, protocol.OpUpdate, nil))
	// Staff may not edit the directory: a rejection.
	dev, err := h.Authenticate(ctx, fx.a.token)
	if err != nil {
		t.Fatal(err)
	}
	rej, err := h.Sync(ctx, dev, &protocol.SyncRequest{V: protocol.Version,
		Push: []protocol.Change{fx.edit(fx.a, model.EntityOrganization, fx.orgA, fx.orgA, map[string]any{"name": "Renamed"})}})
	if err != nil || len(rej.Rejected) != 1 {
		t.Fatalf("rejection: %+v, %v", rej, err)
	}
	content := pdf(3000, 7)
	attach(t, h, "res-1", fx.orgA, model.VisibilityNetwork, content)
	if _, err := h.PutChunk(ctx, dev, sum(content), Chunk{Size: int64(len(content)), SHA256: sum(content), Data: content}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"INSERT INTO users (name, role, org_id, salt, hash, params, created_at) VALUES ('amina', 'coordinator', '', X'00ff10', X'', 'argon2id', '2026-01-01T00:00:00Z')",
		"INSERT INTO dashboard_sessions (token_hash, user_id, expires_at) SELECT 'token-hash', id, 1893456000 FROM users",
	} {
		if h.pg {
			q = strings.NewReplacer("X'00ff10'", `'\x00ff10'::bytea`, "X''", `''::bytea`).Replace(q)
		}
		if _, err := h.writer.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return content
}

// pgConfig is the connection settings of a new, empty database.
func pgConfig(t *testing.T) pgdb.Config {
	t.Helper()
	c, err := pgdb.ParseURL(pgtest.NewDB(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openPG(t *testing.T, c pgdb.Config) *Hub {
	t.Helper()
	h, err := Open(context.Background(), "", Options{Postgres: &c, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func sums(t *testing.T, h *Hub) []TableSum {
	t.Helper()
	s, err := h.TableSums(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMigrateToPostgres: every table of a SQLite hub holding every kind of
// row arrives on PostgreSQL with the same count and checksum; the hub on
// PostgreSQL has the same epoch, devices, records, conflicts and file,
// goes on numbering changes and activities after the copied ones, and
// its rollup is what its activities give. A second copy into the same
// database is refused and changes nothing.
func TestMigrateToPostgres(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src, err := Open(ctx, dir, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	content := fullHub(t, src)
	want := sums(t, src)
	wantRecords, _ := src.Records(ctx)
	wantDevices, _ := src.Devices(ctx)
	epoch := src.Epoch()
	src.Close()
	for _, s := range want {
		if s.Rows == 0 && s.Table != "rejections" {
			t.Errorf("the source hub has no rows in %s", s.Table)
		}
	}

	cfg := pgConfig(t)
	res, err := MigrateToPostgres(ctx, filepath.Join(dir, DBFile), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Tables, want) || res.Files != 1 || len(res.MissingFiles) != 0 {
		t.Fatalf("copy = %+v\nwant tables %+v", res, want)
	}
	h := openPG(t, cfg)
	if got := sums(t, h); !slices.Equal(got, want) {
		t.Fatalf("PostgreSQL sums %+v\nwant %+v", got, want)
	}
	gotRecords, _ := h.Records(ctx)
	gotConflicts, _ := h.Conflicts(ctx)
	gotDevices, _ := h.Devices(ctx)
	if h.Epoch() != epoch || len(gotRecords) != len(wantRecords) || len(gotConflicts) != 2 || len(gotDevices) != len(wantDevices) {
		t.Fatalf("on PostgreSQL: epoch %s (want %s), %d records (%d), %d conflicts, %d devices (%d)",
			h.Epoch(), epoch, len(gotRecords), len(wantRecords), len(gotConflicts), len(gotDevices), len(wantDevices))
	}
	b, err := h.OpenFile(ctx, "", sum(content))
	if err != nil || b.Size() != int64(len(content)) {
		t.Fatalf("file on PostgreSQL: %v", err)
	}
	b.Close()
	if got, want := rolluptest.RollupRows(t, h.reader, false), rolluptest.RollupRows(t, h.reader, true); !slices.Equal(got, want) {
		t.Fatalf("rollup %q\nfrom activities %q", got, want)
	}
	// The hub carries on after the copied numbers.
	var lastSeq, lastRow int64
	h.reader.QueryRow("SELECT last FROM change_seq").Scan(&lastSeq)
	h.reader.QueryRow("SELECT max(rowid) FROM activities").Scan(&lastRow)
	fx := &attackFixture{hub: h, seq: map[string]int64{"dev-b": 2, "dev-b/clock": 2}, b: actor{id: "dev-b"}}
	devB, err := deviceByID(ctx, h, "dev-b")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.Sync(ctx, devB, &protocol.SyncRequest{V: protocol.Version, Push: []protocol.Change{fx.activity(fx.b, "act-new", devB.Org, model.VisibilityOrg)}})
	if err != nil || len(resp.Rejected) != 0 {
		t.Fatalf("a new activity on PostgreSQL: %+v, %v", resp, err)
	}
	var newSeq, newRow int64
	h.reader.QueryRow("SELECT version, rowid FROM activities WHERE id = 'act-new'").Scan(&newSeq, &newRow)
	if newSeq != lastSeq+1 || newRow <= lastRow {
		t.Errorf("new activity: version %d after %d, rowid %d after %d", newSeq, lastSeq, newRow, lastRow)
	}

	// Into a database that holds a hub: refused, nothing changed.
	before := sums(t, h)
	_, err = MigrateToPostgres(ctx, dir, cfg, slog.New(slog.DiscardHandler))
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "meta") {
		t.Fatalf("second copy: %v", err)
	}
	if got := sums(t, h); !slices.Equal(got, before) {
		t.Fatalf("the refused copy changed the database")
	}
}

// deviceByID returns the enrolled device id as the hub authenticates it.
func deviceByID(ctx context.Context, h *Hub, id string) (Device, error) {
	devs, err := h.Devices(ctx)
	if err != nil {
		return Device{}, err
	}
	for _, d := range devs {
		if d.ID == id {
			return d, nil
		}
	}
	return Device{}, errors.New("no device " + id)
}

// TestCopyMismatchCommitsNothing: a destination that does not keep what it
// is given (here a trigger that changes every organization's name) fails
// the copy with an error naming the table, and nothing is committed.
func TestCopyMismatchCommitsNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src, err := Open(ctx, dir, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.AddOrg(ctx, "Org A", "MW"); err != nil {
		t.Fatal(err)
	}
	src.Close()
	cfg := pgConfig(t)
	db, err := pgdb.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := MigratePostgres(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$;
		CREATE TRIGGER shout BEFORE INSERT ON orgs FOR EACH ROW EXECUTE FUNCTION shout()`); err != nil {
		t.Fatal(err)
	}
	_, err = MigrateToPostgres(ctx, dir, cfg, slog.New(slog.DiscardHandler))
	var mm *MismatchError
	if !errors.As(err, &mm) || mm.Table != "orgs" || !strings.Contains(err.Error(), "table orgs differs") {
		t.Fatalf("copy: %v", err)
	}
	for _, tb := range copyTables {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + tb.name).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows after the failed copy (%v)", tb.name, n, err)
		}
	}
}

// TestBackupAndRestorePostgres: a hub on PostgreSQL backs up to a SQLite
// hub database with the same rows; changed afterwards and restored, it
// holds the backup's rows again, under a new epoch whose lineage ends
// with the epoch and change number of the backup, as Restore gives a
// SQLite hub; the same backup restores onto SQLite too.
func TestBackupAndRestorePostgres(t *testing.T) {
	ctx := context.Background()
	cfg := pgConfig(t)
	h := openPG(t, cfg)
	content := fullHub(t, h)
	want := sums(t, h)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := h.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := h.Backup(ctx, backup); err == nil {
		t.Fatal("a second backup over the first: no error")
	}
	if _, err := os.Stat(filepath.Join(BackupFiles(backup), sum(content)[:2], sum(content))); err != nil {
		t.Fatalf("the backup's file: %v", err)
	}
	sqliteDir := t.TempDir()
	if err := copyFile(backup, filepath.Join(sqliteDir, DBFile)); err != nil {
		t.Fatal(err)
	}
	bh, err := Open(ctx, sqliteDir, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if got := sums(t, bh); !slices.Equal(got, want) {
		t.Fatalf("backup sums %+v\nwant %+v", got, want)
	}
	bh.Close()

	oldEpoch := h.Epoch()
	var last int64 // the backup holds every change up to this one
	h.reader.QueryRow("SELECT last FROM change_seq").Scan(&last)
	if _, err := h.AddOrg(ctx, "After the backup", "TZ"); err != nil {
		t.Fatal(err)
	}
	orgs, _ := h.Orgs(ctx)
	attach(t, h, "res-after", orgs[0].ID, model.VisibilityNetwork)
	h.Close()
	epoch, err := RestorePostgres(ctx, cfg, backup, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	r := openPG(t, cfg)
	if r.Epoch() != epoch || epoch == oldEpoch {
		t.Fatalf("epoch after restore %s, returned %s, before %s", r.Epoch(), epoch, oldEpoch)
	}
	if n := len(r.lineage); n == 0 || r.lineage[n-1].Epoch != oldEpoch || r.lineage[n-1].Seq != last {
		t.Fatalf("lineage %+v, want it to end with %s at %d", r.lineage, oldEpoch, last)
	}
	if orgs, _ := r.Orgs(ctx); len(orgs) != 2 {
		t.Fatalf("after restore, organizations %+v", orgs)
	}
	if recs, _ := r.Records(ctx); slices.ContainsFunc(recs, func(rec protocol.Record) bool { return rec.ID == "res-after" }) {
		t.Fatal("a record written after the backup is still there")
	}
	got := sums(t, r)
	for i := range got {
		if got[i].Table != "meta" && got[i] != want[i] {
			t.Errorf("after restore %+v, want %+v", got[i], want[i])
		}
	}
	if b, err := r.OpenFile(ctx, "", sum(content)); err != nil {
		t.Fatalf("file after restore: %v", err)
	} else {
		b.Close()
	}

	// One backup format: the same file restores a SQLite hub.
	sdir := t.TempDir()
	sepoch, err := Restore(ctx, sdir, backup)
	if err != nil || sepoch == oldEpoch {
		t.Fatalf("SQLite restore of a PostgreSQL backup: %s, %v", sepoch, err)
	}
}

// TestRowHashKeepsKindsApart: NULL, ” and an empty blob sum differently,
// as do 1, 1.0 and '1'; reals are written in their shortest exact form.
func TestRowHashKeepsKindsApart(t *testing.T) {
	seen := map[string]any{}
	for _, v := range []any{nil, "", []byte{}, int64(1), 1.0, "1", []byte("1"), math.Nextafter(0.3, 1), 0.3} {
		h := newRowHash("t")
		if _, err := h.add([]any{v}); err != nil {
			t.Fatal(err)
		}
		s := h.sum().Sum
		if prev, ok := seen[s]; ok {
			t.Errorf("%#v and %#v sum alike", prev, v)
		}
		seen[s] = v
	}
	// Two columns do not run together.
	a, b := newRowHash("t"), newRowHash("t")
	a.add([]any{"ab", "c"})
	b.add([]any{"a", "bc"})
	if a.sum() == b.sum() {
		t.Error(`("ab", "c") and ("a", "bc") sum alike`)
	}
	if _, err := newRowHash("t").add([]any{true}); err == nil {
		t.Error("a value of an unknown type: no error")
	}
}

// notCopied are the tables of the SQLite hub that a copy between databases
// leaves out, each with why; every other table must be in copyTables, so
// that a table added later is not forgotten by migrate, backup and restore.
var notCopied = map[string]string{
	"sign_in_limits":  "recent failed sign-ins: a moved or restored hub starts with none, as one restarted did when they were kept in memory",
	"sqlite_sequence": "SQLite's own counters of AUTOINCREMENT keys; PostgreSQL's identity columns are moved past the copied values instead",
}

func TestEveryTableIsCopiedOrSaysWhyNot(t *testing.T) {
	t.Parallel()
	h, err := Open(context.Background(), t.TempDir(), Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	tables, err := queryStrings(context.Background(), h.reader, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	copied := map[string]bool{}
	for _, ct := range copyTables {
		copied[ct.name] = true
	}
	for _, name := range tables {
		if !copied[name] && notCopied[name] == "" {
			t.Errorf("table %s is neither copied between databases (copyTables) nor listed with why not (notCopied)", name)
		}
		delete(copied, name)
	}
	for name := range copied {
		t.Errorf("copyTables lists %s, which the SQLite hub does not have", name)
	}
}
