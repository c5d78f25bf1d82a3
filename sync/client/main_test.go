package client_test

import (
	"testing"

	"github.com/a20-network/fieldbook/internal/pgtest"
)

// TestMain shares one throwaway PostgreSQL server among the tests that
// keep their hub on PostgreSQL (pgtest.HubEnv), and stops it at the end.
func TestMain(m *testing.M) { pgtest.Main(m) }
