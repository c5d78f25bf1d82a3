// Package pghub gives tests that open a hub the connection settings of
// the PostgreSQL database to keep it in, when the run asks for hubs on
// PostgreSQL (pgtest.HubEnv).
package pghub

import (
	"testing"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/pgtest"
)

// Config is [pgtest.HubURL] read into a hub's connection settings: nil
// when the run keeps hubs on SQLite, so that a hub's Options.Postgres can
// be set from it either way.
func Config(t testing.TB, dir string) *pgdb.Config {
	t.Helper()
	u := pgtest.HubURL(t, dir)
	if u == "" {
		return nil
	}
	c, err := pgdb.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	return &c
}
