package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgtest"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// TestMain shares one throwaway PostgreSQL server among the tests that
// need one, and stops it at the end.
func TestMain(m *testing.M) { pgtest.Main(m) }

var quiet = slog.New(slog.DiscardHandler)

// runCmd runs fieldbook-hub with args and stdin, failing t unless it
// exits 0; it returns what it printed.
func runCmd(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if rc := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut); rc != 0 {
		t.Fatalf("%v: exit %d: %s", args, rc, errOut.String())
	}
	return out.String()
}

// device is a real device database with its sync engine.
type device struct {
	st  *store.Store
	eng *client.Engine
}

func newDevice(t *testing.T, hubURL, code string) *device {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := &device{st: st, eng: client.New(st, client.Options{Logger: quiet, Backoff: time.Millisecond})}
	if code != "" {
		if err := d.eng.Enroll(context.Background(), hubURL, code); err != nil {
			t.Fatalf("Enroll: %v", err)
		}
	}
	return d
}

func (d *device) sync(t *testing.T) client.Result {
	t.Helper()
	res, err := d.eng.Sync(context.Background(), nil)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return res
}

func newActivity(title string) model.Activity {
	lat, lon := -13.962612, 33.774119
	return model.Activity{Kind: "school_visit", Title: title, StartDate: "2026-03-04", Country: "MW", Place: "Lilongwe",
		Lat: &lat, Lon: &lon, Themes: []string{"education", "child_marriage"}, Status: "final",
		Reach: model.Reach{Girls: [3]int{0, 12, 30}, Boys: [3]int{0, 10, 25}, Adults: 8}}
}

