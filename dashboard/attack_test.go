package dashboard_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

const password = "correct horse battery"

func newJar() http.CookieJar { j, _ := cookiejar.New(nil); return j }

// hubEnv is a real hub (its own database: SQLite in a temporary folder,
// or PostgreSQL when the run asks for it) with the dashboard over its
// database, served together over real HTTP as the hub program serves
// them, with two organizations and a coordinator and an orgadmin of
// organization A.
type hubEnv struct {
	hub  *hub.Hub
	dir  string // the hub's data folder
	tls  bool
	srv  *httptest.Server
	db   *sql.DB // the dashboard's pool on the hub's database
	orgA string
	orgB string
}

// serve opens a new pool on the hub's database and serves a new dashboard
// over it, beside the hub's own endpoints, as one hub process does.
func (e *hubEnv) serve(t testing.TB) (*sql.DB, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	db := dashboard.OpenTestDB(t, ctx, e.dir)
	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	dash, err := dashboard.New(ctx, dashboard.Options{DB: db, Bundle: bundle, Secure: e.tls, Log: slog.New(slog.DiscardHandler),
		Files: hubFiles{e.hub}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", e.hub.Handler())
	mux.Handle("/dashboard/", dash)
	var srv *httptest.Server
	if e.tls {
		srv = httptest.NewTLSServer(mux)
	} else {
		srv = httptest.NewServer(mux)
	}
	t.Cleanup(srv.Close)
	return db, srv
}

// another is e seen through a second dashboard on the same database, with
// its own pool and server, as a second hub process would serve it.
func (e *hubEnv) another(t testing.TB) *hubEnv {
	t.Helper()
	o := *e
	o.db, o.srv = e.serve(t)
	return &o
}

// hubFiles gives the dashboard the hub's files, as fieldbook-hub does.
type hubFiles struct{ h *hub.Hub }

func (f hubFiles) OpenFile(ctx context.Context, org, hash string) (dashboard.File, error) {
	b, err := f.h.OpenFile(ctx, org, hash)
	if err != nil {
		return nil, err
	}
	return b, nil
}

func newHubEnv(t testing.TB, tls bool) *hubEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	h, err := dashboard.OpenTestHub(t, ctx, dir, hub.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e := &hubEnv{hub: h, dir: dir, tls: tls}
	t.Cleanup(func() { h.Close() })
	e.db, e.srv = e.serve(t)
	if e.orgA, err = h.AddOrg(ctx, "Org A Malawi", "MW"); err != nil {
		t.Fatal(err)
	}
	if e.orgB, err = h.AddOrg(ctx, "Org B Kenya", "KE"); err != nil {
		t.Fatal(err)
	}
	if err := dashboard.AddUser(ctx, e.db, "coord", password, dashboard.RoleCoordinator, ""); err != nil {
		t.Fatal(err)
	}
	if err := dashboard.AddUser(ctx, e.db, "admin-a", password, dashboard.RoleOrgAdmin, e.orgA); err != nil {
		t.Fatal(err)
	}
	return e
}

// client returns a client with its own cookie jar that does not follow
// redirects.
func (e *hubEnv) client() *http.Client {
	c := e.srv.Client()
	cc := *c
	cc.Jar = newJar()
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// post sends form to path with the given extra headers and returns the
// status and the response's Retry-After.
func (e *hubEnv) post(t testing.TB, c *http.Client, path string, form url.Values, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

func (e *hubEnv) signIn(t testing.TB, name string) *http.Client {
	t.Helper()
	c := e.client()
	if status, _ := e.post(t, c, "/dashboard/login", url.Values{"name": {name}, "password": {password}},
		map[string]string{"Origin": e.srv.URL}); status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", name, status)
	}
	return c
}

// snapshot returns the dashboard's users and sessions, so a test can check
// that a refused request changed nothing.
func (e *hubEnv) snapshot(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT id, name, role, org_id, hash FROM users ORDER BY id",
		"SELECT token_hash, user_id, expires_at FROM dashboard_sessions ORDER BY token_hash",
	} {
		rows, err := e.db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%v\n", vals)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		b.WriteString("--\n")
	}
	return b.String()
}

func (e *hubEnv) sessions(t testing.TB) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow("SELECT count(*) FROM dashboard_sessions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestParallelSignInsAreLimited: the lock used to be checked before the
// password hash and recorded after, so 40 parallel guesses were all tried.
// Each row fires its attempts at once; at most the limit may reach the
// password check, every other one is refused 429 with Retry-After; then
// the account's right password, sent last, is refused too. (Sent among
// the guesses it may be checked first, and a right password clears its
// name's count by design.) Each row runs against one dashboard, and against two dashboards on one
// database taking turns (two hub processes: the limits used to be kept in
// each process's memory, so two processes allowed twice the guesses).
func TestParallelSignInsAreLimited(t *testing.T) {
	t.Parallel()
	same := func(n int, name, pass string) []attempt {
		out := make([]attempt, n)
		for i := range out {
			out[i] = attempt{name, pass, ""}
		}
		return out
	}
	cases := []struct {
		name     string
		attempts []attempt
		limit    int // at most this many are tried
	}{
		{"40 wrong guesses for one account", same(40, "admin-a", "guess guess guess"), 5},
		{"40 wrong guesses for an unknown name", same(40, "nobody", "guess guess guess"), 5},
		{"40 names from one address", func() []attempt {
			out := make([]attempt, 40)
			for i := range out {
				out[i] = attempt{fmt.Sprintf("user-%d", i), "guess guess guess", ""}
			}
			return out
		}(), 20},
	}
	for _, c := range cases {
		for _, dashboards := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s, %d dashboards", c.name, dashboards), func(t *testing.T) {
				t.Parallel()
				parallelSignIns(t, dashboards, c.attempts, c.limit)
			})
		}
	}
}

