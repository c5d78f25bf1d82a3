package ui

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/a20-network/fieldbook/sync/client"
)

// hubServer starts an HTTP server with handler that closes with t.
func hubServer(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv
}

// enrollFrom types hub and code into the enrollment form of Settings,
// taps Connect and waits for the outcome.
func enrollFrom(h *harness, u *UI, hub, code string) *enrollForm {
	u.SelectTab(TabSettings)
	e := u.settings.enroll
	test.Type(e.hubURL, hub)
	test.Type(e.code, code)
	test.Tap(e.button)
	h.settle()
	return e
}

// closedAddress returns host:port of a port nothing listens on.
func closedAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestEnrollSaysWhatWentWrong enrolls from Settings against real servers
// that fail in each way a field officer meets, and checks that the form
// says what happened in the interface's language, with the program's own
// words only behind Details, and that nothing was enrolled.
func TestEnrollSaysWhatWentWrong(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	_, realHub, _ := startHub(t, t.TempDir(), quiet)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	hang := make(chan struct{})
	slow := hubServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	})
	t.Cleanup(func() { close(hang) }) // runs before the server closes
	page := hubServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>router login</html>")) })
	busy := hubServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	old := hubServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUpgradeRequired)
		w.Write([]byte(`{"kind":"too_old","error":"protocol version 1 is no longer served"}`))
	})
	closed := closedAddress(t)
	cases := []struct {
		name, lang, typed, completed, id string
	}{
		{"address", "en", "ftp://hub.example.org", "ftp://hub.example.org", "hubproblem.address_scheme"},
		{"address port", "fr", "hub.example.org:99999", "hub.example.org:99999", "hubproblem.address_port"},
		{"dns", "en", "nohub.invalid", "https://nohub.invalid", "hubproblem.no_such_host"},
		{"dns fr", "fr", "nohub.invalid", "https://nohub.invalid", "hubproblem.no_such_host"},
		{"closed port", "en", "http://" + closed, "http://" + closed, "hubproblem.unreachable"},
		{"slow link", "en", slow.URL, slow.URL, "hubproblem.timeout"},
		{"untrusted certificate", "ar", strings.TrimPrefix(tlsSrv.URL, "https://"), tlsSrv.URL, "hubproblem.untrusted"},
		{"not a hub", "en", page.URL, page.URL, "hubproblem.not_a_hub"},
		{"wrong code", "en", realHub.URL, realHub.URL, "hubproblem.bad_code"},
		{"wrong code th", "th", realHub.URL, realHub.URL, "hubproblem.bad_code"},
		{"other version", "en", old.URL, old.URL, "hubproblem.version"},
		{"busy", "en", busy.URL, busy.URL, "hubproblem.busy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			syncer := client.New(h.st, client.Options{Logger: quiet, RequestTimeout: 3 * time.Second})
			h.extra.Syncer = syncer
			u := h.start(c.lang)
			e := enrollFrom(h, u, c.typed, "NOT-A-CODE")
			l := u.l
			host := hostOf(c.completed)
			want := l.T("hubproblem.enroll_failed", "Problem", l.T(c.id, "Host", host))
			if e.status.text != want {
				t.Fatalf("status %q, want %q", e.status.text, want)
			}
			if e.hubURL.Text != c.completed {
				t.Errorf("address shown %q, want %q", e.hubURL.Text, c.completed)
			}
			if strings.Contains(e.status.text, "client:") || !e.details.box.Visible() || !strings.Contains(e.details.text.Text, "client:") {
				t.Errorf("program text in the status %q, or not behind Details %q", e.status.text, e.details.text.Text)
			}
			if st, err := syncer.Status(context.Background()); err != nil || st.Enrolled || st.HubURL != "" {
				t.Errorf("after a failed enrollment: %+v %v", st, err)
			}
		})
	}
}

// TestEnrollCompletesTheAddressAndSyncSaysWhatWentWrong types a hub
// address without https://, enrolls, then syncs after the hub went away:
// the Sync screen says the hub does not answer, and a later good sync
// folds the details away.
func TestEnrollCompletesTheAddressAndSyncSaysWhatWentWrong(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	_, srv, code := startHub(t, t.TempDir(), quiet)
	h := newHarness(t)
	h.seed(sampleActivity("One", "MW", "2025-01-01"))
	var base string
	h.extra.Syncer = client.New(h.st, client.Options{Logger: quiet, Retries: 1, Backoff: time.Millisecond,
		// The test hub speaks plain HTTP; the address typed has no scheme.
		NewHub: func(u string) client.Hub { return client.NewHTTPHub(strings.Replace(u, "https://", "http://", 1), nil) }})
	u := h.start("en")
	base = strings.TrimPrefix(srv.URL, "http://")
	e := enrollFrom(h, u, base+"/", code)
	if e.hubURL.Text != "https://"+base || e.status.text != "This device is now connected to https://"+base+"." || e.details.box.Visible() {
		t.Fatalf("address %q status %q", e.hubURL.Text, e.status.text)
	}
	srv.Close()
	u.SelectTab(TabSync)
	h.settle()
	s := u.sync
	test.Tap(s.syncNow)
	h.settle()
	l := u.l
	want := l.T("hubproblem.sync_failed", "Problem", l.T("hubproblem.unreachable", "Host", base))
	if s.outcome.text != want || !s.details.box.Visible() {
		t.Fatalf("outcome %q, want %q", s.outcome.text, want)
	}
	if want := l.T("hubproblem.unreachable", "Host", base); s.lastErr.text != want {
		t.Fatalf("last problem %q, want %q", s.lastErr.text, want)
	}
}

// TestEnrollWarnsOfPlainHTTP checks the warning under the address: shown
// for http:// to a server on the internet, not for https:// nor for a
// server on this computer or the local network.
func TestEnrollWarnsOfPlainHTTP(t *testing.T) {
	h := newHarness(t)
	u := h.start("en")
	u.SelectTab(TabSettings)
	e := u.settings.enroll
	for typed, warn := range map[string]bool{
		"http://hub.example.org": true, "hub.example.org": false, "https://hub.example.org": false,
		"http://192.168.1.20:8080": false, "http://localhost:8080": false,
	} {
		e.hubURL.SetText(typed)
		if e.plain.Visible() != warn {
			t.Errorf("%q: warning shown %v, want %v", typed, e.plain.Visible(), warn)
		}
	}
}
