package store

import (
	"context"
	"fmt"

	"github.com/a20-network/fieldbook/internal/report"
)

// Report computes the report for f over this device's activities with
// [report.Compute], on the read pool, from the report rollup that
// migration 0006 made and the triggers keep current.
func (s *Store) Report(ctx context.Context, f report.Filter) (report.Report, error) {
	r, err := report.Compute(ctx, s.reader, f)
	if err != nil {
		return r, fmt.Errorf("store: %w", err)
	}
	return r, nil
}
