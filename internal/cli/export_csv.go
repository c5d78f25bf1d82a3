package cli

import (
	"context"

	"github.com/a20-network/fieldbook/internal/activitycsv"
	"github.com/a20-network/fieldbook/store"
)

// exportCSV writes the live activities whose start date lies in
// [req.from, req.to] as activitycsv, newest first, with the byte-order mark
// spreadsheets need to read UTF-8. `fieldbook import` reads the file back.
func exportCSV(ctx context.Context, req exportRequest) error {
	w := activitycsv.NewWriter(req.out)
	err := req.store.WalkActivities(ctx, store.ActivityFilter{From: req.from, To: req.to}, w.Write)
	if err != nil {
		return err
	}
	return w.Flush()
}