// attempt is one sign-in: a name, a password, and an X-Forwarded-For.
type attempt struct{ name, pass, fwd string }

// parallelSignIns fires attempts at once, taking turns over the given
// number of dashboards on one database, and checks that at most limit of
// them reached the password check.
func parallelSignIns(t *testing.T, dashboards int, attempts []attempt, limit int) {
	e := newHubEnv(t, false)
	envs := []*hubEnv{e}
	for len(envs) < dashboards {
		envs = append(envs, e.another(t))
	}
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		mu     sync.Mutex
		counts = map[int]int{}
		retry  = true
	)
	for i, a := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			e := envs[i%len(envs)]
			status, ra := e.post(t, e.client(), "/dashboard/login", url.Values{"name": {a.name}, "password": {a.pass}},
				map[string]string{"Origin": e.srv.URL, "X-Forwarded-For": a.fwd})
			mu.Lock()
			defer mu.Unlock()
			counts[status]++
			if status == http.StatusTooManyRequests && ra == "" {
				retry = false
			}
		}()
	}
	close(start)
	wg.Wait()
	tried := counts[http.StatusUnauthorized] + counts[http.StatusSeeOther]
	t.Logf("statuses: %v", counts)
	if tried > limit {
		t.Errorf("%d attempts reached the password check, want at most %d", tried, limit)
	}
	if refused := counts[http.StatusTooManyRequests]; refused < len(attempts)-limit {
		t.Errorf("%d attempts refused with 429, want at least %d", refused, len(attempts)-limit)
	}
	if !retry {
		t.Error("a 429 came without Retry-After")
	}
	if got := e.sessions(t); got != counts[http.StatusSeeOther] {
		t.Errorf("%d sessions for %d sign-ins", got, counts[http.StatusSeeOther])
	}
	if attempts[0].name == "admin-a" {
		for _, e := range envs {
			if s, ra := e.post(t, e.client(), "/dashboard/login", url.Values{"name": {"admin-a"}, "password": {password}},
				map[string]string{"Origin": e.srv.URL}); s != http.StatusTooManyRequests || ra == "" {
				t.Errorf("the right password after the guesses: status %d, Retry-After %q; want 429", s, ra)
			}
		}
	}
}

