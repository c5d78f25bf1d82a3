package ui

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
	"golang.org/x/text/language"
)

// startHub starts a hub in dir over real HTTP with one organization and
// returns it, its server and an enrollment code; both close with t.
func startHub(t *testing.T, dir string, log *slog.Logger) (*hub.Hub, *httptest.Server, string) {
	t.Helper()
	ctx := context.Background()
	hb, err := hub.Open(ctx, dir, hub.Options{Logger: log})
	if err != nil {
		t.Fatalf("hub.Open: %v", err)
	}
	srv := httptest.NewServer(hb.Handler())
	t.Cleanup(func() { srv.Close(); hb.Close() })
	org, err := hb.AddOrg(ctx, "Malawi Child Rights Network", "MW")
	if err != nil {
		t.Fatal(err)
	}
	code, err := hb.NewEnrollCode(ctx, org, "staff", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return hb, srv, code
}

// TestEnrollAndSyncWithARealHub enrolls from Settings with a code from a
// real hub over HTTP, taps "Sync now", and checks the Sync screen shows the
// outcome, zero pending, and that the hub holds the records.
func TestEnrollAndSyncWithARealHub(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	_, srv, code := startHub(t, t.TempDir(), quiet)

	h := newHarness(t)
	h.seed(sampleActivity("One", "MW", "2025-01-01"), sampleActivity("Two", "KH", "2025-01-02"))
	h.extra.Syncer = client.New(h.st, client.Options{Logger: quiet, Retries: 1, Backoff: time.Millisecond})
	u := h.start("en")

	e := enrollFrom(h, u, srv.URL, "NOT-A-CODE")
	// The hub's refusal is said as what to do about it; its words are
	// behind Details.
	if !strings.HasPrefix(e.status.Text, "Could not connect. The hub did not accept this enrollment code") {
		t.Fatalf("bad code: %q", e.status.Text)
	}
	e.code.SetText(code)
	test.Tap(e.button)
	h.settle()
	if e.status.Text != "This device is now connected to "+srv.URL+"." {
		t.Fatalf("enroll: %q", e.status.Text)
	}

	u.SelectTab(TabSync)
	h.settle()
	s := u.sync
	if s.hub.Text != srv.URL || s.pending.Text != "2 changes" || s.syncNow.Disabled() {
		t.Fatalf("before sync: hub %q pending %q disabled %v", s.hub.Text, s.pending.Text, s.syncNow.Disabled())
	}
	test.Tap(s.syncNow)
	if !s.progress.Visible() {
		t.Fatal("no progress shown while syncing")
	}
	h.settle()
	// The hub sends back the device's organization from the directory.
	if !strings.Contains(s.outcome.Text, "sent 2, received 1, 0 new conflicts, 0 refused") {
		t.Fatalf("outcome %q", s.outcome.Text)
	}
	if s.pending.Text != "0 changes" || s.last.Text == "never" || s.reachable.Text != "Yes" || s.lastErr.Text != u.l.T("sync.no_error") {
		t.Fatalf("after sync: pending %q last %q reachable %q error %q", s.pending.Text, s.last.Text, s.reachable.Text, s.lastErr.Text)
	}
	stats, err := h.st.OutboxStats(context.Background())
	if err != nil || stats.Pending != 0 {
		t.Fatalf("outbox after sync: %+v, %v", stats, err)
	}
}

// TestEveryHubErrorKindHasAName checks that each kind of refusal the hub can
// send has a message in English and French, spelled as on the wire.
func TestEveryHubErrorKindHasAName(t *testing.T) {
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	kinds := []protocol.Kind{protocol.KindTransient, protocol.KindConflict, protocol.KindNotFound, protocol.KindForbidden,
		protocol.KindInvalid, protocol.KindUnauthenticated, protocol.KindTooOld, protocol.KindTooLarge}
	for _, tag := range []string{"en", "fr"} {
		msgs := b.Messages(language.MustParse(tag))
		for _, k := range kinds {
			if _, ok := msgs["errkind."+string(k)]; !ok {
				t.Errorf("%s: no message errkind.%s", tag, k)
			}
		}
	}
}

// TestSyncScreenSaysTheHubWasRestored syncs with a real hub, restores the
// hub from a backup older than the device's last sync, syncs again from the
// Sync screen, and checks that one line says what happened and that the
// work the hub lost is back on it.
func TestSyncScreenSaysTheHubWasRestored(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	dir := t.TempDir()
	old, srv, code := startHub(t, dir, quiet)
	h := newHarness(t)
	syncer := client.New(h.st, client.Options{Logger: quiet, Retries: 1, Backoff: time.Millisecond})
	h.extra.Syncer = syncer
	if err := syncer.Enroll(ctx, srv.URL, code); err != nil {
		t.Fatal(err)
	}
	u := h.start("en")
	u.SelectTab(TabSync)
	h.settle()
	s := u.sync
	if s.event.Visible() {
		t.Fatalf("an identity line before anything happened: %q", s.event.Text)
	}
	backup := filepath.Join(t.TempDir(), "hub-backup.db")
	if err := old.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	lost := h.seed(sampleActivity("Made after the backup", "MW", "2025-03-01"))[0]
	test.Tap(s.syncNow)
	h.settle()
	old.Close()
	if _, err := hub.Restore(ctx, dir, backup); err != nil {
		t.Fatal(err)
	}
	hb, err := hub.Open(ctx, dir, hub.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hb.Close() })
	srv.Config.Handler = hb.Handler()

	test.Tap(s.syncNow)
	h.settle()
	if !s.event.Visible() || s.event.Text != u.l.T("sync.event_hub_restored") {
		t.Fatalf("after the hub's restore the line reads %q (visible %v)", s.event.Text, s.event.Visible())
	}
	if s.aside.Text != "0 records that could not be read; asked for again at every sync" {
		t.Fatalf("set-aside row %q", s.aside.Text)
	}
	recs, err := hb.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	back := false
	for _, r := range recs {
		back = back || r.ID == lost.ID
	}
	if !back {
		t.Fatal("the activity the restored hub lost was not given back")
	}
}
