// Package changeseq numbers a hub's changes on PostgreSQL so that a device
// that pulls "the changes numbered above my cursor" never skips one, however
// many hub processes write at once.
//
// # The danger
//
// A device pulls the changes with seq > cursor, and moves its cursor to the
// highest seq it got. If numbers came from a PostgreSQL sequence (nextval),
// a transaction could take 7, another take 8 and commit first, and a pull
// between the two commits would return 8 and move the cursor past 7, which
// commits a moment later and is never pulled by that device
// (TestASequenceWouldSkipAChange shows it happen).
//
// # The design
//
// Every number comes from one row, change_seq.last, which [Take] advances
// with an UPDATE in the writer's own transaction. The UPDATE locks the row
// until the transaction ends, so numbers are handed out one transaction at a
// time, in the order the transactions commit:
//
//  1. A transaction B that takes numbers after a transaction A did waited,
//     in its UPDATE, for A to end, and then read the row as A left it. If A
//     rolled back, its UPDATE is undone and B gets A's numbers again: the
//     numbers that commits ever show are 1, 2, 3, … with no gap (unless a
//     transaction takes more than it uses).
//  2. PostgreSQL ends a commit in this order (CommitTransaction in
//     src/backend/access/transam/xact.c): it records the commit in the
//     write-ahead log and the commit log, then takes the transaction out of
//     the set of running ones — which is what new snapshots consult — and
//     only then releases its locks; the source says this "must be done
//     _before_ releasing locks we hold and _after_ RecordTransactionCommit".
//     A waiter on a row lock waits on the holding transaction's own lock, so
//     B's UPDATE returns only once A's commit is visible to every snapshot
//     taken from then on.
//  3. B commits after its UPDATE returned, so any snapshot in which B's
//     commit is visible was taken after A's commit became visible, and shows
//     A's changes too.
//
// Hence every snapshot shows exactly the changes numbered 1 … M for some M:
// a number is never visible while a smaller one is still to commit. A pull
// that reads "seq > cursor" within one snapshot — one statement, or one
// REPEATABLE READ transaction for several — and moves the cursor to the
// highest seq it read can never pass a change that is still open; that
// change will have a higher number than anything the pull saw.
//
// # The price
//
// Writers wait for each other from their Take to their commit, as SQLite's
// one writer does; the rest of a write transaction runs in parallel. Take as
// late in the transaction as possible (BenchmarkTake measures the hand-off).
// Taking first instead makes the whole write transaction serial, exactly
// like SQLite's: under READ COMMITTED every statement after the Take sees
// everything committed before it.
//
// Two other designs were weighed. A transaction-scoped advisory lock taken
// before nextval orders commits the same way, but leaves gaps for every
// rollback and is broken by any code that calls nextval without the lock;
// the row cannot be advanced without its lock. Stamping each change with its
// transaction id (xid8) and letting readers stop at the oldest transaction
// still running (pg_snapshot_xmin) lets writers overlap, but makes the cursor
// a transaction id rather than the change number devices already keep, and
// one long transaction holds back every pull anyway.
//
// Under REPEATABLE READ or SERIALIZABLE, a Take that had to wait for another
// writer fails with a serialization failure (the row changed after the
// transaction's snapshot), which pgdb.InTx runs again; under READ COMMITTED
// it waits and goes on. A transaction must use its numbers in the
// transaction that took them, and must not roll back to a savepoint made
// before its Take and keep using them.
package changeseq

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Schema makes the table of the counter, at 0. A hub database's migration
// list includes it once.
const Schema = `CREATE TABLE change_seq (
	one  boolean PRIMARY KEY DEFAULT true CHECK (one),
	last bigint NOT NULL CHECK (last >= 0)
);
INSERT INTO change_seq (last) VALUES (0);`

// Take reserves n change numbers for tx and returns the first: tx's changes
// are numbered first … first+n-1. It waits while another transaction that
// took numbers is still open, and from then on makes every other Take wait
// until tx ends (see the package's doc). If tx rolls back, the numbers are
// handed out again.
func Take(ctx context.Context, tx *sql.Tx, n int) (first int64, err error) {
	if n < 1 {
		return 0, fmt.Errorf("changeseq: take %d numbers: at least 1", n)
	}
	var last int64
	err = tx.QueryRowContext(ctx, "UPDATE change_seq SET last = last + $1 RETURNING last", n).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errors.New("changeseq: table change_seq has no row; the migration that makes it (Schema) inserts one")
	}
	if err != nil {
		return 0, fmt.Errorf("changeseq: take %d numbers: %w", n, err)
	}
	return last - int64(n) + 1, nil
}

// Querier is a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Last is the highest number taken by a transaction that has committed, as
// q's snapshot sees it; every change numbered up to it is visible in that
// snapshot. It never waits for writers.
func Last(ctx context.Context, q Querier) (int64, error) {
	var last int64
	if err := q.QueryRowContext(ctx, "SELECT last FROM change_seq").Scan(&last); err != nil {
		return 0, fmt.Errorf("changeseq: read the last number: %w", err)
	}
	return last, nil
}