// TestLockSurvivesAFloodOfNames: a locked account stays locked while other
// names, each from its own address behind the proxy, are tried.
func TestLockSurvivesAFloodOfNames(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, false)
	origin := map[string]string{"Origin": e.srv.URL}
	for range 5 {
		if s, _ := e.post(t, e.client(), "/dashboard/login", url.Values{"name": {"admin-a"}, "password": {"guess guess guess"}}, origin); s != http.StatusUnauthorized {
			t.Fatalf("wrong password: status %d", s)
		}
	}
	for i := range 30 {
		s, _ := e.post(t, e.client(), "/dashboard/login", url.Values{"name": {fmt.Sprintf("made-up-%d", i)}, "password": {"x"}},
			map[string]string{"Origin": e.srv.URL, "X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i)})
		if s != http.StatusUnauthorized {
			t.Fatalf("made-up name %d: status %d", i, s)
		}
	}
	before := e.snapshot(t)
	if s, ra := e.post(t, e.client(), "/dashboard/login", url.Values{"name": {"admin-a"}, "password": {password}}, origin); s != http.StatusTooManyRequests || ra == "" {
		t.Errorf("locked account after a flood of names: status %d, Retry-After %q; want 429", s, ra)
	}
	if e.snapshot(t) != before {
		t.Error("a refused sign-in changed the database")
	}
}

// TestSessionsHoldAcrossTwoDashboards: two hub processes on one database
// share the sessions: a sign-in through one is good at the other, and a
// sign-out through either, or the user's removal, ends the session at
// both — also for a copy of the cookie kept from before.
func TestSessionsHoldAcrossTwoDashboards(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, false)
	o := e.another(t)
	ctx := context.Background()
	status := func(env *hubEnv, c *http.Client) int {
		t.Helper()
		s, _, _ := get(t, c, env.srv.URL+"/dashboard/shared.csv")
		return s
	}
	// kept is a new client holding a copy of c's session cookie.
	kept := func(c *http.Client) *http.Client {
		u, _ := url.Parse(e.srv.URL + "/dashboard/")
		k := e.client()
		k.Jar.SetCookies(u, c.Jar.Cookies(u))
		return k
	}
	for _, c := range []struct {
		name string
		end  func(t *testing.T, c *http.Client)
	}{
		{"sign-out through the other dashboard", func(t *testing.T, c *http.Client) {
			if s, _ := o.post(t, c, "/dashboard/logout", nil, map[string]string{"Origin": o.srv.URL}); s != http.StatusSeeOther {
				t.Fatalf("sign out: status %d", s)
			}
		}},
		{"the user removed through the other dashboard's pool", func(t *testing.T, c *http.Client) {
			if err := dashboard.RemoveUser(ctx, o.db, "admin-a"); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			signedIn := e.signIn(t, "admin-a")
			copied := kept(signedIn)
			for _, env := range []*hubEnv{e, o} {
				if s := status(env, signedIn); s != http.StatusOK {
					t.Fatalf("signed in through one dashboard, %s answers %d", env.srv.URL, s)
				}
			}
			c.end(t, signedIn)
			for _, env := range []*hubEnv{e, o} {
				if s := status(env, copied); s != http.StatusUnauthorized {
					t.Errorf("after the end, %s answers the kept cookie with %d, want 401", env.srv.URL, s)
				}
			}
		})
	}
}

