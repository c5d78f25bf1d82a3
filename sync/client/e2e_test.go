package client_test

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/a20-network/fieldbook/sync/protocol"
)

// testHub is a real hub in a temporary folder behind a real HTTP server.
type testHub struct {
	dir  string
	opts hub.Options
	hub  *hub.Hub
	srv  *httptest.Server
}

func startHub(t testing.TB) *testHub {
	t.Helper()
	th := &testHub{dir: t.TempDir()}
	th.open(t)
	t.Cleanup(func() { th.close() })
	return th
}

func (th *testHub) open(t testing.TB) {
	t.Helper()
	opts := th.opts
	opts.Logger = quiet
	if opts.Postgres == nil {
		opts.Postgres = pghub.Config(t, th.dir)
	}
	h, err := hub.Open(context.Background(), th.dir, opts)
	if err != nil {
		t.Fatalf("hub.Open: %v", err)
	}
	th.hub = h
	if th.srv == nil {
		th.srv = httptest.NewServer(h.Handler())
	} else {
		th.srv.Config.Handler = h.Handler()
	}
}

func (th *testHub) close() {
	if th.srv != nil {
		th.srv.Close()
	}
	if th.hub != nil {
		th.hub.Close()
	}
}

func (th *testHub) org(t testing.TB, name string) string {
	t.Helper()
	id, err := th.hub.AddOrg(context.Background(), name, "MW")
	if err != nil {
		t.Fatalf("AddOrg: %v", err)
	}
	return id
}

func (th *testHub) code(t testing.TB, org, role string) string {
	t.Helper()
	code, err := th.hub.NewEnrollCode(context.Background(), org, role, time.Hour)
	if err != nil {
		t.Fatalf("NewEnrollCode: %v", err)
	}
	return code
}

// device is a real store file with a sync engine.
type device struct {
	path string
	st   *store.Store
	eng  *client.Engine
	opts client.Options
}

func newDevice(t testing.TB, opts client.Options) *device {
	t.Helper()
	d := &device{path: filepath.Join(t.TempDir(), store.DBFile), opts: opts}
	d.open(t)
	t.Cleanup(func() { d.st.Close() })
	return d
}

func (d *device) open(t testing.TB) {
	t.Helper()
	st, err := store.Open(context.Background(), d.path, store.Options{})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	if d.opts.Logger == nil {
		d.opts.Logger = quiet
	}
	if d.opts.Backoff == 0 {
		d.opts.Backoff = time.Millisecond
	}
	d.st, d.eng = st, client.New(st, d.opts)
}

func (d *device) reopen(t testing.TB) {
	t.Helper()
	d.st.Close()
	d.open(t)
}

func enrolled(t testing.TB, th *testHub, org, role string) *device {
	t.Helper()
	d := newDevice(t, client.Options{})
	if err := d.eng.Enroll(context.Background(), th.srv.URL, th.code(t, org, role)); err != nil {
		t.Fatalf("Enroll: %v", err)
	}
	return d
}

func (d *device) sync(t testing.TB) client.Result {
	t.Helper()
	res, err := d.eng.Sync(context.Background(), nil)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return res
}

func activity(title string) model.Activity {
	lat, lon := -13.98, 33.78
	return model.Activity{
		Kind: "school_visit", Title: title, StartDate: "2026-03-04", EndDate: "2026-03-05",
		Country: "MW", Place: "Lilongwe", Lat: &lat, Lon: &lon, Themes: []string{"education", "child_marriage"},
		Reach:    model.Reach{Girls: [3]int{0, 12, 30}, Boys: [3]int{0, 10, 25}, Adults: 8},
		Partners: "District education office", Summary: "Talked to pupils about early marriage.", Status: "final",
	}
}

func mustActivity(t testing.TB, st *store.Store, id string) model.Activity {
	t.Helper()
	a, err := st.Activity(context.Background(), id)
	if err != nil {
		t.Fatalf("Activity %s: %v", id, err)
	}
	return a
}

