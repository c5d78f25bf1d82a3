package dashboard_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// clock is a settable clock for session expiry.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Texts of org B's private activity that must never reach an orgadmin of
// org A, nor a coordinator.
var bPrivate = []string{"Secret shelter visit Blantyre", "Names of the girls at the Ndirande shelter"}
var aPrivate = []string{"Private A planning meeting", "Internal notes of organization A"}

const (
	aShared = "Shared A radio campaign"
	bShared = "Shared B school dialogue"
)

type env struct {
	srv   *httptest.Server
	clock *clock
	db    *sql.DB
	orgA  string
	orgB  string
}

// newEnv makes a hub database with two organizations, each with a private
// and a shared activity in May 2026 synced from a device of its own, and a
// dashboard over it.
func newEnv(t testing.TB, extraShared int) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	hb, err := dashboard.OpenTestHub(t, ctx, dir, hub.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	orgA, err := hb.AddOrg(ctx, "Org A Malawi", "MW")
	if err != nil {
		t.Fatal(err)
	}
	orgB, err := hb.AddOrg(ctx, "Org B Kenya", "KE")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(vis, title, summary, date, country, kind string, girls int) model.Activity {
		return model.Activity{Meta: model.Meta{Visibility: vis}, Kind: kind, Title: title, Summary: summary,
			StartDate: date, Country: country, Place: title + " place", Themes: []string{"education"},
			Reach: model.Reach{Girls: [3]int{0, girls, 0}, Boys: [3]int{1, 0, 0}}, Status: "final"}
	}
	syncActivities(t, hb, orgA,
		mk("org", aPrivate[0], aPrivate[1], "2026-05-03", "MW", "training", 10),
		mk("network", aShared, "Radio spots on birth registration", "2026-05-04", "MW", "media_engagement", 20))
	bs := []model.Activity{
		mk("org", bPrivate[0], bPrivate[1], "2026-05-05", "KE", "school_visit", 30),
		mk("network", bShared, "Dialogue with pupils", "2026-05-06", "KE", "community_dialogue", 40),
	}
	for i := range extraShared {
		bs = append(bs, mk("network", fmt.Sprintf("Extra shared %d", i), strings.Repeat("Long summary text. ", 20), "2026-05-07", "KE", "training", 1))
	}
	syncActivities(t, hb, orgB, bs...)
	// Each organization keeps a resource private, named after its private
	// activity, and shares one.
	syncRecords(t, hb, orgA, model.EntityResource,
		(&model.Resource{Meta: model.Meta{Visibility: "org"}, Kind: "guide", Title: aPrivate[0] + " guide", Body: aPrivate[1]}).Fields(),
		(&model.Resource{Meta: model.Meta{Visibility: "network"}, Kind: "policy_brief", Title: aShared + " brief", Countries: []string{"MW"}}).Fields())
	syncRecords(t, hb, orgB, model.EntityResource,
		(&model.Resource{Meta: model.Meta{Visibility: "org"}, Kind: "toolkit", Title: bPrivate[0] + " toolkit", Body: bPrivate[1]}).Fields(),
		(&model.Resource{Meta: model.Meta{Visibility: "network"}, Kind: "question", Title: bShared + " question", Themes: []string{"education"}}).Fields())
	if err := hb.Close(); err != nil {
		t.Fatal(err)
	}
	db := dashboard.OpenTestDB(t, ctx, dir)
	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	c := &clock{t: time.Date(2026, 5, 17, 9, 0, 0, 0, time.UTC)}
	h, err := dashboard.New(ctx, dashboard.Options{DB: db, Bundle: bundle, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, role, org string }{
		{"coord", dashboard.RoleCoordinator, ""}, {"admin-a", dashboard.RoleOrgAdmin, orgA}, {"admin-b", dashboard.RoleOrgAdmin, orgB},
	} {
		if err := dashboard.AddUser(ctx, db, u.name, "correct horse battery", u.role, u.org); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/dashboard/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{srv: srv, clock: c, db: db, orgA: orgA, orgB: orgB}
}

// syncActivities sends activities as new records of org from a device
// enrolled in it, as the device's sync would, in requests of at most 500.
func syncActivities(t testing.TB, h *hub.Hub, org string, as ...model.Activity) {
	t.Helper()
	recs := make([]model.Fields, len(as))
	for i := range as {
		recs[i] = as[i].Fields()
	}
	syncRecords(t, h, org, model.EntityActivity, recs...)
}

// syncRecords has a new device of org create records of entity on h, each
// with the given fields, as a sync does.
func syncRecords(t testing.TB, h *hub.Hub, org, entity string, recs ...model.Fields) {
	t.Helper()
	ctx := context.Background()
	code, err := h.NewEnrollCode(ctx, org, hub.RoleStaff, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	device := "device-" + org
	enr, err := h.Enroll(ctx, protocol.EnrollRequest{V: protocol.Version, Code: code, Device: device})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := h.Authenticate(ctx, enr.Token)
	if err != nil {
		t.Fatal(err)
	}
	var changes []protocol.Change
	for i, rec := range recs {
		rec["created_by"], rec["created_at"] = dev.ID, time.Date(2026, 5, 8, 9, 0, 0, 0, time.UTC).Format(time.RFC3339)
		fields := map[string]json.RawMessage{}
		for k, v := range rec {
			fields[k] = model.EncodeValue(v)
		}
		seq := int64(i + 1)
		changes = append(changes, protocol.Change{Seq: seq, Entity: entity, ID: model.NewID(), Org: org,
			Op: protocol.OpCreate, HLC: hlc.Timestamp{Wall: 1778230800000, Logical: uint32(seq), Node: dev.ID}.String(), Fields: fields})
	}
	for len(changes) > 0 {
		n := min(len(changes), 500)
		resp, err := h.Sync(ctx, dev, &protocol.SyncRequest{V: protocol.Version, Org: org, Push: changes[:n]})
		if err != nil || len(resp.Rejected) > 0 {
			t.Fatalf("sync: %v, rejected %+v", err, resp)
		}
		changes = changes[n:]
	}
}

// client returns an HTTP client with its own cookie jar that does not
// follow redirects.
func (e *env) client(t testing.TB) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *env) signIn(t testing.TB, name string) *http.Client {
	t.Helper()
	c := e.client(t)
	resp, err := postForm(c, e.srv.URL, e.srv.URL+"/dashboard/login", url.Values{"name": {name}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", name, resp.StatusCode)
	}
	var sc *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == dashboard.CookieName {
			sc = ck
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Value == "" {
		t.Fatalf("session cookie = %+v, want HttpOnly SameSite=Strict", sc)
	}
	return c
}

// postForm posts form to u as a browser on origin would: every browser
// names the page's origin on a POST.
func postForm(c *http.Client, origin, u string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	return c.Do(req)
}

func get(t testing.TB, c *http.Client, u string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// bodies returns what a person may read in a response: the raw body and,
// for an XLSX, every cell of every sheet.
func bodies(t testing.TB, b []byte, h http.Header) string {
	t.Helper()
	if !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
		return string(b)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("XLSX does not open: %v", err)
	}
	defer f.Close()
	var sb strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for _, r := range rows {
			sb.WriteString(strings.Join(r, "|") + "\n")
		}
	}
	return sb.String()
}

// everyURL lists every page and download with a spread of periods and
// languages.
func everyURL(base string) []string {
	var out []string
	for _, q := range []string{"", "?period=month", "?period=quarter&lang=fr", "?period=year", "?period=custom&from=2000-01-01&to=2100-12-31", "?period=custom"} {
		for _, p := range []string{"/", "/report.csv", "/report.xlsx", "/shared.csv", "/own.csv", "/organizations.csv", "/resources/"} {
			out = append(out, base+"/dashboard"+p+q)
		}
		for _, p := range []string{"/report.csv", "/report.xlsx"} {
			sep := "?"
			if q != "" {
				sep = "&"
			}
			out = append(out, base+"/dashboard"+p+q+sep+"scope=org", base+"/dashboard"+p+q+sep+"scope=network")
		}
	}
	return out
}

func TestSignedOutGetsNoData(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	c := e.client(t)
	for _, u := range everyURL(e.srv.URL) {
		status, b, h := get(t, c, u)
		if status != http.StatusSeeOther && status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want redirect or 401", u, status)
		}
		if status == http.StatusSeeOther && !strings.Contains(h.Get("Location"), "/dashboard/login") {
			t.Errorf("%s: redirects to %q", u, h.Get("Location"))
		}
		for _, s := range append(append([]string{aShared, bShared, "Org A", "Org B"}, aPrivate...), bPrivate...) {
			if strings.Contains(string(b), s) {
				t.Errorf("%s: signed-out response holds %q", u, s)
			}
		}
	}
	// A forged cookie is no better than none.
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(e.srv.URL + "/dashboard/")
	jar.SetCookies(base, []*http.Cookie{{Name: dashboard.CookieName, Value: "forged-token"}})
	c.Jar = jar
	if status, _, _ := get(t, c, e.srv.URL+"/dashboard/shared.csv"); status != http.StatusUnauthorized {
		t.Errorf("forged cookie: status %d, want 401", status)
	}
}

func TestPrivateTextNeverLeaks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	cases := []struct {
		user      string
		forbidden []string
		mustSee   []string // proves the pages do list what they may
	}{
		{"admin-a", bPrivate, []string{aPrivate[0], aShared, bShared, aPrivate[0] + " guide", bShared + " question"}},
		{"admin-b", aPrivate, []string{bPrivate[0], aShared, bShared, bPrivate[0] + " toolkit", aShared + " brief"}},
		{"coord", append(append([]string{}, aPrivate...), bPrivate...), []string{aShared, bShared, aShared + " brief", bShared + " question"}},
	}
	for _, c := range cases {
		t.Run(c.user, func(t *testing.T) {
			t.Parallel()
			cl := e.signIn(t, c.user)
			seen := map[string]bool{}
			for _, u := range everyURL(e.srv.URL) {
				status, b, h := get(t, cl, u)
				if status >= 500 {
					t.Fatalf("%s: status %d: %s", u, status, b)
				}
				text := bodies(t, b, h)
				for _, s := range c.forbidden {
					if strings.Contains(text, s) {
						t.Errorf("%s (status %d) shows %s's forbidden text %q", u, status, c.user, s)
					}
				}
				for _, s := range c.mustSee {
					if strings.Contains(text, s) {
						seen[s] = true
					}
				}
			}
			for _, s := range c.mustSee {
				if !seen[s] {
					t.Errorf("%s never sees %q", c.user, s)
				}
			}
		})
	}
}

func TestPrivateRecordsCountInAggregates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	cl := e.signIn(t, "admin-a")
	status, b, _ := get(t, cl, e.srv.URL+"/dashboard/report.csv?period=month")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	// Four activities; children 10+20+30+40 girls and one boy each.
	for _, want := range []string{"Activities,4", "Children reached,104", "Malawi,2,32,0", "Kenya,2,72,0"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("network report lacks %q:\n%s", want, b)
		}
	}
	status, b, _ = get(t, cl, e.srv.URL+"/dashboard/report.csv?period=month&scope=org")
	if status != http.StatusOK || !strings.Contains(string(b), "Activities,2") || !strings.Contains(string(b), "Children reached,32") {
		t.Errorf("own report: status %d\n%s", status, b)
	}
	// Nothing in an empty period.
	_, b, _ = get(t, cl, e.srv.URL+"/dashboard/report.csv?period=custom&from=2020-01-01&to=2020-12-31")
	if !strings.Contains(string(b), "Activities,0") {
		t.Errorf("empty period report:\n%s", b)
	}
}

func TestRoleChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	coord, admin := e.signIn(t, "coord"), e.signIn(t, "admin-a")
	cases := []struct {
		name   string
		c      *http.Client
		path   string
		status int
	}{
		{"coordinator has no own list", coord, "/dashboard/own.csv", http.StatusForbidden},
		{"coordinator has no own report", coord, "/dashboard/report.csv?scope=org", http.StatusForbidden},
		{"orgadmin sees no per-organization figures", admin, "/dashboard/organizations.csv", http.StatusForbidden},
		{"coordinator sees per-organization figures", coord, "/dashboard/organizations.csv", http.StatusOK},
		{"orgadmin own list", admin, "/dashboard/own.csv", http.StatusOK},
		{"bad scope", admin, "/dashboard/report.csv?scope=everything", http.StatusBadRequest},
		{"bad period", admin, "/dashboard/?period=custom&from=2026-02-30", http.StatusBadRequest},
		{"dates backwards", coord, "/dashboard/report.xlsx?period=custom&from=2026-05-02&to=2026-05-01", http.StatusBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if status, b, _ := get(t, c.c, e.srv.URL+c.path); status != c.status {
				t.Errorf("status %d, want %d: %s", status, c.status, b)
			}
		})
	}
	// The coordinator's workbook has a sheet of organizations; the
	// orgadmin's does not.
	for _, c := range []struct {
		c    *http.Client
		want bool
	}{{coord, true}, {admin, false}} {
		_, b, h := get(t, c.c, e.srv.URL+"/dashboard/report.xlsx?period=month")
		if got := strings.Contains(bodies(t, b, h), "Org B Kenya|Kenya|2|72"); got != c.want {
			t.Errorf("organizations sheet present = %v, want %v", got, c.want)
		}
	}
	// The coordinator's page lists organizations; the orgadmin's does not.
	_, page, _ := get(t, coord, e.srv.URL+"/dashboard/")
	if !strings.Contains(string(page), "Org B Kenya") || !strings.Contains(string(page), "organizations.csv") {
		t.Error("coordinator page lacks the organizations table")
	}
	_, page, _ = get(t, admin, e.srv.URL+"/dashboard/")
	if strings.Contains(string(page), "organizations.csv") {
		t.Error("orgadmin page links the per-organization figures")
	}
}

func TestSessionExpiryAndSignOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	c := e.signIn(t, "coord")
	if status, _, _ := get(t, c, e.srv.URL+"/dashboard/"); status != http.StatusOK {
		t.Fatalf("fresh session: status %d", status)
	}
	e.clock.add(12*time.Hour - time.Minute)
	if status, _, _ := get(t, c, e.srv.URL+"/dashboard/"); status != http.StatusOK {
		t.Fatalf("session before expiry: status %d", status)
	}
	// The browser would drop the cookie at expiry; a client that keeps it
	// must be refused by the server too.
	e.clock.add(2 * time.Minute)
	status, b, h := get(t, c, e.srv.URL+"/dashboard/")
	if status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "/login") || strings.Contains(string(b), aShared) {
		t.Errorf("expired session: status %d, location %q", status, h.Get("Location"))
	}
	if status, _, _ := get(t, c, e.srv.URL+"/dashboard/shared.csv"); status != http.StatusUnauthorized {
		t.Errorf("expired session download: status %d, want 401", status)
	}

	c = e.signIn(t, "admin-a")
	u, _ := url.Parse(e.srv.URL + "/dashboard/")
	kept := c.Jar.Cookies(u)
	resp, err := postForm(c, e.srv.URL, e.srv.URL+"/dashboard/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Replaying the old cookie after signing out gets nothing.
	c.Jar.SetCookies(u, kept)
	if status, _, _ := get(t, c, e.srv.URL+"/dashboard/own.csv"); status != http.StatusUnauthorized {
		t.Errorf("after sign-out: status %d, want 401", status)
	}
}

func TestBadLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for _, f := range []url.Values{
		{"name": {"coord"}, "password": {"wrong password!"}},
		{"name": {"nobody"}, "password": {"correct horse battery"}},
		{"name": {""}, "password": {""}},
	} {
		resp, err := postForm(e.client(t), e.srv.URL, e.srv.URL+"/dashboard/login?lang=fr", f)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
			t.Errorf("%v: status %d, cookies %v", f, resp.StatusCode, resp.Cookies())
		}
		if !strings.Contains(string(b), "Nom d’utilisateur ou mot de passe incorrect.") {
			t.Errorf("%v: French error message missing", f)
		}
	}
}

func TestSignInThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	post := func(pass string) int {
		resp, err := postForm(e.client(t), e.srv.URL, e.srv.URL+"/dashboard/login", url.Values{"name": {"admin-b"}, "password": {pass}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 5 {
		if s := post("guess guess guess"); s != http.StatusUnauthorized {
			t.Fatalf("wrong password: status %d", s)
		}
	}
	// Even the right password is refused while the name is locked.
	if s := post("correct horse battery"); s != http.StatusTooManyRequests {
		t.Errorf("after five failures: status %d, want 429", s)
	}
	// Other names are not affected.
	e.signIn(t, "admin-a")
	e.clock.add(16 * time.Minute)
	if s := post("correct horse battery"); s != http.StatusSeeOther {
		t.Errorf("after the window: status %d, want a sign-in", s)
	}
}

func TestAddUserValidates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	ctx := context.Background()
	cases := []struct {
		name, pass, role, org string
		want                  string
	}{
		{"x", "short", dashboard.RoleCoordinator, "", "password"},
		{"x", "long enough pass", "admin", "", "role"},
		{"x", "long enough pass", dashboard.RoleOrgAdmin, "", "organization"},
		{"  ", "long enough pass", dashboard.RoleCoordinator, "", "name"},
		{"a\x00b", "long enough pass", dashboard.RoleCoordinator, "", "name"},
		{"a\xffb", "long enough pass", dashboard.RoleCoordinator, "", "name"},
		{"tab\tname", "long enough pass", dashboard.RoleCoordinator, "", "name"},
		{"x", "long enough pass", dashboard.RoleCoordinator, e.orgA, "leave out the organization"},
		{"x", "long enough pass", dashboard.RoleOrgAdmin, "no-such-org", "no organization"},
	}
	for _, c := range cases {
		err := dashboard.AddUser(ctx, e.db, c.name, c.pass, c.role, c.org)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddUser(%q, %q, %q) = %v, want error about %s", c.name, c.pass, c.role, err, c.want)
		}
	}
	if err := dashboard.AddUser(ctx, e.db, "coord", "another password", dashboard.RoleCoordinator, ""); !errors.Is(err, dashboard.ErrUserExists) {
		t.Errorf("duplicate user: %v", err)
	}
	var n int
	if err := e.db.QueryRow("SELECT count(*) FROM users").Scan(&n); err != nil || n != 3 {
		t.Errorf("users = %d, %v; want the 3 valid ones", n, err)
	}
	var hash []byte
	if err := e.db.QueryRow("SELECT hash FROM users WHERE name = 'coord'").Scan(&hash); err != nil || bytes.Contains(hash, []byte("correct horse")) || len(hash) != 32 {
		t.Errorf("password not stored hashed: %q", hash)
	}
}

