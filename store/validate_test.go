package store

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/model"
)

// counts returns how many activities, outbox rows and FTS rows exist.
func counts(t *testing.T, s *Store) (records, outbox, fts int) {
	t.Helper()
	err := s.reader.QueryRow(`SELECT (SELECT count(*) FROM activities) + (SELECT count(*) FROM resources) +
		(SELECT count(*) FROM comments) + (SELECT count(*) FROM organizations),
		(SELECT count(*) FROM outbox), (SELECT count(*) FROM activities_fts) + (SELECT count(*) FROM resources_fts)`).Scan(&records, &outbox, &fts)
	if err != nil {
		t.Fatal(err)
	}
	return
}

func TestActivityValidation(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name   string
		change func(a *model.Activity)
		field  string
		reason string
	}{
		{"missing title", func(a *model.Activity) { a.Title = "" }, "title", model.ReasonRequired},
		{"blank title", func(a *model.Activity) { a.Title = " \t\n" }, "title", model.ReasonRequired},
		{"title too long", func(a *model.Activity) { a.Title = strings.Repeat("ж", model.MaxTitle+1) }, "title", model.ReasonTooLong},
		{"missing kind", func(a *model.Activity) { a.Kind = "" }, "kind", model.ReasonRequired},
		{"unknown kind", func(a *model.Activity) { a.Kind = "party" }, "kind", model.ReasonUnknownCode},
		{"missing start", func(a *model.Activity) { a.StartDate = "" }, "start_date", model.ReasonRequired},
		{"bad start", func(a *model.Activity) { a.StartDate = "2026-02-30" }, "start_date", model.ReasonBadDate},
		{"absurd year", func(a *model.Activity) { a.StartDate = "1066-10-14" }, "start_date", model.ReasonBadDate},
		{"end before start", func(a *model.Activity) { a.EndDate = "2026-03-03" }, "end_date", model.ReasonEndBeforeStart},
		{"bad end", func(a *model.Activity) { a.EndDate = "soon" }, "end_date", model.ReasonBadDate},
		{"bad follow-up date", func(a *model.Activity) { a.FollowUpDate = "2026/04/01" }, "follow_up_date", model.ReasonBadDate},
		{"missing country", func(a *model.Activity) { a.Country = "" }, "country", model.ReasonRequired},
		{"unknown country", func(a *model.Activity) { a.Country = "XK" }, "country", model.ReasonUnknownCode},
		{"lower-case country", func(a *model.Activity) { a.Country = "mw" }, "country", model.ReasonUnknownCode},
		{"place too long", func(a *model.Activity) { a.Place = strings.Repeat("p", model.MaxPlace+1) }, "place", model.ReasonTooLong},
		{"lat without lon", func(a *model.Activity) { a.Lon = nil }, "location", model.ReasonPairRequired},
		{"lon without lat", func(a *model.Activity) { a.Lat = nil }, "location", model.ReasonPairRequired},
		{"lat above 90", func(a *model.Activity) { a.Lat = f(90.5) }, "lat", model.ReasonOutOfRange},
		{"lat below -90", func(a *model.Activity) { a.Lat = f(-91) }, "lat", model.ReasonOutOfRange},
		{"lon above 180", func(a *model.Activity) { a.Lon = f(180.01) }, "lon", model.ReasonOutOfRange},
		{"lon NaN", func(a *model.Activity) { a.Lon = f(math.NaN()) }, "lon", model.ReasonOutOfRange},
		{"lat infinite", func(a *model.Activity) { a.Lat = f(math.Inf(1)) }, "lat", model.ReasonOutOfRange},
		{"unknown theme", func(a *model.Activity) { a.Themes = []string{"education", "sports"} }, "themes", model.ReasonUnknownCode},
		{"negative girls", func(a *model.Activity) { a.Reach.Girls[1] = -1 }, "girls_6_11", model.ReasonNegative},
		{"negative unrecorded", func(a *model.Activity) { a.Reach.Unrecorded[2] = -5 }, "unrecorded_12_17", model.ReasonNegative},
		{"negative adults", func(a *model.Activity) { a.Reach.Adults = -1 }, "adults", model.ReasonNegative},
		{"absurd boys", func(a *model.Activity) { a.Reach.Boys[0] = model.MaxCount + 1 }, "boys_0_5", model.ReasonTooLarge},
		{"absurd adults", func(a *model.Activity) { a.Reach.Adults = math.MaxInt32 }, "adults", model.ReasonTooLarge},
		{"partners too long", func(a *model.Activity) { a.Partners = strings.Repeat("x", model.MaxPartners+1) }, "partners", model.ReasonTooLong},
		{"summary too long", func(a *model.Activity) { a.Summary = strings.Repeat("😀", model.MaxSummary+1) }, "summary", model.ReasonTooLong},
		{"follow-up too long", func(a *model.Activity) { a.FollowUp = strings.Repeat("x", model.MaxSummary+1) }, "follow_up", model.ReasonTooLong},
		{"missing status", func(a *model.Activity) { a.Status = "" }, "status", model.ReasonRequired},
		{"unknown status", func(a *model.Activity) { a.Status = "done" }, "status", model.ReasonUnknownCode},
		{"unknown visibility", func(a *model.Activity) { a.Visibility = "public" }, "visibility", model.ReasonUnknownCode},
	}
	ctx := context.Background()
	s := openTest(t)
	existing, err := s.CreateActivity(ctx, sampleActivity())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			check := func(err error) {
				t.Helper()
				var ve *model.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v, want *ValidationError", err)
				}
				fe, ok := ve.Field(tt.field)
				if !ok || fe.Reason != tt.reason {
					t.Fatalf("errors = %+v, want %s %s", ve.Fields, tt.field, tt.reason)
				}
				if fe.Error() == "" || !strings.Contains(ve.Error(), "invalid activity") {
					t.Fatalf("messages %q %q", fe.Error(), ve.Error())
				}
			}
			a := sampleActivity()
			tt.change(&a)
			check(a.Validate())
			// A rejected write changes nothing: no record, no outbox row,
			// no index entry, and an edit leaves the stored record as it
			// was. Every write in this test is refused, so the counts stay
			// those of the one stored record.
			if _, err := s.CreateActivity(ctx, a); err == nil {
				t.Fatal("CreateActivity accepted it")
			}
			if err := s.CreateActivities(ctx, []model.Activity{sampleActivity(), a}); err == nil {
				t.Fatal("CreateActivities accepted it")
			}
			if _, err := s.UpsertActivities(ctx, []model.Activity{sampleActivity(), a}); err == nil {
				t.Fatal("UpsertActivities accepted it")
			}
			if r, o, f := counts(t, s); r != 1 || o != 1 || f != 1 {
				t.Fatalf("rejected writes left %d records, %d outbox rows, %d index rows; want 1 each", r, o, f)
			}
		})
	}
	t.Run("update", func(t *testing.T) {
		t.Parallel()
		for _, tt := range tests {
			a := existing
			a.Themes = append([]string(nil), existing.Themes...)
			la, lo := *existing.Lat, *existing.Lon
			a.Lat, a.Lon = &la, &lo
			tt.change(&a)
			r0, o0, _ := counts(t, s)
			if _, err := s.UpdateActivity(ctx, a); err == nil {
				t.Fatalf("%s: UpdateActivity accepted it", tt.name)
			}
			got, err := s.Activity(ctx, existing.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r, o, _ := counts(t, s); r != r0 || o != o0 || got.UpdatedAt != existing.UpdatedAt || got.Title != existing.Title {
				t.Fatalf("%s: rejected update changed the store", tt.name)
			}
		}
	})
}