func TestTwoDevicesCreateEditDeleteComment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Malawi Child Voice")
	a, b := enrolled(t, th, org, hub.RoleStaff), enrolled(t, th, org, hub.RoleStaff)

	act, err := a.st.CreateActivity(ctx, activity("School visit"))
	if err != nil {
		t.Fatal(err)
	}
	if res := a.sync(t); res.Pushed != 1 || res.Rejected != 0 {
		t.Fatalf("a first sync = %+v", res)
	}
	if res := b.sync(t); res.Pulled < 2 { // the organization record and the activity
		t.Fatalf("b first sync = %+v", res)
	}
	got := mustActivity(t, b.st, act.ID)
	if got.Title != "School visit" || got.Reach != act.Reach || got.OrgID != org || *got.Lat != -13.98 {
		t.Fatalf("b holds %+v", got)
	}
	// b edits, a comments; both sync; each sees the other's work.
	got.Summary = "Pupils asked for a follow-up."
	if _, err := b.st.UpdateActivity(ctx, got); err != nil {
		t.Fatal(err)
	}
	cm, err := a.st.CreateComment(ctx, model.Comment{ParentEntity: model.EntityActivity, ParentID: act.ID, Author: "Chikondi", Body: "Well done"})
	if err != nil {
		t.Fatal(err)
	}
	b.sync(t)
	a.sync(t)
	b.sync(t)
	if s := mustActivity(t, a.st, act.ID).Summary; s != "Pupils asked for a follow-up." {
		t.Fatalf("a's summary = %q", s)
	}
	comments, err := b.st.Comments(ctx, act.ID)
	if err != nil || len(comments) != 1 || comments[0].ID != cm.ID || comments[0].Body != "Well done" {
		t.Fatalf("b's comments = %+v, %v", comments, err)
	}
	// a deletes; b sees the tombstone.
	if err := a.st.DeleteActivity(ctx, act.ID); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	if !mustActivity(t, b.st, act.ID).Deleted {
		t.Fatal("delete did not reach b")
	}
	for _, d := range []*device{a, b} {
		st, err := d.eng.Status(ctx)
		if err != nil || !st.Enrolled || st.Pending != 0 || st.OrgID != org || st.LastSync.IsZero() || st.LastError != "" {
			t.Fatalf("status = %+v, %v", st, err)
		}
	}
}

func TestOrgPrivateRecordsStayInTheirOrg(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	orgA, orgB := th.org(t, "Org A"), th.org(t, "Org B")
	a, b := enrolled(t, th, orgA, hub.RoleStaff), enrolled(t, th, orgB, hub.RoleStaff)
	private := activity("Private to A")
	private.Visibility = model.VisibilityOrg
	shared := activity("Shared by A")
	shared.Visibility = model.VisibilityNetwork
	p, err := a.st.CreateActivity(ctx, private)
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.st.CreateActivity(ctx, shared)
	if err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	if _, err := b.st.Activity(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("org-private activity reached another org: %v", err)
	}
	if got := mustActivity(t, b.st, s.ID); got.Title != "Shared by A" {
		t.Fatalf("shared activity = %+v", got)
	}
	orgs, err := b.st.Organizations(ctx)
	if err != nil || len(orgs) != 2 {
		t.Fatalf("b's directory = %+v, %v", orgs, err)
	}
	// b may not edit a's record: rejected, kept on b, shown.
	got := mustActivity(t, b.st, s.ID)
	got.Title = "Hijacked"
	if _, err := b.st.UpdateActivity(ctx, got); err != nil {
		t.Fatal(err)
	}
	if res := b.sync(t); res.Rejected != 1 {
		t.Fatalf("b's sync = %+v", res)
	}
	rej, err := b.st.Rejections(ctx)
	if err != nil || len(rej) != 1 || rej[0].Kind != string(protocol.KindForbidden) {
		t.Fatalf("rejections = %+v, %v", rej, err)
	}
	a.sync(t)
	if got := mustActivity(t, a.st, s.ID); got.Title != "Shared by A" {
		t.Fatalf("a's activity changed by another org: %q", got.Title)
	}
	// b may comment on a's network activity; a sees the comment.
	if _, err := b.st.CreateComment(ctx, model.Comment{ParentEntity: model.EntityActivity, ParentID: s.ID, Body: "Can we join next time?"}); err != nil {
		t.Fatal(err)
	}
	if res := b.sync(t); res.Rejected != 0 {
		t.Fatalf("b's comment rejected: %+v", res)
	}
	a.sync(t)
	if cs, err := a.st.Comments(ctx, s.ID); err != nil || len(cs) != 1 {
		t.Fatalf("a's comments = %+v, %v", cs, err)
	}
	// Withdrawing the record from the network tombstones it at b.
	sa := mustActivity(t, a.st, s.ID)
	sa.Visibility = model.VisibilityOrg
	if _, err := a.st.UpdateActivity(ctx, sa); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	if got := mustActivity(t, b.st, s.ID); !got.Deleted {
		t.Fatal("withdrawn record still live at another org")
	}
}

