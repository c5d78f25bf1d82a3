package pgdb

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"
)

// MaxAttempts is how many times [InTx] runs a transaction that PostgreSQL
// keeps failing with a serialization failure or a deadlock.
const MaxAttempts = 5

// SQLSTATE codes after which a transaction is worth running again: it did
// nothing, and the conflict that ended it is gone once the other
// transaction has finished.
const (
	CodeSerializationFailure = "40001"
	CodeDeadlockDetected     = "40P01"
)

// Retryable says whether err (from a statement or a commit) ended its
// transaction with a serialization failure or a deadlock.
func Retryable(err error) bool {
	c := Code(err)
	return c == CodeSerializationFailure || c == CodeDeadlockDetected
}

// InTx runs fn in one transaction on db with opts (nil: READ COMMITTED,
// read-write), committing if fn returns nil and rolling back otherwise.
// When fn or the commit fails [Retryable], the transaction is rolled back
// and run again after a short random pause, up to [MaxAttempts] times in
// all, so fn must do nothing outside the transaction that cannot be done
// twice. fn's error is returned as it is, except after the last attempt,
// when it is wrapped with the count.
func InTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	pause := 2 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := inTxOnce(ctx, db, opts, fn)
		if err == nil || !Retryable(err) {
			return err
		}
		if attempt == MaxAttempts {
			return fmt.Errorf("pgdb: transaction failed %d times: %w", attempt, err)
		}
		// A random pause, growing each time, so that the transactions that
		// collided do not collide again.
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgdb: transaction failed (%w), and %w before another try", err, ctx.Err())
		case <-time.After(pause/2 + rand.N(pause)):
		}
		pause *= 4
	}
}

func inTxOnce(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("pgdb: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("pgdb: commit: %w", err)
	}
	return nil
}
