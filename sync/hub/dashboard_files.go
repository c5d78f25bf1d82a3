package hub

import (
	"context"

	"github.com/a20-network/fieldbook/dashboard"
)

// dashboardFiles opens files for the people signed in to the dashboard,
// by the rule of a device's download ([Hub.OpenFile]).
type dashboardFiles struct{ h *Hub }

var _ dashboard.FileSource = dashboardFiles{}

// OpenFile opens file hash for a reader of organization org ("" for one
// who reads only what is shared with the network); see [Hub.OpenFile].
func (d dashboardFiles) OpenFile(ctx context.Context, org, hash string) (dashboard.File, error) {
	b, err := d.h.OpenFile(ctx, org, hash)
	if err != nil {
		return nil, err
	}
	return b, nil
}