// TestCrossOriginPostsRefused: each row is a state-changing request an
// attacker's page (or a stripped-down client) could send; each is refused
// 403 and changes nothing. The last rows are the dashboard's own forms.
func TestCrossOriginPostsRefused(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, false)
	signedIn := e.signIn(t, "coord")
	login := url.Values{"name": {"admin-a"}, "password": {password}}
	cases := []struct {
		name    string
		c       *http.Client
		path    string
		form    url.Values
		headers map[string]string
		status  int
	}{
		{"sign-in from another site", e.client(), "/dashboard/login", login, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"sign-in from another port", e.client(), "/dashboard/login", login, map[string]string{"Origin": "http://127.0.0.1:1"}, http.StatusForbidden},
		{"sign-in with Origin null", e.client(), "/dashboard/login", login, map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"sign-in naming no origin", e.client(), "/dashboard/login", login, nil, http.StatusForbidden},
		{"sign-in with a foreign Referer", e.client(), "/dashboard/login", login, map[string]string{"Referer": "https://evil.example/page"}, http.StatusForbidden},
		{"sign-in marked cross-site", e.client(), "/dashboard/login", login, map[string]string{"Origin": e.srv.URL, "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"Origin other than the proxy's forwarded host", e.client(), "/dashboard/login", login,
			map[string]string{"Origin": "https://evil.example", "X-Forwarded-Host": "hub.example.org"}, http.StatusForbidden},
		{"sign-out from another site", signedIn, "/dashboard/logout", nil, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"sign-out naming no origin", signedIn, "/dashboard/logout", nil, nil, http.StatusForbidden},
		{"any other POST from another site", signedIn, "/dashboard/", nil, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot(t)
			if status, _ := e.post(t, c.c, c.path, c.form, c.headers); status != c.status {
				t.Errorf("status %d, want %d", status, c.status)
			}
			if e.snapshot(t) != before {
				t.Error("a refused request changed the database")
			}
		})
	}
	// The signed-in session survived the forged sign-outs.
	if status, _, _ := get(t, signedIn, e.srv.URL+"/dashboard/"); status != http.StatusOK {
		t.Errorf("after forged sign-outs: status %d, want the page", status)
	}
	// The dashboard's own forms still work: same origin by Origin, or by
	// Referer alone.
	if s, _ := e.post(t, e.client(), "/dashboard/login", login, map[string]string{"Referer": e.srv.URL + "/dashboard/login", "Sec-Fetch-Site": "same-origin"}); s != http.StatusSeeOther {
		t.Errorf("same-origin sign-in by Referer: status %d", s)
	}
	if s, _ := e.post(t, signedIn, "/dashboard/logout", nil, map[string]string{"Origin": e.srv.URL}); s != http.StatusSeeOther {
		t.Errorf("same-origin sign-out: status %d", s)
	}
}

// TestGzipWhenAccepted: pages and CSV downloads are compressed for a
// browser that accepts gzip, and only then.
func TestGzipWhenAccepted(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, false)
	c := e.signIn(t, "coord")
	// The transport would ask for gzip itself and hide the encoding.
	tr := e.srv.Client().Transport.(*http.Transport).Clone()
	tr.DisableCompression = true
	c.Transport = tr
	cases := []struct {
		path, accept string
		gzip         bool
	}{
		{"/dashboard/", "gzip, deflate, br", true},
		{"/dashboard/", "", false},
		{"/dashboard/", "br", false},
		{"/dashboard/", "gzip;q=0", false},
		{"/dashboard/login", "gzip", true},
		{"/dashboard/shared.csv", "gzip", false},  // too small to be worth it
		{"/dashboard/report.xlsx", "gzip", false}, // already compressed
	}
	for _, cs := range cases {
		req, _ := http.NewRequest("GET", e.srv.URL+cs.path, nil)
		if cs.accept != "" {
			req.Header.Set("Accept-Encoding", cs.accept)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", cs.path, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Encoding") == "gzip"; got != cs.gzip {
			t.Errorf("%s with Accept-Encoding %q: gzip = %v, want %v", cs.path, cs.accept, got, cs.gzip)
			continue
		}
		if cs.gzip {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: not gzip: %v", cs.path, err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil || len(plain) <= len(body) {
				t.Errorf("%s: %d bytes compressed to %d, %v", cs.path, len(plain), len(body), err)
			}
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Vary %q lacks Accept-Encoding", cs.path, resp.Header.Get("Vary"))
		}
	}
}

// device enrolls an admin device of org over HTTP and returns a function
// that pushes changes with it.
func (e *hubEnv) device(t testing.TB, org, id string) func(changes ...protocol.Change) protocol.SyncResponse {
	t.Helper()
	push, _ := e.enrolled(t, org, id)
	return push
}

