package hub

import (
	"context"
	"testing"

	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/internal/pgtest/pghub"
)

// TestMain shares one throwaway PostgreSQL server among the tests that
// need one, started by the first of them, and stops it at the end.
func TestMain(m *testing.M) { pgtest.Main(m) }

// openTest opens the hub of data folder dir as [Open] does, on the
// PostgreSQL database pgtest gives that folder when the run keeps hubs on
// PostgreSQL (pgtest.HubEnv), else on SQLite in the folder.
func openTest(t testing.TB, ctx context.Context, dir string, opts Options) (*Hub, error) {
	t.Helper()
	if opts.Postgres == nil {
		opts.Postgres = pghub.Config(t, dir)
	}
	return Open(ctx, dir, opts)
}
