package store

import (
	"context"
	"fmt"

	"github.com/a20-network/fieldbook/report"
)

// Report computes the report for f over this device's activities with
// [report.Compute], on the read pool. The first call on a database without
// the report rollup creates it (see [report.Migrate]); later writes keep it
// current through triggers.
func (s *Store) Report(ctx context.Context, f report.Filter) (report.Report, error) {
	if !s.hasRollup.Load() {
		ok, err := report.HasRollup(ctx, s.reader)
		if err != nil {
			return report.Report{Filter: f}, fmt.Errorf("store: %w", err)
		}
		if !ok {
			if err := report.Migrate(ctx, s.writer); err != nil {
				return report.Report{Filter: f}, fmt.Errorf("store: %w", err)
			}
		}
		s.hasRollup.Store(true)
	}
	r, err := report.Compute(ctx, s.reader, f)
	if err != nil {
		return r, fmt.Errorf("store: %w", err)
	}
	return r, nil
}