func TestRejectedWritesOfOtherEntitiesChangeNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	a, _ := s.CreateActivity(ctx, sampleActivity())
	res, _ := s.CreateResource(ctx, model.Resource{Kind: "guide", Title: "Guide"})
	org, _ := s.CreateOrganization(ctx, model.Organization{Name: "Org", Country: "MW"})
	r0, o0, f0 := counts(t, s)
	badRes := res
	badRes.Link = "javascript:alert(1)"
	badOrg := org
	badOrg.Country = "Atlantis"
	writes := map[string]func() error{
		"create resource": func() error { _, err := s.CreateResource(ctx, model.Resource{Kind: "guide"}); return err },
		"update resource": func() error { _, err := s.UpdateResource(ctx, badRes); return err },
		"create comment": func() error {
			_, err := s.CreateComment(ctx, model.Comment{ParentEntity: model.EntityActivity, ParentID: a.ID})
			return err
		},
		"comment on nothing": func() error {
			_, err := s.CreateComment(ctx, model.Comment{ParentEntity: model.EntityResource, ParentID: model.NewID(), Body: "x"})
			return err
		},
		"create organization": func() error {
			_, err := s.CreateOrganization(ctx, model.Organization{Name: "", Country: "MW"})
			return err
		},
		"update organization": func() error { _, err := s.UpdateOrganization(ctx, badOrg); return err },
	}
	for name, write := range writes {
		if err := write(); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if r, o, f := counts(t, s); r != r0 || o != o0 || f != f0 {
			t.Errorf("%s: refused write changed counts to %d/%d/%d from %d/%d/%d", name, r, o, f, r0, o0, f0)
		}
	}
	if got, _ := s.Resource(ctx, res.ID); got.Link != "" {
		t.Errorf("refused update stored link %q", got.Link)
	}
	if got, _ := s.Organization(ctx, org.ID); got.Country != "MW" {
		t.Errorf("refused update stored country %q", got.Country)
	}
}