func TestPageSizeAndLanguages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 300)
	c := e.signIn(t, "admin-a")
	status, b, _ := get(t, c, e.srv.URL+"/dashboard/?period=year")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if len(b) >= 200<<10 {
		t.Errorf("page is %d bytes, want < 200 KB", len(b))
	}
	for _, bad := range []string{"<script", "http://", "https://", "@font-face", "<link"} {
		if strings.Contains(string(b), bad) && !strings.Contains(bad, "http") {
			t.Errorf("page holds %q", bad)
		}
	}
	if strings.Contains(strings.ReplaceAll(string(b), "http://www.w3.org/2000/svg", ""), "http") {
		t.Error("page refers to an outside address")
	}
	// 302 shared activities, 25 a page.
	if !strings.Contains(string(b), "Page 1 of 13") || !strings.Contains(string(b), `rel="next"`) {
		t.Error("page does not page the shared list")
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/dashboard/?period=year", nil)
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(fb), "Tableau de bord du réseau") || !strings.Contains(string(fb), `lang="fr"`) {
		t.Error("Accept-Language fr did not give a French page")
	}
	_, sb, _ := get(t, c, e.srv.URL+"/dashboard/shared.csv?period=year")
	if n := strings.Count(string(sb), "2026-05-07,Extra shared"); n != 300 {
		t.Errorf("shared CSV lists %d extra rows, want all 300", n)
	}
}