// enrolled enrolls an admin device of org over HTTP and returns a function
// that pushes changes with it, and its token.
func (e *hubEnv) enrolled(t testing.TB, org, id string) (func(changes ...protocol.Change) protocol.SyncResponse, string) {
	t.Helper()
	code, err := e.hub.NewEnrollCode(context.Background(), org, hub.RoleAdmin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var enr protocol.EnrollResponse
	e.api(t, protocol.PathEnroll, "", protocol.EnrollRequest{V: protocol.Version, Code: code, Device: id}, &enr)
	seq := int64(0)
	return func(changes ...protocol.Change) protocol.SyncResponse {
		for i := range changes {
			seq++
			changes[i].Seq = seq
			changes[i].HLC = hlc.Timestamp{Wall: 1767225600000 + seq, Node: id}.String()
			if changes[i].Op == protocol.OpCreate {
				changes[i].Fields["created_by"] = rawJSON(id)
			}
		}
		var resp protocol.SyncResponse
		e.api(t, protocol.PathSync, enr.Token, protocol.SyncRequest{V: protocol.Version, Org: org, Push: changes, PullBytes: 8 << 20}, &resp)
		if len(resp.Rejected) > 0 {
			t.Fatalf("hub rejected changes: %+v", resp.Rejected[0])
		}
		return resp
	}, enr.Token
}

// api posts v gzip-compressed as JSON to path and decodes the reply.
func (e *hubEnv) api(t testing.TB, path, token string, v, out any) {
	t.Helper()
	raw, _ := json.Marshal(v)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func rawJSON(v any) json.RawMessage { b, _ := json.Marshal(v); return b }

// activity is a valid create of an activity of org.
func activity(org, id, vis, title, summary, date string) protocol.Change {
	return protocol.Change{Entity: "activity", ID: id, Org: org, Op: protocol.OpCreate, Fields: map[string]json.RawMessage{
		"visibility": rawJSON(vis), "created_by": rawJSON("device"), "created_at": rawJSON("2026-01-01T00:00:00Z"),
		"kind": rawJSON("training"), "title": rawJSON(title), "start_date": rawJSON(date), "country": rawJSON("MW"),
		"status": rawJSON("final"), "themes": rawJSON([]string{"education"}), "girls_6_11": rawJSON(3), "summary": rawJSON(summary),
	}}
}

// TestRenamedOrganizationShowsItsCurrentName: the admin device renames its
// organization; the directory used to keep the name given at creation.
func TestRenamedOrganizationShowsItsCurrentName(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, false)
	push := e.device(t, e.orgA, "device-a")
	var base int64
	for _, r := range push().Records {
		if r.ID == e.orgA {
			base = r.Version
		}
	}
	if base == 0 {
		t.Fatal("the device did not pull its organization's record")
	}
	push(protocol.Change{Entity: "organization", ID: e.orgA, Org: e.orgA, Op: protocol.OpUpdate, Base: base,
		Fields: map[string]json.RawMessage{"name": rawJSON("Malawi Child Voice")}},
		activity(e.orgA, "0190aaaa-0000-7000-8000-000000000001", "network", "Radio campaign", "Spots", time.Now().Format("2006-01-02")))
	for _, c := range []struct{ user, path string }{
		{"coord", "/dashboard/"}, {"admin-a", "/dashboard/"}, {"coord", "/dashboard/organizations.csv"}, {"coord", "/dashboard/shared.csv"},
	} {
		_, b, _ := get(t, e.signIn(t, c.user), e.srv.URL+c.path)
		if !strings.Contains(string(b), "Malawi Child Voice") || strings.Contains(string(b), "Org A Malawi") {
			t.Errorf("%s %s shows the old name or not the new one:\n%.2000s", c.user, c.path, b)
		}
	}
}

// TestEveryPageUnder200KB: 1,000 shared activities with the longest title
// and summary the record model allows, written in characters HTML must
// escape, over a century of months, with 200 organizations of long names:
// a year of such records used to give a 4.1 MB page. Every page, for every
// role, period and list page, stays under 200 KB of HTML.
func TestEveryPageUnder200KB(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, false)
	ctx := context.Background()
	for i := range 200 {
		if _, err := e.hub.AddOrg(ctx, fmt.Sprintf("%03d", i)+strings.Repeat("\"&<>", 49), "KE"); err != nil {
			t.Fatal(err)
		}
	}
	push := e.device(t, e.orgA, "device-a")
	title := strings.Repeat("\"<", 100)
	summary := strings.Repeat("\"<'&👧", 2000)
	for batch := range 10 {
		var cs []protocol.Change
		for j := range 100 {
			i := batch*100 + j
			date := fmt.Sprintf("%04d-%02d-15", 1930+i%100, 1+i%12)
			if i%3 == 0 {
				date = time.Now().Format("2006-01-02")
			}
			cs = append(cs, activity(e.orgA, fmt.Sprintf("0190aaaa-0000-7000-8000-%012d", i), "network", title, summary, date))
		}
		push(cs...)
	}
	for _, user := range []string{"coord", "admin-a"} {
		c := e.signIn(t, user)
		for _, q := range []string{"", "?period=month", "?period=year", "?period=custom&from=1900-01-01&to=2100-12-31",
			"?period=custom&from=1900-01-01&to=2100-12-31&page=2&own_page=3&org_page=2", "?period=custom&from=1900-01-01&to=2100-12-31&page=40&own_page=999&org_page=9"} {
			status, b, _ := get(t, c, e.srv.URL+"/dashboard/"+q)
			if status != http.StatusOK {
				t.Fatalf("%s %s: status %d", user, q, status)
			}
			if len(b) >= 200<<10 {
				t.Errorf("%s /dashboard/%s: %d bytes, want < 200 KB", user, q, len(b))
			}
			if q != "" && !strings.Contains(string(b), `rel="next"`) && !strings.Contains(string(b), `rel="prev"`) && !strings.Contains(q, "month") {
				t.Errorf("%s /dashboard/%s: no links to other pages", user, q)
			}
		}
		status, b, _ := get(t, c, e.srv.URL+"/dashboard/activity/0190aaaa-0000-7000-8000-000000000001")
		if status != http.StatusOK || len(b) >= 200<<10 || !strings.Contains(string(b), strings.Repeat("&#34;&lt;&#39;&amp;👧", 2000)) {
			t.Errorf("%s activity page: status %d, %d bytes, full summary shown = %v", user, status, len(b),
				strings.Contains(string(b), strings.Repeat("&#34;&lt;&#39;&amp;👧", 2000)))
		}
	}
}

