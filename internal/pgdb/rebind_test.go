package pgdb

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/a20-network/fieldbook/internal/sqlitedb"
)

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT ?", "SELECT $1"},
		{"a = ? AND b IN (?,?)", "a = $1 AND b IN ($2,$3)"},
		// SQLite's numbering: a bare ? is one past the highest before it.
		{"?2, ?, ?1, ?", "$2, $3, $1, $4"},
		{"version > ?1 AND (org_id = ?2 OR visibility = 'network') AND ?1 > 0", "version > $1 AND (org_id = $2 OR visibility = 'network') AND $1 > 0"},
		{`SELECT '?', "?", ?`, `SELECT '?', "?", $1`},
		{`SELECT 'it''s ?', "a""?", ?`, `SELECT 'it''s ?', "a""?", $1`},
		{`SELECT 'a\', ?`, `SELECT 'a\', $1`},                   // no backslash escapes in a standard string
		{`SELECT E'\'?', e'\\', ?`, `SELECT E'\'?', e'\\', $1`}, // but in E'…'
		{`SELECT some'x', ?`, `SELECT some'x', $1`},
		{"SELECT $$ ? $$, $t$ ?$$? $t$, ?", "SELECT $$ ? $$, $t$ ?$$? $t$, $1"},
		{"SELECT a$b$?", "SELECT a$b$ $1"}, // a$b$ is a name, not a dollar quote
		{"SELECT 1$q$?$q$, ?", "SELECT 1$q$?$q$, $1"},
		{"SELECT ? -- what?\n, ?", "SELECT $1 -- what?\n, $2"},
		{"SELECT ? -- what?", "SELECT $1 -- what?"},
		{"/* a /* nested ? */ still ? */ ?", "/* a /* nested ? */ still ? */ $1"},
		{"a?b", "a $1 b"},
		{"?A$$?", "$1 A$$ $2"}, // after the space, A$$ is a name of its own
		{"1?2", "1 $2"},        // 1, then ?2
		{"café?", "café $1"},
		{"?::integer", "$1::integer"},
		{"x=?;", "x=$1;"},
	} {
		got, err := Rebind(c.in)
		if err != nil || got != c.want {
			t.Errorf("Rebind(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestRebindSaysWhatIsWrong(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT '?", "the string at byte 7 has no closing '"},
		{`SELECT "?`, `the quoted name at byte 7 has no closing "`},
		{"SELECT ? /* ? /* */", "the comment at byte 9 has no closing */"},
		{"SELECT $x$ ?", "the dollar-quoted string at byte 7 has no closing $x$"},
		{"SELECT ?0", "placeholder ?0 at byte 7: numbers go from 1 to 65535"},
		{"SELECT ?65536", "placeholder ?65536 at byte 7"},
		{"SELECT ?99999999999999999999999", "placeholder ?99999999999999999999999 at byte 7"},
	} {
		if _, err := Rebind(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Rebind(%q) = %v, want an error saying %q", c.in, err, c.want)
		}
	}
}

