package hub

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/internal/changeseq"
	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/internal/report/rolluptest"
)

// newPostgres returns a new PostgreSQL database on the tests' shared
// server, migrated with the hub's PostgreSQL list, closed when t ends. It
// fails t if PostgreSQL cannot start.
func newPostgres(t testing.TB) *sql.DB { return newPostgresOn(t, pgtest.Shared(t)) }

// newPostgresOn is [newPostgres] on server srv.
func newPostgresOn(t testing.TB, srv *pgtest.Server) *sql.DB {
	t.Helper()
	db := openPostgres(t, srv)
	if _, err := MigratePostgres(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// openPostgres returns a new, empty database on srv, closed when t ends.
func openPostgres(t testing.TB, srv *pgtest.Server) *sql.DB {
	t.Helper()
	c, err := pgdb.ParseURL(srv.NewDB(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgdb.Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newHubAndPostgres returns a new SQLite hub and a new PostgreSQL database
// migrated with the hub's PostgreSQL list, both closed when t ends.
func newHubAndPostgres(t *testing.T) (*Hub, *sql.DB) {
	t.Helper()
	h, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h, newPostgres(t)
}

// pgOnly are the tables only the PostgreSQL schema has, each with why.
var pgOnly = map[string]string{
	"schema_version":   "pgdb.Migrate records the schema version in it; SQLite keeps it in PRAGMA user_version",
	"change_seq":       "change numbers come from changeseq's counter so that several hub processes never let a pull skip one; SQLite keeps the last number in meta (key seq)",
	"blobs":            "PGStore's complete files; the SQLite hub keeps files in a folder (DirStore)",
	"blob_chunks":      "PGStore's bytes of files and uploads; the SQLite hub keeps files in a folder (DirStore)",
	"blob_uploads":     "PGStore's uploads in progress; the SQLite hub keeps files in a folder (DirStore)",
	"enroll_allowance": "each client address's enrollment allowance, shared by the hub processes on one database; the SQLite hub is one process and keeps them in memory",
	"sqlite_master":    "a view of PostgreSQL's catalog in SQLite's shape, for the checks shared with SQLite that a table is there (migration 0006)",
}

// sqliteOnly are the tables only the SQLite schema has, each with why.
var sqliteOnly = map[string]string{}

// schemaColumn is a column as both databases describe it: its name, its
// kind of type (integer, real, text, bytes, boolean) and whether it takes
// NULL. A view's columns give only their names.
type schemaColumn struct {
	name, kind string
	notNull    bool
}

// schemaTable is a table or view: its columns in order, its primary key
// and its unique constraints (each a comma-separated list of columns).
type schemaTable struct {
	view    bool
	columns []schemaColumn
	key     string
	uniques []string
}

// schema is what the parity test compares: tables and views, and the
// names of the indexes and triggers made explicitly.
type schema struct {
	tables            map[string]*schemaTable
	indexes, triggers []string
}

// sortedStrings returns the one text column of q's rows, sorted.
func sortedStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	out, err := queryStrings(context.Background(), db, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	slices.Sort(out)
	return out
}

func sqliteKind(declared string) string {
	switch strings.ToUpper(declared) {
	case "INTEGER":
		return "integer"
	case "REAL":
		return "real"
	case "TEXT":
		return "text"
	case "BLOB":
		return "bytes"
	}
	return "?" + declared
}

func pgKind(dataType string) string {
	switch dataType {
	case "smallint", "integer", "bigint":
		return "integer"
	case "double precision", "real":
		return "real"
	case "text":
		return "text"
	case "bytea":
		return "bytes"
	case "boolean":
		return "boolean"
	}
	return "?" + dataType
}

func sqliteSchema(t *testing.T, db *sql.DB) schema {
	s := schema{tables: map[string]*schemaTable{}}
	for _, name := range sortedStrings(t, db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'") {
		tb := &schemaTable{}
		if err := db.QueryRow("SELECT type = 'view' FROM sqlite_master WHERE name = ?", name).Scan(&tb.view); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", name)
		if err != nil {
			t.Fatal(err)
		}
		var key []string
		var pks []int
		for rows.Next() {
			var c schemaColumn
			var typ string
			var pk int
			if err := rows.Scan(&c.name, &typ, &c.notNull, &pk); err != nil {
				t.Fatal(err)
			}
			if !tb.view {
				c.kind = sqliteKind(typ)
				// A primary key column is NOT NULL on PostgreSQL; SQLite
				// only says so for an INTEGER PRIMARY KEY or a STRICT or
				// WITHOUT ROWID table.
				c.notNull = c.notNull || pk > 0
			} else {
				c.notNull = false
			}
			tb.columns = append(tb.columns, c)
			if pk > 0 {
				key = append(key, c.name)
				pks = append(pks, pk)
			}
		}
		rows.Close()
		// In the key's order, not the columns'.
		ordered := make([]string, len(key))
		for i, k := range key {
			ordered[pks[i]-1] = k
		}
		tb.key = strings.Join(ordered, ",")
		for _, idx := range sortedStrings(t, db, "SELECT name FROM pragma_index_list(?) WHERE origin = 'u'", name) {
			cols := sortedStrings(t, db, "SELECT printf('%04d', seqno) || name FROM pragma_index_info(?)", idx)
			for i := range cols {
				cols[i] = cols[i][4:]
			}
			tb.uniques = append(tb.uniques, strings.Join(cols, ","))
		}
		slices.Sort(tb.uniques)
		s.tables[name] = tb
	}
	s.indexes = sortedStrings(t, db, "SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
	s.triggers = sortedStrings(t, db, "SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'trigger'")
	return s
}

func postgresSchema(t *testing.T, db *sql.DB) schema {
	s := schema{tables: map[string]*schemaTable{}}
	for _, name := range sortedStrings(t, db, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()") {
		tb := &schemaTable{}
		if err := db.QueryRow("SELECT table_type = 'VIEW' FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1", name).Scan(&tb.view); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query(`SELECT column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c schemaColumn
			var typ string
			if err := rows.Scan(&c.name, &typ, &c.notNull); err != nil {
				t.Fatal(err)
			}
			if tb.view {
				c.notNull = false
			} else {
				c.kind = pgKind(typ)
			}
			tb.columns = append(tb.columns, c)
		}
		rows.Close()
		constraint := func(typ string) []string {
			return sortedStrings(t, db, `SELECT string_agg(a.attname, ',' ORDER BY k.i)
				FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, i)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
				WHERE c.conrelid = to_regclass($1) AND c.contype = $2 GROUP BY c.oid`, name, typ)
		}
		if key := constraint("p"); len(key) == 1 {
			tb.key = key[0]
		}
		tb.uniques = constraint("u")
		s.tables[name] = tb
	}
	s.indexes = sortedStrings(t, db, `SELECT tablename || '.' || indexname FROM pg_indexes WHERE schemaname = current_schema()
		AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))`)
	s.triggers = sortedStrings(t, db, `SELECT DISTINCT tgrelid::regclass || '.' || tgname FROM pg_trigger WHERE NOT tgisinternal`)
	return s
}

// schemaDiff lists how want (SQLite) and got (PostgreSQL) differ, one line
// each, leaving out the tables one side has for a documented reason.
func schemaDiff(want, got schema) []string {
	var diff []string
	for name, wt := range want.tables {
		gt, ok := got.tables[name]
		switch {
		case !ok && sqliteOnly[name] == "":
			diff = append(diff, fmt.Sprintf("table %s: in SQLite only", name))
		case !ok:
		case wt.view != gt.view:
			diff = append(diff, fmt.Sprintf("table %s: a view on one side only (SQLite view %v)", name, wt.view))
		default:
			diff = append(diff, tableDiff(name, wt, gt)...)
		}
	}
	for name := range got.tables {
		if _, ok := want.tables[name]; !ok && pgOnly[name] == "" {
			diff = append(diff, fmt.Sprintf("table %s: in PostgreSQL only", name))
		}
	}
	for _, d := range []struct {
		what      string
		want, got []string
	}{{"index", want.indexes, got.indexes}, {"trigger", want.triggers, got.triggers}} {
		// Each named as table.name; those of a table on one side only
		// go with it.
		for _, n := range d.want {
			if !slices.Contains(d.got, n) && sqliteOnly[strings.Split(n, ".")[0]] == "" {
				diff = append(diff, fmt.Sprintf("%s %s: in SQLite only", d.what, n))
			}
		}
		for _, n := range d.got {
			if !slices.Contains(d.want, n) && pgOnly[strings.Split(n, ".")[0]] == "" {
				diff = append(diff, fmt.Sprintf("%s %s: in PostgreSQL only", d.what, n))
			}
		}
	}
	slices.Sort(diff)
	return diff
}

func tableDiff(name string, want, got *schemaTable) []string {
	var diff []string
	names := func(cs []schemaColumn) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.name)
		}
		return out
	}
	wn, gn := names(want.columns), names(got.columns)
	for _, c := range want.columns {
		i := slices.Index(gn, c.name)
		if i < 0 {
			diff = append(diff, fmt.Sprintf("table %s: column %s in SQLite only", name, c.name))
			continue
		}
		if g := got.columns[i]; g != c {
			diff = append(diff, fmt.Sprintf("table %s: column %s is %s not null=%v on SQLite, %s not null=%v on PostgreSQL", name, c.name, c.kind, c.notNull, g.kind, g.notNull))
		}
	}
	for _, c := range gn {
		if !slices.Contains(wn, c) {
			diff = append(diff, fmt.Sprintf("table %s: column %s in PostgreSQL only", name, c))
		}
	}
	if len(diff) == 0 && !slices.Equal(wn, gn) {
		diff = append(diff, fmt.Sprintf("table %s: columns in another order: SQLite %v, PostgreSQL %v", name, wn, gn))
	}
	if want.key != got.key {
		diff = append(diff, fmt.Sprintf("table %s: primary key (%s) on SQLite, (%s) on PostgreSQL", name, want.key, got.key))
	}
	if !slices.Equal(want.uniques, got.uniques) {
		diff = append(diff, fmt.Sprintf("table %s: unique (%v) on SQLite, (%v) on PostgreSQL", name, want.uniques, got.uniques))
	}
	return diff
}

// TestPostgresSchemaMatchesSQLite compares a new SQLite hub, after all its
// migrations and what it makes at open, with a new PostgreSQL database
// after the hub's PostgreSQL migrations: the same tables and views, each
// with the same columns in the same order, of the same kind of type and
// NOT NULL alike, the same primary keys and unique constraints, and the
// same indexes and triggers by name. A table on one side only must be in
// pgOnly or sqliteOnly with its reason.
func TestPostgresSchemaMatchesSQLite(t *testing.T) {
	ctx := context.Background()
	h, pg := newHubAndPostgres(t)
	want, got := sqliteSchema(t, h.reader), postgresSchema(t, pg)
	if len(want.tables) < 10 || len(got.tables) < 10 {
		t.Fatalf("%d tables on SQLite, %d on PostgreSQL: the schemas were not read", len(want.tables), len(got.tables))
	}
	if diff := schemaDiff(want, got); len(diff) > 0 {
		t.Errorf("the PostgreSQL schema (sync/hub/pgmigrations) differs from SQLite's; add a PostgreSQL migration for each SQLite one:\n%s", strings.Join(diff, "\n"))
	}
	for name := range pgOnly {
		if _, ok := got.tables[name]; !ok {
			t.Errorf("pgOnly lists %s, which PostgreSQL does not have", name)
		}
	}
	// The counter changeseq takes numbers from is there, at 0.
	err := pgdb.InTx(ctx, pg, nil, func(tx *sql.Tx) error {
		first, err := changeseq.Take(ctx, tx, 3)
		if err == nil && first != 1 {
			err = fmt.Errorf("first change number %d, want 1", first)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A second migration finds the database up to date.
	ms, err := pgMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if before, err := MigratePostgres(ctx, pg); err != nil || before != len(ms) {
		t.Fatalf("migrating again: before %d, %v; want %d", before, err, len(ms))
	}
}

// TestSchemaDiffNamesWhatDiffers shows the parity test's messages: each
// kind of drift is named.
func TestSchemaDiffNamesWhatDiffers(t *testing.T) {
	col := func(name, kind string) schemaColumn { return schemaColumn{name: name, kind: kind, notNull: true} }
	want := schema{tables: map[string]*schemaTable{
		"a":    {columns: []schemaColumn{col("id", "text"), col("n", "integer"), col("x", "text")}, key: "id"},
		"gone": {columns: []schemaColumn{col("id", "text")}},
	}, indexes: []string{"a.a_by_n"}}
	got := schema{tables: map[string]*schemaTable{
		"a":          {columns: []schemaColumn{col("id", "text"), col("n", "text"), col("y", "text")}, key: "n", uniques: []string{"y"}},
		"extra":      {},
		"change_seq": {},
	}, indexes: []string{"change_seq.change_seq_by_one"}}
	diff := schemaDiff(want, got)
	for _, w := range []string{
		"table gone: in SQLite only", "table extra: in PostgreSQL only",
		"table a: column x in SQLite only", "table a: column y in PostgreSQL only",
		"table a: column n is integer not null=true on SQLite, text not null=true on PostgreSQL",
		"table a: primary key (id) on SQLite, (n) on PostgreSQL",
		"table a: unique ([]) on SQLite, ([y]) on PostgreSQL",
		"index a.a_by_n: in SQLite only",
	} {
		if !slices.Contains(diff, w) {
			t.Errorf("missing %q in\n%s", w, strings.Join(diff, "\n"))
		}
	}
	if len(diff) != 8 {
		t.Errorf("%d differences, want 8 (change_seq is PostgreSQL's for a reason):\n%s", len(diff), strings.Join(diff, "\n"))
	}
}

// rollupTable reads db's report rollup as text, one line a row, sorted
// the same way on both databases.
func rollupTable(t *testing.T, db *sql.DB, fromActivities bool) []string {
	t.Helper()
	rows := rolluptest.RollupRows(t, db, fromActivities)
	slices.Sort(rows)
	return rows
}

// TestPostgresRollupMatchesSQLite writes the same random history of
// activity rows — inserts, upserts, updates of any column the rollup
// reads (or of one it does not), deletes and restores, in several months,
// organizations, kinds and countries, with themes as the hub writes them
// and as older databases may hold them (a theme twice, a bare string, an
// object) — to a SQLite hub's activities table and to PostgreSQL's. After
// every step the PostgreSQL rollup, kept by its PL/pgSQL triggers, equals
// the SQLite one, which equals the rollup summed from scratch from the
// activities. Then, with the batch mark set in meta, the triggers leave
// the rollup alone on PostgreSQL as on SQLite.
func TestPostgresRollupMatchesSQLite(t *testing.T) {
	ctx := context.Background()
	h, pg := newHubAndPostgres(t)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := h.writer.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("SQLite: %s: %v", q, err)
		}
		pq, err := pgdb.Rebind(q)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pg.ExecContext(ctx, pq, args...); err != nil {
			t.Fatalf("PostgreSQL: %s: %v", q, err)
		}
	}
	rng := rand.New(rand.NewPCG(16, 3))
	themes := []string{`[]`, `["education"]`, `["violence","child_marriage"]`, `["education","violence"]`,
		`["education","education"]`, `"education"`, `{"a":"violence","b":"education"}`}
	columns := append([]string{"deleted", "start_date", "org_id", "kind", "country", "themes"}, report.RollupSums...)
	value := func(col string) any {
		switch col {
		case "deleted":
			return rng.IntN(4) / 3 // mostly live
		case "start_date":
			return fmt.Sprintf("2026-%02d-%02d", 1+rng.IntN(3), 1+rng.IntN(28))
		case "org_id":
			return []string{"org-a", "org-b"}[rng.IntN(2)]
		case "kind":
			return []string{"training", "school_visit", "other"}[rng.IntN(3)]
		case "country":
			return []string{"MW", "KE"}[rng.IntN(2)]
		case "themes":
			return themes[rng.IntN(len(themes))]
		case "title":
			return fmt.Sprint("t", rng.IntN(9))
		}
		return rng.IntN(12)
	}
	insert := "INSERT INTO activities (id, visibility, created_by, created_at, updated_at, version, title, status, " +
		strings.Join(columns, ", ") + ") VALUES (?, 'org', 'dev', '2026-01-01', 'hlc', 1, 't', 'final'" + strings.Repeat(", ?", len(columns)) + ")"
	var sets []string
	for _, c := range columns {
		sets = append(sets, c+" = excluded."+c)
	}
	upsert := insert + " ON CONFLICT (id) DO UPDATE SET " + strings.Join(sets, ", ")
	var ids []string
	for step := range 300 {
		switch op := rng.IntN(6); {
		case op <= 1 || len(ids) == 0:
			id := fmt.Sprintf("act-%03d", step)
			q := insert
			if op == 1 {
				q = upsert
			}
			args := []any{id}
			for _, c := range columns {
				args = append(args, value(c))
			}
			exec(q, args...)
			ids = append(ids, id)
		case op == 2:
			id := ids[rng.IntN(len(ids))]
			args := []any{id}
			for _, c := range columns {
				args = append(args, value(c))
			}
			exec(upsert, args...)
		case op == 3:
			var set []string
			var args []any
			for _, c := range append(columns, "title") {
				if rng.IntN(3) == 0 {
					set = append(set, c+" = ?")
					args = append(args, value(c))
				}
			}
			if len(set) == 0 {
				set, args = []string{"title = ?"}, []any{"t2"}
			}
			exec("UPDATE activities SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, ids[rng.IntN(len(ids))])...)
		case op == 4:
			exec("UPDATE activities SET deleted = 1 - deleted WHERE id = ?", ids[rng.IntN(len(ids))])
		default:
			i := rng.IntN(len(ids))
			exec("DELETE FROM activities WHERE id = ?", ids[i])
			ids = slices.Delete(ids, i, i+1)
		}
		lite, post := rollupTable(t, h.writer, false), rollupTable(t, pg, false)
		if !reflect.DeepEqual(post, lite) {
			t.Fatalf("step %d: PostgreSQL's rollup\n%s\nSQLite's\n%s", step, strings.Join(post, "\n"), strings.Join(lite, "\n"))
		}
		if step%50 == 49 {
			scratch := rollupTable(t, h.writer, true)
			if !reflect.DeepEqual(lite, scratch) {
				t.Fatalf("step %d: SQLite's rollup\n%s\nsummed from the activities\n%s", step, strings.Join(lite, "\n"), strings.Join(scratch, "\n"))
			}
		}
	}
	if len(rollupTable(t, pg, false)) < 20 {
		t.Fatalf("the history left a rollup of %d rows: too few to tell", len(rollupTable(t, pg, false)))
	}
	// A writer that sums a batch itself marks it; the triggers skip.
	before := rollupTable(t, pg, false)
	exec("INSERT INTO meta (key, value) VALUES ('" + report.RollupBatchKey + "', '1')")
	exec("UPDATE activities SET kind = 'batch', adults = adults + 1")
	exec("DELETE FROM activities WHERE id = ?", ids[0])
	exec("DELETE FROM meta WHERE key = '" + report.RollupBatchKey + "'")
	if after := rollupTable(t, pg, false); !reflect.DeepEqual(after, before) {
		t.Fatalf("the triggers changed the rollup during a batch:\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if lite := rollupTable(t, h.writer, false); !reflect.DeepEqual(lite, before) {
		t.Fatal("SQLite's rollup changed during the batch too: the test does not show what it means to")
	}
}
