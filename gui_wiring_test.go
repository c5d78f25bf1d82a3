package main

import (
	"context"
	"testing"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/ui"
)

// TestGUIDepsWireSyncAndReports checks the window gets the real sync
// engine and the Reports tab.
func TestGUIDepsWireSyncAndReports(t *testing.T) {
	cfg := config{dataDir: t.TempDir(), lang: "ar-XB"}
	st, err := openStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, errs := locales.Load(locales.OverrideDir(cfg.dataDir))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	deps := guiDeps(context.Background(), st, b, locales.OverrideDir(cfg.dataDir), cfg, guiOptions{})
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