// TestActivityPageRespectsVisibility: an activity's own page shows its
// full text only where a list would: shared ones to everyone signed in, a
// private one to an orgadmin of its organization alone. Anyone else gets
// the 404 an unknown id gets.
func TestActivityPageRespectsVisibility(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, false)
	ctx := context.Background()
	if err := dashboard.AddUser(ctx, e.db, "admin-b", password, dashboard.RoleOrgAdmin, e.orgB); err != nil {
		t.Fatal(err)
	}
	today := time.Now().Format("2006-01-02")
	e.device(t, e.orgA, "device-a")(
		activity(e.orgA, "0190aaaa-0000-7000-8000-00000000000a", "org", "Private A", "Names of the children at the shelter", today),
		activity(e.orgA, "0190aaaa-0000-7000-8000-00000000000b", "network", "Shared A", "Radio spots", today))
	cases := []struct {
		user, id string
		status   int
		text     string
	}{
		{"admin-a", "0190aaaa-0000-7000-8000-00000000000a", http.StatusOK, "Names of the children"},
		{"admin-b", "0190aaaa-0000-7000-8000-00000000000a", http.StatusNotFound, ""},
		{"coord", "0190aaaa-0000-7000-8000-00000000000a", http.StatusNotFound, ""},
		{"coord", "0190aaaa-0000-7000-8000-00000000000b", http.StatusOK, "Radio spots"},
		{"admin-b", "0190aaaa-0000-7000-8000-00000000000b", http.StatusOK, "Radio spots"},
		{"coord", "no-such-id", http.StatusNotFound, ""},
		{"coord", e.orgA, http.StatusNotFound, ""},
	}
	for _, c := range cases {
		status, b, _ := get(t, e.signIn(t, c.user), e.srv.URL+"/dashboard/activity/"+c.id)
		if status != c.status || (c.text != "" && !strings.Contains(string(b), c.text)) {
			t.Errorf("%s /activity/%s: status %d, want %d with %q", c.user, c.id, status, c.status, c.text)
		}
		if c.status != http.StatusOK && strings.Contains(string(b), "Names of the children") {
			t.Errorf("%s /activity/%s shows the private text", c.user, c.id)
		}
	}
	if status, _, _ := get(t, e.client(), e.srv.URL+"/dashboard/activity/0190aaaa-0000-7000-8000-00000000000b"); status != http.StatusUnauthorized {
		t.Errorf("signed out: status %d, want 401", status)
	}
}

