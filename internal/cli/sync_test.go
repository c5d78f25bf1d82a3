package cli

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/sync/hub"
)

func TestEnrollAndSyncCommands(t *testing.T) {
	ctx := context.Background()
	h, err := hub.Open(ctx, t.TempDir(), hub.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	org, _ := h.AddOrg(ctx, "Org", "MW")
	code, _ := h.NewEnrollCode(ctx, org, hub.RoleStaff, time.Hour)
	data := t.TempDir()
	var out, errOut bytes.Buffer
	if rc := run([]string{"--data", data, "sync"}, &out, &errOut); rc != 1 || !strings.Contains(errOut.String(), "not enrolled") {
		t.Fatalf("sync before enroll: rc %d, %q", rc, errOut.String())
	}
	errOut.Reset()
	if rc := run([]string{"--data", data, "enroll", "--hub", srv.URL}, &out, &errOut); rc != 2 {
		t.Fatalf("enroll without code: rc %d", rc)
	}
	if rc := run([]string{"--data", data, "enroll", "--hub", srv.URL, "--code", code}, &out, &errOut); rc != 0 {
		t.Fatalf("enroll: rc %d, %s", rc, errOut.String())
	}
	out.Reset()
	if rc := run([]string{"--data", data, "sync"}, &out, &errOut); rc != 0 {
		t.Fatalf("sync: rc %d, %s", rc, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "pushed 0, pulled 1, conflicts 0") || !strings.Contains(out.String(), "requests 1") {
		t.Fatalf("sync printed %q", out.String())
	}
	// A revoked device fails with the reason and a non-zero exit.
	devs, _ := h.Devices(ctx)
	h.RevokeDevice(ctx, devs[0].ID)
	errOut.Reset()
	if rc := run([]string{"--data", data, "sync"}, &out, &errOut); rc != 1 || !strings.Contains(errOut.String(), "revoked") {
		t.Fatalf("revoked sync: rc %d, %q", rc, errOut.String())
	}
}