func TestConflictVisibleOnBothAndResolutionPropagates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	a, b := enrolled(t, th, org, hub.RoleStaff), enrolled(t, th, org, hub.RoleStaff)
	act, err := a.st.CreateActivity(ctx, activity("Dialogue"))
	if err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	ea, eb := mustActivity(t, a.st, act.ID), mustActivity(t, b.st, act.ID)
	ea.Title, ea.Place = "Dialogue in Zomba", "Zomba"
	eb.Title, eb.Reach.Adults = "Dialogue with elders", 40
	if _, err := a.st.UpdateActivity(ctx, ea); err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.UpdateActivity(ctx, eb); err != nil { // later clock: provisional winner
		t.Fatal(err)
	}
	a.sync(t)
	if res := b.sync(t); res.Conflicts != 1 {
		t.Fatalf("b's sync = %+v", res)
	}
	a.sync(t)
	for name, d := range map[string]*device{"a": a, "b": b} {
		got := mustActivity(t, d.st, act.ID)
		if got.Title != "Dialogue with elders" || got.Place != "Zomba" || got.Reach.Adults != 40 {
			t.Fatalf("%s holds %q %q %d", name, got.Title, got.Place, got.Reach.Adults)
		}
		open, err := d.st.Conflicts(ctx, true)
		if err != nil || len(open) != 1 || open[0].Field != "title" {
			t.Fatalf("%s conflicts = %+v, %v", name, open, err)
		}
		var loser string
		if err := json.Unmarshal(open[0].Loser, &loser); err != nil || loser != "Dialogue in Zomba" {
			t.Fatalf("%s loser = %s", name, open[0].Loser)
		}
	}
	// a keeps its own title; the resolution and the edit reach b.
	open, _ := a.st.Conflicts(ctx, true)
	if err := a.st.ResolveConflict(ctx, open[0].ID, true); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	for name, d := range map[string]*device{"a": a, "b": b} {
		if got := mustActivity(t, d.st, act.ID); got.Title != "Dialogue in Zomba" {
			t.Fatalf("%s title after resolution = %q", name, got.Title)
		}
		if open, _ := d.st.Conflicts(ctx, true); len(open) != 0 {
			t.Fatalf("%s still has open conflicts %+v", name, open)
		}
	}
}

func TestEditBeatsDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	a, b := enrolled(t, th, org, hub.RoleStaff), enrolled(t, th, org, hub.RoleStaff)
	act, _ := a.st.CreateActivity(ctx, activity("Campaign"))
	a.sync(t)
	b.sync(t)
	if err := a.st.DeleteActivity(ctx, act.ID); err != nil {
		t.Fatal(err)
	}
	eb := mustActivity(t, b.st, act.ID)
	eb.Summary = "Radio spots booked"
	if _, err := b.st.UpdateActivity(ctx, eb); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	a.sync(t)
	for name, d := range map[string]*device{"a": a, "b": b} {
		got := mustActivity(t, d.st, act.ID)
		if got.Deleted || got.Summary != "Radio spots booked" {
			t.Fatalf("%s: deleted=%v summary=%q", name, got.Deleted, got.Summary)
		}
		if open, _ := d.st.Conflicts(ctx, true); len(open) != 1 || open[0].Field != "deleted" {
			t.Fatalf("%s conflicts = %+v", name, open)
		}
	}
}

func TestRejectedRecordStaysWhileOthersGoThrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	org := th.org(t, "Org")
	a, b := enrolled(t, th, org, hub.RoleStaff), enrolled(t, th, org, hub.RoleStaff)
	var ids []string
	for i := range 5 {
		act, err := a.st.CreateActivity(ctx, activity("Visit "+string(rune('A'+i))))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, act.ID)
	}
	// a's organization record edit is refused: staff may not edit the directory.
	o, err := a.st.Organization(ctx, org)
	if err == nil {
		t.Fatalf("device has org record before first sync: %+v", o)
	}
	a.sync(t)
	o, err = a.st.Organization(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	o.Description = "We work in every district"
	if _, err := a.st.UpdateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	more, _ := a.st.CreateActivity(ctx, activity("After the refused edit"))
	res := a.sync(t)
	if res.Rejected != 1 || res.Pushed != 1 {
		t.Fatalf("sync = %+v", res)
	}
	rej, _ := a.st.Rejections(ctx)
	if len(rej) != 1 || rej[0].Entity != model.EntityOrganization || rej[0].Reason == "" {
		t.Fatalf("rejections = %+v", rej)
	}
	if got, _ := a.st.Organization(ctx, org); got.Description != "We work in every district" {
		t.Fatalf("refused edit lost on the device: %+v", got)
	}
	b.sync(t)
	for _, id := range append(ids, more.ID) {
		mustActivity(t, b.st, id)
	}
	if got, _ := b.st.Organization(ctx, org); got.Description != "" {
		t.Fatalf("refused edit reached b: %q", got.Description)
	}
}

// quiet drops logs; a failing test reports what it saw itself.
var quiet = slog.New(slog.DiscardHandler)