// TestRebindGivesTheSameAnswersAsSQLite runs queries written for SQLite
// on SQLite and, rebound, on PostgreSQL, with the same arguments.
func TestRebindGivesTheSameAnswersAsSQLite(t *testing.T) {
	ctx := context.Background()
	pg := openDB(t, "")
	lite, err := sqlitedb.Open(filepath.Join(t.TempDir(), "x.db"), sqlitedb.Writer, 1, sqlitedb.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	for _, c := range []struct {
		query string
		args  []any
		want  string
	}{
		{"SELECT CAST(? AS TEXT) || '?' || CAST(? AS TEXT)", []any{"a", "b"}, "a?b"},
		{"SELECT CAST(?2 AS TEXT) || CAST(? AS TEXT) || CAST(?1 AS TEXT)", []any{"x", "y", "z"}, "yzx"},
		{"SELECT CAST(? AS TEXT) /* ? */ || '--?' -- ?\n || CAST(? AS TEXT)", []any{"a", "b"}, "a--?b"},
		{`SELECT "?" FROM (SELECT CAST(? AS INTEGER) AS "?") AS t`, []any{7}, "7"},
		{"SELECT count(*) FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS t WHERE x > ?1 AND x < ?1 + 2", []any{1}, "1"},
		{"SELECT 'it''s' || CAST(? AS TEXT)", []any{"?"}, "it's?"},
	} {
		t.Run(c.query, func(t *testing.T) {
			var fromLite, fromPG string
			if err := lite.QueryRowContext(ctx, c.query, c.args...).Scan(&fromLite); err != nil {
				t.Fatalf("SQLite: %v", err)
			}
			q, err := Rebind(c.query)
			if err != nil {
				t.Fatal(err)
			}
			if err := pg.QueryRowContext(ctx, q, c.args...).Scan(&fromPG); err != nil {
				t.Fatalf("PostgreSQL, %q: %v", q, err)
			}
			if fromLite != c.want || fromPG != c.want {
				t.Errorf("SQLite %q, PostgreSQL %q (query %q), want %q", fromLite, fromPG, q, c.want)
			}
		})
	}
	// PostgreSQL's own quoting, which SQLite has not got.
	q, err := Rebind(`SELECT $$?$$ || E'\'?' || $x$--?$x$ || "?" FROM (SELECT CAST(? AS TEXT) AS "?") AS t`)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := pg.QueryRowContext(ctx, q, "!").Scan(&got); err != nil || got != "?'?--?!" {
		t.Errorf("PostgreSQL, %q = %q, %v; want %q", q, got, err, "?'?--?!")
	}
}

// TestRebindModel builds queries from pieces whose rewriting is known —
// placeholders, and quotes and comments holding ?, ', ", $, -- and /* —
// and checks Rebind against it.
func TestRebindModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pieces := rapid.IntRange(0, 12).Draw(t, "pieces")
		var in, want []string
		highest := 0
		for i := range pieces {
			kind := rapid.IntRange(0, 9).Draw(t, fmt.Sprint("kind", i))
			text := func(alphabet string, units ...string) string {
				parts := rapid.SliceOfN(rapid.OneOf(rapid.SampledFrom(strings.Split(alphabet, "")), rapid.SampledFrom(append(units, "a"))), 0, 8).Draw(t, fmt.Sprint("text", i))
				return strings.Join(parts, "")
			}
			var p, w string
			switch kind {
			case 0, 1:
				p = rapid.SampledFrom([]string{"SELECT", "a", "b1", "=", ",", "(", ")", "||", "1", "é", "+", "-", "/", "*", "::text", "a$", "x$y"}).Draw(t, fmt.Sprint("word", i))
				w = p
			case 2:
				p, highest = "?", highest+1
				w = "$" + strconv.Itoa(highest)
			case 3:
				n := rapid.IntRange(1, 30).Draw(t, fmt.Sprint("n", i))
				highest = max(highest, n)
				p, w = "?"+strconv.Itoa(n), "$"+strconv.Itoa(n)
			case 4:
				p = "'" + text(`a ?"$-*/\`, "''") + "'"
			case 5:
				p = "E'" + text(`a ?"$-*/`, `\'`, `\\`, "''") + "'"
			case 6:
				p = `"` + text(`a ?'$-*/\`, `""`) + `"`
			case 7:
				p = "--" + text(`a ?'"$-*/\`) + "\n"
			case 8:
				p = "/*" + text(`a ?'"$-\`, "/* ? */") + "*/"
			case 9:
				tag := rapid.SampledFrom([]string{"$$", "$q$", "$_x1$"}).Draw(t, fmt.Sprint("tag", i))
				p = tag + text(`a ?'"-*/\`) + tag
			}
			if w == "" {
				w = p
			}
			in, want = append(in, p), append(want, w)
		}
		q := strings.Join(in, " ")
		got, err := Rebind(q)
		if err != nil || got != strings.Join(want, " ") {
			t.Fatalf("Rebind(%q)\n = %q, %v\nwant %q", q, got, err, strings.Join(want, " "))
		}
	})
}

func FuzzRebind(f *testing.F) {
	for _, s := range []string{
		"SELECT ?", "?2, ?, ?1, ?", `SELECT 'it''s ?', "a""?", ?`, `SELECT E'\'?', ?`,
		"SELECT $$ ? $$, $t$ ?$$? $t$, ?", "SELECT a$b$?", "SELECT 1$q$?$q$, ?",
		"SELECT ? -- what?\n, ?", "/* a /* nested ? */ still ? */ ?", "a?b", "café?", "?$a$?$a$",
		"SELECT '?", "?0", "?65536", "E?'x'", "?E'\\'?'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out, err := Rebind(q)
		if err != nil {
			return
		}
		if !strings.Contains(q, "?") && out != q {
			t.Fatalf("Rebind(%q) changed a query with no placeholder: %q", q, out)
		}
		// What is left of ? is inside quotes and comments, read the same way
		// again: the output is its own rewriting.
		again, err := Rebind(out)
		if err != nil || again != out {
			t.Fatalf("Rebind(%q) = %q, which rewrites to %q, %v", q, out, again, err)
		}
		if strings.Count(out, "?") > strings.Count(q, "?") {
			t.Fatalf("Rebind(%q) = %q added a ?", q, out)
		}
	})
}