func FuzzHomeQuery(f *testing.F) {
	for _, s := range []string{"period=month", "period=custom&from=2026-01-01&to=2026-02-01", "lang=zz&period=%00",
		"period=custom&from=9999-99-99", "lang=ar", "scope=org&period=year", "page=-1", "page=99999999999999999999"} {
		f.Add(s)
	}
	e := newEnv(f, 0)
	c := e.signIn(f, "admin-a")
	f.Fuzz(func(t *testing.T, q string) {
		for _, p := range []string{"/dashboard/?", "/dashboard/report.csv?", "/dashboard/resources/?"} {
			req, err := http.NewRequest("GET", e.srv.URL+p+q, nil)
			if err != nil {
				return
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%s%s: status %d: %s", p, q, resp.StatusCode, b)
			}
			for _, s := range bPrivate {
				if strings.Contains(string(b), s) {
					t.Fatalf("%s%s shows %q", p, q, s)
				}
			}
		}
	})
}

// TestNewNeedsAMigratedHubDatabase: the dashboard makes no tables. Over a
// database that is not a hub database the hub has migrated — an empty
// one, or a hub's without the dashboard's tables — New and the user
// functions say so, naming what is missing, and write nothing.
func TestNewNeedsAMigratedHubDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	dir := t.TempDir()
	h, err := dashboard.OpenTestHub(t, ctx, dir, hub.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	withoutUsers := dashboard.OpenTestDB(t, ctx, dir)
	for _, q := range []string{"DROP TABLE sign_in_limits", "DROP TABLE dashboard_sessions", "DROP TABLE users"} {
		if _, err := withoutUsers.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// An empty database: a new SQLite file, or a new PostgreSQL database
	// (a data folder no hub has opened is given one).
	var empty *sql.DB
	if dashboard.OnPostgres() {
		empty = dashboard.OpenTestDB(t, ctx, t.TempDir())
	} else {
		empty, err = sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "empty.db")+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { empty.Close() })
	}
	// schemaQuery lists what the database holds, on either kind.
	schemaQuery := "SELECT name FROM sqlite_master ORDER BY name"
	if dashboard.OnPostgres() {
		schemaQuery = "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace ORDER BY 1"
	}
	for _, c := range []struct {
		name    string
		db      *sql.DB
		missing string
	}{
		{"empty", empty, "activities, organizations, activity_rollup, users, dashboard_sessions, sign_in_limits"},
		{"hub without the dashboard's tables", withoutUsers, "users, dashboard_sessions, sign_in_limits"},
	} {
		schema := func() string {
			rows, err := c.db.Query(schemaQuery)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var names []string
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					t.Fatal(err)
				}
				names = append(names, n)
			}
			return strings.Join(names, ",")
		}
		before := schema()
		_, errNew := dashboard.New(ctx, dashboard.Options{DB: c.db, Bundle: bundle})
		errAdd := dashboard.AddUser(ctx, c.db, "coord", "correct horse battery", dashboard.RoleCoordinator, "")
		_, errList := dashboard.Users(ctx, c.db)
		errRemove := dashboard.RemoveUser(ctx, c.db, "coord")
		for _, err := range []error{errNew, errAdd, errList, errRemove} {
			if !errors.Is(err, dashboard.ErrNotMigrated) || !strings.Contains(err.Error(), "has no "+c.missing+" (") {
				t.Errorf("%s: %v; want %v naming %s", c.name, err, dashboard.ErrNotMigrated, c.missing)
			}
		}
		if after := schema(); after != before {
			t.Errorf("%s: the dashboard changed the schema from %q to %q", c.name, before, after)
		}
	}
}
