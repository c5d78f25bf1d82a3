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
