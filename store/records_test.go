package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/model"
)

func TestActivityCRUD(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	if _, err := s.Activity(ctx, model.NewID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing activity: %v, want ErrNotFound", err)
	}
	a, err := s.CreateActivity(ctx, sampleActivity())
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.OrgID != UnassignedOrg || a.Visibility != model.VisibilityOrg || a.CreatedBy != s.DeviceID() || a.UpdatedAt.IsZero() {
		t.Fatalf("created meta %+v", a.Meta)
	}
	if _, err := s.CreateActivity(ctx, a); err == nil || !strings.Contains(err.Error(), "id already used") {
		t.Fatalf("second create with the same id: %v", err)
	}
	t.Run("edit cannot touch store-owned meta or the tombstone", func(t *testing.T) {
		e := a
		e.Title = "Edited"
		e.CreatedBy, e.OrgID, e.Version, e.Deleted = "someone", "other-org", 99, true
		got, err := s.UpdateActivity(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := s.Activity(ctx, a.ID)
		if stored.Title != "Edited" || stored.CreatedBy != s.DeviceID() || stored.OrgID != UnassignedOrg || stored.Version != 0 || stored.Deleted {
			t.Fatalf("stored %+v", stored.Meta)
		}
		if got.UpdatedAt.Compare(a.UpdatedAt) <= 0 {
			t.Fatal("edit did not advance the clock")
		}
	})
	t.Run("update of a missing record", func(t *testing.T) {
		m := sampleActivity()
		m.ID, m.Visibility = model.NewID(), model.VisibilityOrg
		if _, err := s.UpdateActivity(ctx, m); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("delete and restore", func(t *testing.T) {
		if err := s.DeleteActivity(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		got, err := s.Activity(ctx, a.ID)
		if err != nil || !got.Deleted {
			t.Fatalf("tombstone %+v %v", got.Meta, err)
		}
		if err := s.RestoreActivity(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Activity(ctx, a.ID); got.Deleted {
			t.Fatal("still deleted")
		}
		if err := s.DeleteActivity(ctx, model.NewID()); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete missing: %v", err)
		}
	})
	out, _ := s.Outbox(ctx, 0, 100)
	ops := []string{}
	for _, c := range out {
		ops = append(ops, c.Op)
	}
	if !slices.Equal(ops, []string{OpCreate, OpUpdate, OpDelete, OpUpdate}) {
		t.Fatalf("outbox ops %v", ops)
	}
}

func TestUpsertActivities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	a, _ := s.CreateActivity(ctx, sampleActivity())
	edited := a
	edited.Title = "Changed by import"
	same, _ := s.CreateActivity(ctx, sampleActivity())
	withID := sampleActivity()
	withID.ID = model.NewID()
	res, err := s.UpsertActivities(ctx, []model.Activity{edited, same, withID, sampleActivity()})
	if err != nil {
		t.Fatal(err)
	}
	if res != (UpsertResult{Created: 2, Updated: 1, Unchanged: 1}) {
		t.Fatalf("result %+v", res)
	}
	if got, err := s.Activity(ctx, withID.ID); err != nil || got.Title != withID.Title {
		t.Fatalf("created with given id: %+v %v", got, err)
	}
	if got, _ := s.Activity(ctx, a.ID); got.Title != "Changed by import" {
		t.Fatalf("not updated: %q", got.Title)
	}
	if n, _ := s.CountActivities(ctx, ActivityFilter{}); n != 4 {
		t.Fatalf("%d activities, want 4", n)
	}
	if st, _ := s.OutboxStats(ctx); st.Pending != 2+1+2 {
		t.Fatalf("%d outbox rows, want 5", st.Pending)
	}
}

func TestResourceCRUD(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	r, err := s.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Safe schools guide", Body: "How to run a safe-schools audit.",
		Language: "en", Countries: []string{"MW", "KE"}, Themes: []string{"education"}, Link: "https://example.org/guide.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Visibility != model.VisibilityNetwork {
		t.Fatalf("default visibility %q", r.Visibility)
	}
	q, _ := s.CreateResource(ctx, model.Resource{Kind: "question", Title: "Birth registration fees?", Themes: []string{"birth_registration"}})
	got, err := s.Resource(ctx, r.ID)
	if err != nil || got.Title != r.Title || !slices.Equal(got.Countries, []string{"MW", "KE"}) || got.Link != r.Link {
		t.Fatalf("Resource = %+v %v", got, err)
	}
	got.Body = "Updated body about audits."
	if _, err := s.UpdateResource(ctx, got); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    ResourceFilter
		want []string
	}{
		{"all newest first", ResourceFilter{}, []string{q.ID, r.ID}},
		{"text in updated body", ResourceFilter{Text: "audits"}, []string{r.ID}},
		{"old body text gone", ResourceFilter{Text: "run"}, []string{}},
		{"kind", ResourceFilter{Kind: "question"}, []string{q.ID}},
		{"theme", ResourceFilter{Theme: "education"}, []string{r.ID}},
		{"page", ResourceFilter{Limit: 1, Offset: 1}, []string{r.ID}},
	}
	for _, tt := range tests {
		res, err := s.Resources(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, x := range res {
			ids = append(ids, x.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, ids, tt.want)
		}
		// The count ignores the page: it is what the list holds in all.
		unpaged := tt.f
		unpaged.Limit, unpaged.Offset = 0, 0
		all, _ := s.Resources(ctx, unpaged)
		if n, err := s.CountResources(ctx, tt.f); err != nil || n != len(all) {
			t.Errorf("%s: CountResources = %d, %v; want %d", tt.name, n, err, len(all))
		}
	}
	if err := s.DeleteResource(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.Resources(ctx, ResourceFilter{}); len(res) != 1 {
		t.Fatalf("deleted resource listed: %d", len(res))
	}
	if n, err := s.CountResources(ctx, ResourceFilter{}); err != nil || n != 1 {
		t.Fatalf("deleted resource counted: %d %v", n, err)
	}
	if _, err := s.Resource(ctx, model.NewID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

func TestCommentsAndOrganizations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	a := sampleActivity()
	a.Visibility = model.VisibilityNetwork
	a, _ = s.CreateActivity(ctx, a)
	c1, err := s.CreateComment(ctx, model.Comment{ParentEntity: model.EntityActivity, ParentID: a.ID, Author: "Chikondi", Body: "Good visit."})
	if err != nil {
		t.Fatal(err)
	}
	if c1.OrgID != a.OrgID || c1.Visibility != model.VisibilityNetwork {
		t.Fatalf("comment meta %+v, want the parent's org and visibility", c1.Meta)
	}
	c2, _ := s.CreateComment(ctx, model.Comment{ParentEntity: model.EntityActivity, ParentID: a.ID, Body: "Follow up in May?"})
	if _, err := s.CreateComment(ctx, model.Comment{ParentEntity: model.EntityActivity, ParentID: model.NewID(), Body: "orphan"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("comment on a missing record: %v", err)
	}
	cs, err := s.Comments(ctx, a.ID)
	if err != nil || len(cs) != 2 || cs[0].ID != c1.ID || cs[1].ID != c2.ID {
		t.Fatalf("Comments = %+v %v", cs, err)
	}
	if err := s.DeleteComment(ctx, c1.ID); err != nil {
		t.Fatal(err)
	}
	if cs, _ := s.Comments(ctx, a.ID); len(cs) != 1 || cs[0].ID != c2.ID {
		t.Fatalf("after delete %+v", cs)
	}
	if cs, err := s.Comments(ctx, model.NewID()); err != nil || cs == nil || len(cs) != 0 {
		t.Fatalf("no comments = %#v %v, want an empty slice", cs, err)
	}

	o, err := s.CreateOrganization(ctx, model.Organization{Name: "zeta Child Rights", Country: "ZW"})
	if err != nil {
		t.Fatal(err)
	}
	if o.OrgID != o.ID || o.Visibility != model.VisibilityNetwork {
		t.Fatalf("organization meta %+v", o.Meta)
	}
	s.CreateOrganization(ctx, model.Organization{Name: "Alpha Network", Country: "AL"})
	o.Contact = "info@example.org"
	if _, err := s.UpdateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	got, err := s.Organization(ctx, o.ID)
	if err != nil || got.Contact != "info@example.org" {
		t.Fatalf("Organization = %+v %v", got, err)
	}
	list, err := s.Organizations(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "Alpha Network" {
		t.Fatalf("Organizations (by name, ignoring case) = %+v %v", list, err)
	}
	if _, err := s.Organization(ctx, model.NewID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

func TestDrafts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	if _, err := s.Draft(ctx, "activity:new"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing draft: %v", err)
	}
	if err := s.SaveDraft(ctx, "activity:new", `{"title":"Scho"}`); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(ctx, "activity:new", `{"title":"School visit"}`); err != nil {
		t.Fatal(err)
	}
	s.SaveDraft(ctx, "activity:abc", `{}`)
	d, err := s.Draft(ctx, "activity:new")
	if err != nil || d.Body != `{"title":"School visit"}` || d.SavedAt.IsZero() {
		t.Fatalf("Draft = %+v %v", d, err)
	}
	all, err := s.Drafts(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Drafts = %+v %v", all, err)
	}
	if err := s.DeleteDraft(ctx, "activity:new"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteDraft(ctx, "activity:new"); err != nil {
		t.Fatalf("deleting a missing draft: %v", err)
	}
	if all, _ := s.Drafts(ctx); len(all) != 1 {
		t.Fatalf("%d drafts left", len(all))
	}
	// Drafts are local: they never reach the outbox.
	if st, _ := s.OutboxStats(ctx); st.Pending != 0 {
		t.Fatalf("drafts queued %d changes", st.Pending)
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	if _, ok, err := s.Setting(ctx, "lang"); ok || err != nil {
		t.Fatalf("unset setting: %v %v", ok, err)
	}
	s.SetSetting(ctx, "lang", "sw")
	s.SetSetting(ctx, "lang", "ny")
	if v, ok, err := s.Setting(ctx, "lang"); v != "ny" || !ok || err != nil {
		t.Fatalf("Setting = %q %v %v", v, ok, err)
	}
}

// The batch insert writes an activity's columns without the field map;
// they must be what the map would give, in the same order.
func TestActivityColumnsMatchFields(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	as := []model.Activity{{}}
	for range 200 {
		as = append(as, fakeActivity(r))
	}
	for i, a := range as {
		m := model.Meta{ID: model.NewID(), OrgID: "org", Visibility: model.VisibilityNetwork, CreatedBy: "device",
			CreatedAt: time.Date(2026, 5, 6, 7, 8, 9, i, time.FixedZone("x", 3600)), Deleted: i%2 == 0}
		f := a.Fields()
		f.SetMeta(m)
		var want []any
		for _, fs := range activitySpec.Fields {
			want = append(want, fs.Column(f[fs.Name]))
		}
		if got := a.AppendColumns(nil, m); !reflect.DeepEqual(got, want) {
			t.Fatalf("activity %d: columns\n%v\nwant\n%v", i, got, want)
		}
	}
}
