package pgdb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func counters(t *testing.T) *sql.DB {
	t.Helper()
	db := openDB(t, "")
	if _, err := db.Exec("CREATE TABLE k (id integer PRIMARY KEY, n integer NOT NULL); INSERT INTO k VALUES (1, 0), (2, 0)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func values(t *testing.T, db *sql.DB) (one, two int) {
	t.Helper()
	if err := db.QueryRow("SELECT (SELECT n FROM k WHERE id = 1), (SELECT n FROM k WHERE id = 2)").Scan(&one, &two); err != nil {
		t.Fatal(err)
	}
	return one, two
}

// TestInTxRetriesADeadlock makes two transactions lock two rows in
// opposite orders; PostgreSQL ends one of them with a deadlock, and InTx
// runs it again once the other has committed.
func TestInTxRetriesADeadlock(t *testing.T) {
	ctx := context.Background()
	db := counters(t)
	var attempts atomic.Int32
	var firstLocks sync.WaitGroup
	firstLocks.Add(2)
	update := func(first, second int) error {
		try := 0
		return InTx(ctx, db, nil, func(tx *sql.Tx) error {
			try++
			attempts.Add(1)
			if _, err := tx.ExecContext(ctx, "SET LOCAL deadlock_timeout = '50ms'"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE k SET n = n + 1 WHERE id = $1", first); err != nil {
				return err
			}
			if try == 1 { // both hold their first row before either asks for its second
				firstLocks.Done()
				firstLocks.Wait()
			}
			_, err := tx.ExecContext(ctx, "UPDATE k SET n = n + 1 WHERE id = $1", second)
			return err
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- update(1, 2) }()
	go func() { errs <- update(2, 1) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a transaction failed: %v", err)
		}
	}
	if one, two := values(t, db); one != 2 || two != 2 || attempts.Load() != 3 {
		t.Errorf("rows %d and %d after %d attempts; want 2, 2 after 3 (one deadlock, retried once)", one, two, attempts.Load())
	}
}

// TestInTxRetriesASerializationFailure changes a row under a REPEATABLE
// READ transaction that then updates it too: PostgreSQL refuses the
// update, and InTx runs the transaction again on a new snapshot.
func TestInTxRetriesASerializationFailure(t *testing.T) {
	ctx := context.Background()
	db := counters(t)
	attempts := 0
	err := InTx(ctx, db, &sql.TxOptions{Isolation: sql.LevelRepeatableRead}, func(tx *sql.Tx) error {
		attempts++
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT n FROM k WHERE id = 1").Scan(&n); err != nil {
			return err
		}
		if attempts == 1 {
			if _, err := db.ExecContext(ctx, "UPDATE k SET n = n + 10 WHERE id = 1"); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "UPDATE k SET n = $1 WHERE id = 1", n+1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if one, _ := values(t, db); one != 11 || attempts != 2 {
		t.Errorf("row %d after %d attempts, want 11 after 2", one, attempts)
	}
}

func TestInTxGivesUpAfterMaxAttempts(t *testing.T) {
	ctx := context.Background()
	db := counters(t)
	attempts := 0
	err := InTx(ctx, db, nil, func(tx *sql.Tx) error {
		attempts++
		if _, err := tx.ExecContext(ctx, "UPDATE k SET n = n + 1 WHERE id = 1"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DO $$ BEGIN RAISE EXCEPTION 'always' USING ERRCODE = 'serialization_failure'; END $$")
		return err
	})
	if attempts != MaxAttempts || Code(err) != CodeSerializationFailure || !strings.Contains(err.Error(), "failed 5 times") {
		t.Errorf("%d attempts, error %v; want %d attempts and the last serialization failure", attempts, err, MaxAttempts)
	}
	if one, _ := values(t, db); one != 0 {
		t.Errorf("the failed attempts left row 1 at %d, want 0", one)
	}
}

func TestInTxReturnsOtherErrorsAtOnceAndRollsBack(t *testing.T) {
	ctx := context.Background()
	db := counters(t)
	boom := errors.New("boom")
	for _, c := range []struct {
		name string
		fail func(tx *sql.Tx) error
		want func(error) bool
	}{
		{"fn's own error", func(*sql.Tx) error { return boom }, func(err error) bool { return err == boom }},
		{"a unique violation", func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO k VALUES (1, 0)")
			return err
		}, func(err error) bool { return Code(err) == "23505" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			attempts := 0
			err := InTx(ctx, db, nil, func(tx *sql.Tx) error {
				attempts++
				if _, err := tx.ExecContext(ctx, "UPDATE k SET n = 7 WHERE id = 2"); err != nil {
					return err
				}
				return c.fail(tx)
			})
			if !c.want(err) || attempts != 1 {
				t.Errorf("%d attempts, error %v", attempts, err)
			}
			if _, two := values(t, db); two != 0 {
				t.Errorf("the failed transaction left row 2 at %d, want 0", two)
			}
		})
	}
}