// signIn signs name in on the dashboard at base and returns the status
// and the session cookie.
func signIn(t *testing.T, base, name, password string) (int, *http.Cookie) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest("POST", base+"/dashboard/login", strings.NewReader(url.Values{"name": {name}, "password": {password}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Value != "" {
			return resp.StatusCode, ck
		}
	}
	return resp.StatusCode, nil
}

// dashboardStatus is the status of the dashboard's front page for a
// browser holding cookie.
func dashboardStatus(t *testing.T, base string, cookie *http.Cookie) int {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", base+"/dashboard/", nil)
	req.AddCookie(cookie)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// handlerFor is the hub program's handler over h, as serve builds it.
func handlerFor(t *testing.T, h *hub.Hub) http.Handler {
	t.Helper()
	db, done, err := openDashboardDB(h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { done() })
	dash, err := newDashboard(context.Background(), h, db, false, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return newHandler(h, dash, quiet)
}

// TestMigrateKeepsDevicesGoing: a SQLite hub holding every kind of record
// (activities, resources with a file, comments, organizations), a
// conflict resolved and one open, a rejection, active and revoked
// devices, a dashboard account and its session, is moved by "migrate"
// into PostgreSQL. Served from there at the same address, the devices
// sync without enrolling again and pull nothing again, a new edit goes
// from one to the other, the revoked device stays out, the session and
// the account still sign in, and a device enrolled afterwards gets
// every record and the file.
func TestMigrateKeepsDevicesGoing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	runCmd(t, "correct horse battery\n", "org", "add", "--data", dir, "--name", "Malawi Child Voice", "--country", "MW")
	org := strings.Fields(strings.Split(runCmd(t, "", "org", "list", "--data", dir), "\n")[1])[0]
	runCmd(t, "correct horse battery\n", "user", "add", "--data", dir, "--role", "coordinator", "--name", "amina")
	code := func() string { return strings.TrimSpace(runCmd(t, "", "enroll-code", "--data", dir, "--org", org)) }

	h, err := hub.Open(ctx, dir, hub.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handlerFor(t, h))
	defer srv.Close()
	a, b, gone := newDevice(t, srv.URL, code()), newDevice(t, srv.URL, code()), newDevice(t, srv.URL, code())

	act, err := a.st.CreateActivity(ctx, newActivity("Dialogue"))
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "guide.pdf")
	content := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("guide "), 2000)...)
	if err := os.WriteFile(src, append(content, "\n%%EOF\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	ref, err := a.st.AttachFile(ctx, src, store.AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.st.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Guide", Body: "How to", Language: "en", Files: []protocol.FileRef{ref},
		Meta: model.Meta{Visibility: model.VisibilityNetwork}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.CreateResource(ctx, model.Resource{Kind: "experience", Title: "What we learned", Body: "Story", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.CreateComment(ctx, model.Comment{ParentEntity: model.EntityResource, ParentID: res.ID, Author: "Amina", Body: "Useful"}); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	// Both edit the same two fields: two conflicts; a resolves one.
	ea, _ := a.st.Activity(ctx, act.ID)
	eb, _ := b.st.Activity(ctx, act.ID)
	ea.Title, ea.Place = "Dialogue in Zomba", "Zomba"
	eb.Title, eb.Place = "Dialogue with elders", "Mzuzu"
	if _, err := a.st.UpdateActivity(ctx, ea); err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.UpdateActivity(ctx, eb); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	if r := b.sync(t); r.Conflicts != 2 {
		t.Fatalf("b's sync = %+v, want 2 conflicts", r)
	}
	a.sync(t)
	open, _ := a.st.Conflicts(ctx, true)
	if len(open) != 2 {
		t.Fatalf("a's conflicts %+v", open)
	}
	if err := a.st.ResolveConflict(ctx, open[0].ID, true); err != nil {
		t.Fatal(err)
	}
	// Staff may not edit the directory: a rejection.
	o, err := a.st.Organization(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	o.Description = "Every district"
	if _, err := a.st.UpdateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	if r := a.sync(t); r.Rejected != 1 {
		t.Fatalf("a's sync = %+v, want a rejection", r)
	}
	b.sync(t)
	a.sync(t)
	goneID := deviceOf(t, gone)
	if err := h.RevokeDevice(ctx, goneID); err != nil {
		t.Fatal(err)
	}
	status, session := signIn(t, srv.URL, "amina", "correct horse battery")
	if status != http.StatusSeeOther || session == nil {
		t.Fatalf("sign-in on SQLite: %d", status)
	}
	epoch := h.Epoch()
	h.Close()

	db := pgtest.NewDB(t)
	out := runCmd(t, "", "migrate", "--from", filepath.Join(dir, hub.DBFile), "--db", db.URL)
	for _, want := range []string{"records", "conflicts", "rejections", "devices", "users", "dashboard_sessions", "activity_rollup", "change number", "files: 1 moved", "verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate printed %q, without %q", out, want)
		}
	}
	// A second time, into a database that holds the hub: refused.
	var errOut bytes.Buffer
	if rc := run(ctx, []string{"migrate", "--from", dir, "--db", db.URL}, strings.NewReader(""), &bytes.Buffer{}, &errOut); rc != 1 || !strings.Contains(errOut.String(), "already holds a hub") {
		t.Fatalf("second migrate: exit %d, %s", rc, errOut.String())
	}

	w := &where{db: db.URL}
	pg, err := w.open(ctx, hub.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if pg.Epoch() != epoch {
		t.Fatalf("epoch on PostgreSQL %s, want %s", pg.Epoch(), epoch)
	}
	srv.Config.Handler = handlerFor(t, pg)

	for name, d := range map[string]*device{"a": a, "b": b} {
		r := d.sync(t)
		if r.Pulled != 0 || r.Conflicts != 0 || r.Rejected != 0 {
			t.Errorf("%s's first sync with the hub on PostgreSQL = %+v, want nothing pulled again", name, r)
		}
		if st, _ := d.eng.Status(ctx); st.Event != "" || !st.Enrolled {
			t.Errorf("%s after the move: %+v", name, st)
		}
	}
	if _, err := a.st.CreateActivity(ctx, newActivity("After the move")); err != nil {
		t.Fatal(err)
	}
	if r := a.sync(t); r.Pushed != 1 {
		t.Fatalf("a's new edit: %+v", r)
	}
	if r := b.sync(t); r.Pulled != 1 {
		t.Fatalf("b after a's new edit: %+v", r)
	}
	if _, err := gone.eng.Sync(ctx, nil); err == nil {
		t.Error("the revoked device syncs with the hub on PostgreSQL")
	}
	if s := dashboardStatus(t, srv.URL, session); s != http.StatusOK {
		t.Errorf("the session from before the move: status %d", s)
	}
	if s, _ := signIn(t, srv.URL, "amina", "correct horse battery"); s != http.StatusSeeOther {
		t.Errorf("sign-in on PostgreSQL: %d", s)
	}
	c, err := pg.NewEnrollCode(ctx, org, hub.RoleStaff, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	late := newDevice(t, srv.URL, c)
	if r := late.sync(t); r.Pulled < 5 {
		t.Errorf("a device enrolled after the move pulled %+v", r)
	}
	if err := late.eng.Fetch(ctx, ref.Hash, nil); err != nil {
		t.Errorf("the file after the move: %v", err)
	}
}

// deviceOf returns the device id d enrolled as.
func deviceOf(t *testing.T, d *device) string {
	t.Helper()
	return d.st.DeviceID()
}

// TestCommandsOnPostgres: every operator command takes --db; "serve --db"
// runs for real (a device enrolls and syncs, an account signs in on the
// dashboard); backup, restore and restored give new epochs; an error
// never shows the password.
func TestCommandsOnPostgres(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := pgtest.NewDB(t).URL
	runCmd(t, "", "org", "add", "--db", db, "--name", "Malawi Child Voice", "--country", "MW")
	list := runCmd(t, "", "org", "list", "--db", db, "--db-max-conns", "2")
	org := strings.Fields(strings.Split(list, "\n")[1])[0]
	code := strings.TrimSpace(runCmd(t, "", "enroll-code", "--db", db, "--org", org))
	runCmd(t, "correct horse battery\n", "user", "add", "--db", db, "--role", "coordinator", "--name", "amina")
	if l := runCmd(t, "", "user", "list", "--db", db); !strings.Contains(l, "amina") {
		t.Fatalf("user list = %q", l)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	done := make(chan int, 1)
	var serveErr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--db", db, "--addr", addr}, strings.NewReader(""), &bytes.Buffer{}, &serveErr)
	}()
	base := "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 200 {
			t.Fatalf("serve --db did not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	d := newDevice(t, base, code)
	if _, err := d.st.CreateActivity(ctx, newActivity("On PostgreSQL")); err != nil {
		t.Fatal(err)
	}
	if r := d.sync(t); r.Pushed != 1 {
		t.Fatalf("sync with serve --db: %+v", r)
	}
	if s, _ := signIn(t, base, "amina", "correct horse battery"); s != http.StatusSeeOther {
		t.Errorf("sign-in with serve --db: %d", s)
	}
	if l := runCmd(t, "", "device", "list", "--db", db); !strings.Contains(l, deviceOf(t, d)) {
		t.Errorf("device list = %q", l)
	}
	cancel()
	if rc := <-done; rc != 0 {
		t.Fatalf("serve --db: exit %d: %s", rc, serveErr.String())
	}

	backup := filepath.Join(t.TempDir(), "hub-backup.db")
	runCmd(t, "", "backup", "--db", db, "--out", backup)
	if out := runCmd(t, "", "restore", "--db", db, "--from", backup); !strings.Contains(out, "new epoch") {
		t.Fatalf("restore printed %q", out)
	}
	if out := runCmd(t, "", "restored", "--db", db); !strings.Contains(out, "new epoch") {
		t.Fatalf("restored printed %q", out)
	}

	bad := "postgres://fieldbook:s3cret-pw@127.0.0.1:1/hub?sslmode=disable&connect_timeout=2"
	for _, args := range [][]string{
		{"org", "list", "--db", bad},
		{"org", "list", "--db", bad + "&pool_max_conns=0"},
		{"migrate", "--from", t.TempDir(), "--db", bad},
		{"restore", "--db", bad, "--from", backup},
	} {
		var errOut bytes.Buffer
		if rc := run(context.Background(), args, strings.NewReader(""), &bytes.Buffer{}, &errOut); rc == 0 || strings.Contains(errOut.String(), "s3cret") {
			t.Errorf("%v: exit %d, %s", args, rc, errOut.String())
		}
	}
	var errOut bytes.Buffer
	if rc := run(context.Background(), []string{"org", "list", "--data", t.TempDir(), "--db", db}, strings.NewReader(""), &bytes.Buffer{}, &errOut); rc != 2 || !strings.Contains(errOut.String(), "not both") {
		t.Errorf("--data and --db: exit %d, %s", rc, errOut.String())
	}
}

// TestPgDumpThenRestored: a hub database copied with pg_dump and
// pg_restore into another database is the same hub, epoch and all, until
// "restored" gives it a new epoch whose lineage ends with the old one.
func TestPgDumpThenRestored(t *testing.T) {
	bin, err := pgtest.BinDir()
	if err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	from, to := pgtest.NewDB(t), pgtest.NewDB(t)
	runCmd(t, "", "org", "add", "--db", from.URL, "--name", "Org", "--country", "MW")
	w := &where{db: from.URL}
	h, err := w.open(ctx, hub.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	epoch := h.Epoch()
	h.Close()
	dump := filepath.Join(t.TempDir(), "hub.dump")
	for _, cmd := range [][]string{
		{filepath.Join(bin, "pg_dump"), "--format=custom", "--file", dump, "--dbname", from.URL},
		{filepath.Join(bin, "pg_restore"), "--no-owner", "--dbname", to.URL, dump},
	} {
		if out, err := exec.CommandContext(ctx, cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", filepath.Base(cmd[0]), err, out)
		}
	}
	out := runCmd(t, "", "restored", "--db", to.URL)
	w = &where{db: to.URL}
	r, err := w.open(ctx, hub.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Epoch() == epoch || !strings.Contains(out, r.Epoch()) {
		t.Fatalf("after restored: epoch %s (before %s), printed %q", r.Epoch(), epoch, out)
	}
	if orgs, err := r.Orgs(ctx); err != nil || len(orgs) != 1 {
		t.Fatalf("restored organizations %+v, %v", orgs, err)
	}
	var lineage string
	if err := hub.ReportDB(r).QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'lineage'").Scan(&lineage); err != nil || !strings.Contains(lineage, epoch) {
		t.Fatalf("lineage %q, %v; want it to name %s", lineage, err, epoch)
	}
}
