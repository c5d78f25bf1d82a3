package client_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgtest/pghub"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
)

// A device whose id is already enrolled (a data folder copied to a second
// laptop, say) is enrolled under a fresh id, adopts it, and syncs as a
// device of its own; the first keeps its id and keeps syncing.
func TestDeviceAdoptsTheIDTheHubGives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	h, err := hub.Open(ctx, dir, hub.Options{Logger: quiet, Postgres: pghub.Config(t, dir)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(func() { srv.Close(); h.Close() })
	org, err := h.AddOrg(ctx, "Org", "MW")
	if err != nil {
		t.Fatal(err)
	}
	enroll := func(sameAs string) *store.Store {
		st, err := store.Open(ctx, filepath.Join(t.TempDir(), store.DBFile), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if sameAs != "" {
			// A copied data folder, or an attacker who read the id.
			if err := st.SetDeviceID(ctx, sameAs); err != nil {
				t.Fatal(err)
			}
		}
		code, err := h.NewEnrollCode(ctx, org, hub.RoleStaff, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := client.New(st, client.Options{Logger: quiet}).Enroll(ctx, srv.URL, code); err != nil {
			t.Fatalf("Enroll: %v", err)
		}
		return st
	}
	first := enroll("")
	second := enroll(first.DeviceID())
	if second.DeviceID() == first.DeviceID() {
		t.Fatal("the second device kept an id that was already enrolled")
	}
	for _, st := range []*store.Store{first, second} {
		if _, err := st.CreateActivity(ctx, model.Activity{Kind: "training", Title: "By " + st.DeviceID(), StartDate: "2026-03-04",
			Country: "MW", Status: "final"}); err != nil {
			t.Fatal(err)
		}
		res, err := client.New(st, client.Options{Logger: quiet}).Sync(ctx, nil)
		if err != nil || res.Rejected != 0 {
			t.Fatalf("device %s: sync %+v, %v", st.DeviceID(), res, err)
		}
	}
	recs, err := h.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]bool{}
	for _, r := range recs {
		if r.Entity == model.EntityActivity {
			by[string(r.Fields["created_by"])] = true
		}
	}
	if len(by) != 2 {
		t.Fatalf("activities created by %v, want one by each device", by)
	}
}
