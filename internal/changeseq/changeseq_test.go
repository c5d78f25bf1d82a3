package changeseq

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
)

func TestMain(m *testing.M) {
	if helperMode() != "" {
		helperMain()
		return
	}
	pgtest.Main(m)
}

// changesSchema is a hub's change log as these tests model it: the counter,
// and one row per change under its number.
const changesSchema = Schema + `
CREATE TABLE changes (seq bigint PRIMARY KEY, what text NOT NULL);`

// newDB makes a new database with the change log and returns its URL.
func newDB(t testing.TB) string {
	t.Helper()
	url := pgtest.NewDB(t).URL
	db := open(t, url, "setup")
	if _, err := db.Exec(changesSchema); err != nil {
		t.Fatal(err)
	}
	return url
}

// open opens a pool on url whose connections show name in
// pg_stat_activity.
func open(t testing.TB, url, name string) *sql.DB {
	t.Helper()
	c, err := pgdb.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c.ApplicationName = name
	db, err := pgdb.Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// change is a pulled row.
type change struct {
	seq  int64
	what string
}

// pull reads up to limit changes above cursor in one statement, as a
// device's pull does.
func pull(ctx context.Context, db *sql.DB, cursor int64, limit int) ([]change, error) {
	rows, err := db.QueryContext(ctx, "SELECT seq, what FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2", cursor, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.seq, &c.what); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// write takes a number in tx and logs change what under it.
func write(ctx context.Context, tx *sql.Tx, what string) (int64, error) {
	seq, err := Take(ctx, tx, 1)
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO changes (seq, what) VALUES ($1, $2)", seq, what)
	return seq, err
}

// waitsOnLock waits until a connection named name waits for a lock, so
// that a test knows a writer is held up rather than merely slow.
func waitsOnLock(t *testing.T, db *sql.DB, name string) {
	t.Helper()
	for range 600 {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE application_name = $1 AND wait_event_type = 'Lock'`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never waited for a lock", name)
}

func TestTakeHandsOutNumbersInOrderAndAgainAfterARollback(t *testing.T) {
	ctx := context.Background()
	db := open(t, newDB(t), "t")
	take := func(n int, commit bool) int64 {
		t.Helper()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		first, err := Take(ctx, tx, n)
		if err != nil {
			t.Fatal(err)
		}
		if commit {
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		return first
	}
	for _, c := range []struct {
		n      int
		commit bool
		want   int64
	}{{1, true, 1}, {3, true, 2}, {2, false, 5}, {1, true, 5}, {1, true, 6}} {
		if got := take(c.n, c.commit); got != c.want {
			t.Errorf("Take(%d) = %d, want %d", c.n, got, c.want)
		}
	}
	if last, err := Last(ctx, db); err != nil || last != 6 {
		t.Errorf("Last = %d, %v; want 6", last, err)
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := Take(ctx, tx, 0); err == nil {
		t.Error("Take(0) gave numbers")
	}
}

func TestTakeSaysWhenTheCounterIsMissing(t *testing.T) {
	ctx := context.Background()
	db := open(t, newDB(t), "t")
	if _, err := db.Exec("DELETE FROM change_seq"); err != nil {
		t.Fatal(err)
	}
	err := pgdb.InTx(ctx, db, nil, func(tx *sql.Tx) error {
		_, err := Take(ctx, tx, 1)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "change_seq has no row") {
		t.Fatalf("Take without the counter's row: %v", err)
	}
}

// TestAnOpenChangeHoldsBackTheNext holds a transaction open after it took
// number 1, while a second writer asks for the next number: the second
// waits, a pull returns nothing (never the later change past the open
// one), and once the first commits the pulls return both, in order.
func TestAnOpenChangeHoldsBackTheNext(t *testing.T) {
	ctx := context.Background()
	url := newDB(t)
	a, b, reader := open(t, url, "writer-a"), open(t, url, "writer-b"), open(t, url, "reader")

	txA, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback()
	if seq, err := write(ctx, txA, "a"); err != nil || seq != 1 {
		t.Fatalf("writer a took %d, %v; want 1", seq, err)
	}

	bDone := make(chan error, 1)
	var seqB int64
	go func() {
		bDone <- pgdb.InTx(ctx, b, nil, func(tx *sql.Tx) (err error) {
			seqB, err = write(ctx, tx, "b")
			return err
		})
	}()
	waitsOnLock(t, reader, "writer-b")

	var cursor int64
	var got []change
	page, err := pull(ctx, reader, cursor, 10)
	if err != nil || len(page) != 0 {
		t.Fatalf("a pull while a is open = %v, %v; want nothing", page, err)
	}

	if err := txA.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}
	for {
		page, err := pull(ctx, reader, cursor, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		cursor = page[len(page)-1].seq
	}
	if want := []change{{1, "a"}, {2, "b"}}; fmt.Sprint(got) != fmt.Sprint(want) || seqB != 2 {
		t.Fatalf("pulled %v (b took %d), want %v", got, seqB, want)
	}
}

// TestASequenceWouldSkipAChange is the danger the package exists for, on a
// plain PostgreSQL sequence: a later number commits while an earlier one is
// open, a pull moves the cursor past the open one, and the earlier change
// is never pulled. The same steps on Take are TestAnOpenChangeHoldsBackTheNext.
func TestASequenceWouldSkipAChange(t *testing.T) {
	ctx := context.Background()
	url := newDB(t)
	db := open(t, url, "t")
	if _, err := db.Exec("CREATE SEQUENCE plain"); err != nil {
		t.Fatal(err)
	}
	insert := func(tx *sql.Tx, what string) {
		t.Helper()
		if _, err := tx.ExecContext(ctx, "INSERT INTO changes (seq, what) VALUES (nextval('plain'), $1)", what); err != nil {
			t.Fatal(err)
		}
	}
	txA, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback()
	insert(txA, "a") // number 1, held open
	txB, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	insert(txB, "b") // number 2, does not wait
	if err := txB.Commit(); err != nil {
		t.Fatal(err)
	}
	page, err := pull(ctx, db, 0, 10)
	if err != nil || len(page) != 1 || page[0].seq != 2 {
		t.Fatalf("a pull while 1 is open = %v, %v; the sequence should have let 2 through", page, err)
	}
	cursor := page[0].seq
	if err := txA.Commit(); err != nil {
		t.Fatal(err)
	}
	if page, err := pull(ctx, db, cursor, 10); err != nil || len(page) != 0 {
		t.Fatalf("after the cursor moved to 2, a pull = %v, %v; the skipped change 1 should be out of reach", page, err)
	}
}