// TestFileDownloadAttacks: each row is a download an attacker tries. A
// file of another organization's private record, or one a coordinator
// may not read, is refused with exactly the status and body of a hash
// nobody attached, so a refusal tells nothing; a bad address is a 400
// naming what a file's address is; nothing answers with a file's bytes or
// name it may not read, and nothing changes the database.
func TestFileDownloadAttacks(t *testing.T) {
	t.Parallel()
	e := newFilesEnv(t)
	// Organization B shares a resource naming the private PDF's bytes
	// otherwise: the name organization A gave them must not leak through
	// the record parameter.
	pushB, tokenB := e.enrolled(t, e.orgB, "device-b")
	pushB(resourceChange(e.orgB, "0190bbbb-0000-7000-8000-0000000000b1", "network", "B's copy", ref("b-copy.pdf", "application/pdf", e.secret)))
	e.upload(t, tokenB, e.secret)
	coord, adminB := e.signIn(t, "coord"), e.signIn(t, "admin-b")
	nobody := sum([]byte("a file nobody attached"))
	forged := e.client()
	base, _ := url.Parse(e.srv.URL + "/dashboard/")
	forged.Jar.SetCookies(base, []*http.Cookie{{Name: dashboard.CookieName, Value: "forged-token"}})
	_, refused, _ := get(t, adminB, e.srv.URL+"/dashboard/file/"+nobody)
	cases := []struct {
		name   string
		c      *http.Client
		path   string
		hdr    map[string]string
		status int
		// same: the body must equal the refusal of a hash nobody has.
		same bool
		// never: text the response must not hold.
		never []string
	}{
		{"orgadmin B, a hash nobody has", adminB, "/dashboard/file/" + nobody, nil, http.StatusForbidden, true, nil},
		{"orgadmin B, A's private file", adminB, "/dashboard/file/" + sum(e.hidden) + "?record=" + privateGuide, nil, http.StatusForbidden, true, nil},
		{"coordinator, A's private file", coord, "/dashboard/file/" + sum(e.hidden), nil, http.StatusForbidden, true, nil},
		{"coordinator, a hash nobody has", coord, "/dashboard/file/" + nobody, nil, http.StatusForbidden, true, nil},
		{"A's private name through B's shared copy", adminB, "/dashboard/file/" + sum(e.secret) + "?record=" + privateGuide, nil,
			http.StatusOK, false, []string{"secret-plan"}},
		{"signed out", e.client(), "/dashboard/file/" + sum(e.guide), nil, http.StatusUnauthorized, false, []string{"%PDF"}},
		{"forged session", forged, "/dashboard/file/" + sum(e.guide), nil, http.StatusUnauthorized, false, []string{"%PDF"}},
		{"signed out, resources page", e.client(), "/dashboard/resources/", nil, http.StatusSeeOther, false, []string{"Shared guide"}},
		{"short hash", coord, "/dashboard/file/abc", nil, http.StatusBadRequest, false, nil},
		{"upper-case hash", coord, "/dashboard/file/" + strings.ToUpper(sum(e.guide)), nil, http.StatusBadRequest, false, nil},
		{"path in the hash", coord, "/dashboard/file/..%2F..%2Fhub.db", nil, http.StatusBadRequest, false, []string{"SQLite"}},
		{"many ranges", coord, "/dashboard/file/" + sum(e.guide), map[string]string{"Range": "bytes=0-0,1-1,2-2,3-3,4-4,5-5"},
			http.StatusPartialContent, false, nil},
		{"range past the end", coord, "/dashboard/file/" + sum(e.guide), map[string]string{"Range": "bytes=999999999-"},
			http.StatusRequestedRangeNotSatisfiable, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot(t)
			status, h, body := download(t, c.c, e.srv.URL+c.path, c.hdr)
			if status != c.status {
				t.Errorf("status %d, want %d: %.200s", status, c.status, body)
			}
			if c.same && !bytes.Equal(body, refused) {
				t.Errorf("body %q differs from the refusal of a hash nobody has %q", body, refused)
			}
			if c.status >= 400 && h.Get("Content-Disposition") != "" {
				t.Errorf("a refusal is sent as a download: %q", h.Get("Content-Disposition"))
			}
			for _, s := range c.never {
				if strings.Contains(string(body)+h.Get("Content-Disposition"), s) {
					t.Errorf("response holds %q", s)
				}
			}
			if e.snapshot(t) != before {
				t.Error("a download changed the database")
			}
		})
	}
}
