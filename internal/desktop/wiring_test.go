package desktop

import (
	"context"
	"testing"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/ui"
)

// TestWindowDepsWireSyncAndReports checks the window gets the real sync
// engine and the Reports tab.
func TestWindowDepsWireSyncAndReports(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), Lang: "ar-XB"}
	st, err := store.OpenDir(context.Background(), cfg.DataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, errs := locales.Load(locales.OverrideDir(cfg.DataDir))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	deps := windowDeps(context.Background(), st, client.New(st, client.Options{}), b, locales.OverrideDir(cfg.DataDir), cfg)
	if _, ok := deps.Syncer.(*client.Engine); !ok {
		t.Fatalf("syncer is %T, want the sync engine", deps.Syncer)
	}
	if deps.Lang != "ar-XB" {
		t.Fatalf("--lang not passed on: %q", deps.Lang)
	}
	found := false
	for _, s := range deps.Extra {
		if k, ok := s.(interface{ Key() string }); ok && k.Key() == ui.TabReports {
			found = true
		}
	}
	if !found {
		t.Fatalf("no Reports tab among %d extra screens", len(deps.Extra))
	}
}
