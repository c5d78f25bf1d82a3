package dashboard

import (
	"context"

	"github.com/a20-network/fieldbook/internal/report"
)

// OrganizationRows is, for the benchmark outside the package, how many
// organizations' rows the coordinator's page shows for rep.
func (h *Handler) OrganizationRows(ctx context.Context, rep report.Report) (int, error) {
	rows, err := h.byOrganization(ctx, rep)
	return len(rows), err
}

// OpenTestHub and OpenTestDB open a test's hub and the dashboard's pool on
// its database, on SQLite or PostgreSQL as the run asks (see
// hubdb_test.go).
var (
	OpenTestHub = openTestHub
	OpenTestDB  = openTestDB
	OnPostgres  = onPostgres
)
