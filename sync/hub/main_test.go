package hub

import (
	"testing"

	"github.com/a20-network/fieldbook/internal/pgtest"
)

// TestMain shares one throwaway PostgreSQL server among the tests that
// need one, started by the first of them, and stops it at the end.
func TestMain(m *testing.M) { pgtest.Main(m) }
