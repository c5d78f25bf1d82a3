package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestIsDiskFull fills a database capped with max_page_count, which makes
// SQLite answer SQLITE_FULL as on a full disk, and checks that the error
// that comes out of a store write, wrapped as it is, is recognised; other
// errors are not.
func TestIsDiskFull(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	var pages int
	if err := s.writer.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+2)); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		_, err = s.CreateActivity(ctx, sampleActivity())
	}
	if !IsDiskFull(err) {
		t.Fatalf("IsDiskFull(%v) = false after filling the database", err)
	}
	for _, other := range []error{nil, ErrNotFound, errors.New("database or disk is full"), fmt.Errorf("wrapped: %w", ErrNewerSchema)} {
		if IsDiskFull(other) {
			t.Errorf("IsDiskFull(%v) = true", other)
		}
	}
}
