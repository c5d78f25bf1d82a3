package dashboard

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/hub"
)

// TestSignInKeysAreBounded: the failure map used to be wiped whole past
// 10,000 names, unlocking every locked account. Ten times the guard's
// capacity of distinct names, each from its own address, leave both kinds
// of key at the capacity (full, never emptied), and an account that is
// still being guessed locked throughout. The limits live in the hub's
// database, so this runs on SQLite and on PostgreSQL alike.
func TestSignInKeysAreBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newSignInGuard(testDB(t))
	g.capacity = 100
	start := time.Date(2026, 5, 17, 9, 0, 0, 0, time.UTC)
	tick := 0
	// now moves on by a microsecond a call, as a real clock would.
	now := func() time.Time { tick++; return start.Add(time.Duration(tick) * time.Microsecond) }
	begin := func(name, addr string, at time.Time) bool {
		t.Helper()
		ok, _, err := g.begin(ctx, name, addr, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for range nameAttempts {
		if !begin("victim", "192.0.2.1", now()) {
			t.Fatal("the first attempts were refused")
		}
	}
	locked := func() bool { return !begin("victim", "192.0.2.2", now()) }
	n := 10 * g.capacity
	for i := range n {
		addr := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		if !begin(fmt.Sprintf("made-up-%d-%s", i, strings.Repeat("x", 100)), addr, now()) {
			t.Fatalf("name %d refused", i)
		}
		// The attacker keeps guessing the victim between made-up names.
		if i%(g.capacity/10) == 0 && !locked() {
			t.Fatalf("victim unlocked after %d other names", i+1)
		}
		names, addrs, err := g.size(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if names > g.capacity || addrs > g.capacity {
			t.Fatalf("after %d names the table holds %d names and %d addresses, cap %d", i+1, names, addrs, g.capacity)
		}
		if i >= g.capacity && (names != g.capacity || addrs != g.capacity) {
			t.Fatalf("after %d names the table holds %d names and %d addresses: emptied, not evicted", i+1, names, addrs)
		}
	}
	if !locked() {
		t.Error("victim unlocked at the end")
	}
	// Attempts age out of the window.
	last := fmt.Sprintf("made-up-%d-%s", n-1, strings.Repeat("x", 100))
	for range nameAttempts - 1 {
		begin(last, "192.0.2.3", now())
	}
	if begin(last, "192.0.2.3", now()) {
		t.Error("a sixth attempt within the window was let through")
	}
	if !begin(last, "192.0.2.3", now().Add(attemptWindow+time.Second)) {
		t.Error("an attempt older than the window still counts")
	}
}

// testDB returns a new hub database, made by the hub, with one dashboard
// user, coord.
func testDB(t testing.TB) *sql.DB {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	h, err := openTestHub(t, ctx, dir, hub.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	db := openTestDB(t, ctx, dir)
	if err := AddUser(context.Background(), db, "coord", "correct horse battery", RoleCoordinator, ""); err != nil {
		t.Fatal(err)
	}
	return db
}

// testHandler returns a new dashboard over db, served over HTTP.
func testHandler(t testing.TB, db *sql.DB) (*Handler, *httptest.Server) {
	t.Helper()
	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	h, err := New(context.Background(), Options{DB: db, Bundle: bundle})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

// TestHashingIsBounded: every sign-in used to run its own 19 MiB argon2id
// hash at once. With every hashing slot taken, a sign-in — for a real name
// or an unknown one — waits briefly and is answered 503 with Retry-After,
// and the attempt is not counted against the name.
func TestHashingIsBounded(t *testing.T) {
	t.Parallel()
	h, srv := testHandler(t, testDB(t))
	if n := cap(h.gate.slots); n < 2 || n > 4 {
		t.Errorf("%d hashing slots, want 2 to 4", n)
	}
	h.gate.wait = 50 * time.Millisecond
	for range cap(h.gate.slots) {
		h.gate.slots <- struct{}{}
	}
	post := func(name, pass string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/dashboard/login", strings.NewReader(url.Values{"name": {name}, "password": {pass}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	for _, c := range []struct{ name, pass string }{
		{"coord", "correct horse battery"}, {"coord", "wrong wrong wrong"}, {"nobody", "wrong wrong wrong"},
	} {
		for range nameAttempts + 1 {
			if status, ra := post(c.name, c.pass); status != http.StatusServiceUnavailable || ra == "" {
				t.Fatalf("%s with every slot busy: status %d, Retry-After %q; want 503", c.name, status, ra)
			}
		}
	}
	if names, addrs, err := h.guard.size(context.Background()); err != nil || names != 0 || addrs != 0 {
		t.Errorf("refused-as-busy attempts still count: %d names, %d addresses", names, addrs)
	}
	for range cap(h.gate.slots) {
		<-h.gate.slots
	}
	if status, _ := post("coord", "correct horse battery"); status != http.StatusSeeOther {
		t.Errorf("with slots free: status %d, want a sign-in", status)
	}
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	cases := []struct {
		remote, fwd, want string
	}{
		{"203.0.113.7:5555", "", "203.0.113.7"},
		{"203.0.113.7:5555", "198.51.100.1", "203.0.113.7"}, // a remote peer cannot pick its address
		{"127.0.0.1:5555", "198.51.100.1", "198.51.100.1"},
		{"127.0.0.1:5555", "6.6.6.6, 198.51.100.1", "198.51.100.1"}, // the proxy appends the address it saw
		{"127.0.0.1:5555", "not-an-ip", "127.0.0.1"},
		{"[2001:db8:1:2:3:4:5:6]:5555", "", "2001:db8:1:2::/64"},
		{"[::1]:5555", "2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = c.remote
		if c.fwd != "" {
			r.Header.Set("X-Forwarded-For", c.fwd)
		}
		if got := clientAddr(r); got != c.want {
			t.Errorf("clientAddr(%s, XFF %q) = %q, want %q", c.remote, c.fwd, got, c.want)
		}
	}
}

// FuzzSignIn posts any form, with any Origin, to the sign-in handler. The
// answer is always one of the sign-in's statuses, never a 5xx other than
// 503-busy; no session is made without the right password; and no more
// than the limit of attempts per name ever reach the password check.
func FuzzSignIn(f *testing.F) {
	for _, s := range []struct{ body, origin string }{
		{"name=coord&password=correct+horse+battery", "self"},
		{"name=coord&password=wrong", "self"},
		{"name=nobody&password=x", "self"},
		{"name=coord&password=correct+horse+battery", "https://evil.example"},
		{"name=coord&password=correct+horse+battery", ""},
		{"name=coord&password=correct+horse+battery", "null"},
		{"name=%00&password=%ff%fe", "self"},
		{"name=" + strings.Repeat("a", 9000), "self"},
		{"%zz", "self"},
		{"name=coord&name=other&password=correct+horse+battery&lang=ar", "self"},
	} {
		f.Add(s.body, s.origin)
	}
	db := testDB(f)
	f.Fuzz(func(t *testing.T, body, origin string) {
		for _, q := range []string{"DELETE FROM dashboard_sessions", "DELETE FROM sign_in_limits"} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		h, srv := testHandler(t, db)
		if origin == "self" {
			origin = srv.URL
		}
		req, err := http.NewRequest("POST", srv.URL+"/dashboard/login", strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			if strings.Contains(err.Error(), "invalid header field value") {
				return
			}
			t.Fatal(err)
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusSeeOther, http.StatusUnauthorized, http.StatusBadRequest, http.StatusForbidden,
			http.StatusTooManyRequests, http.StatusServiceUnavailable:
		default:
			t.Fatalf("status %d for %q from %q", resp.StatusCode, body, origin)
		}
		form, _ := url.ParseQuery(body)
		var sessions int
		if err := h.db.QueryRow("SELECT count(*) FROM dashboard_sessions").Scan(&sessions); err != nil {
			t.Fatal(err)
		}
		right := strings.TrimSpace(form.Get("name")) == "coord" && form.Get("password") == "correct horse battery"
		if sessions > 0 && (!right || resp.StatusCode != http.StatusSeeOther) {
			t.Fatalf("a session was made for %q from %q (status %d)", body, origin, resp.StatusCode)
		}
		if names, _, err := h.guard.size(context.Background()); err != nil || names > 1 {
			t.Fatalf("one attempt counted %d names", names)
		}
	})
}
