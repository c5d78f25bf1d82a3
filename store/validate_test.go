package store

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
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
		change func(a *Activity)
		field  string
		reason string
	}{
		{"missing title", func(a *Activity) { a.Title = "" }, "title", ReasonRequired},
		{"blank title", func(a *Activity) { a.Title = " \t\n" }, "title", ReasonRequired},
		{"title too long", func(a *Activity) { a.Title = strings.Repeat("ж", MaxTitle+1) }, "title", ReasonTooLong},
		{"missing kind", func(a *Activity) { a.Kind = "" }, "kind", ReasonRequired},
		{"unknown kind", func(a *Activity) { a.Kind = "party" }, "kind", ReasonUnknownCode},
		{"missing start", func(a *Activity) { a.StartDate = "" }, "start_date", ReasonRequired},
		{"bad start", func(a *Activity) { a.StartDate = "2026-02-30" }, "start_date", ReasonBadDate},
		{"absurd year", func(a *Activity) { a.StartDate = "1066-10-14" }, "start_date", ReasonBadDate},
		{"end before start", func(a *Activity) { a.EndDate = "2026-03-03" }, "end_date", ReasonEndBeforeStart},
		{"bad end", func(a *Activity) { a.EndDate = "soon" }, "end_date", ReasonBadDate},
		{"bad follow-up date", func(a *Activity) { a.FollowUpDate = "2026/04/01" }, "follow_up_date", ReasonBadDate},
		{"missing country", func(a *Activity) { a.Country = "" }, "country", ReasonRequired},
		{"unknown country", func(a *Activity) { a.Country = "XK" }, "country", ReasonUnknownCode},
		{"lower-case country", func(a *Activity) { a.Country = "mw" }, "country", ReasonUnknownCode},
		{"place too long", func(a *Activity) { a.Place = strings.Repeat("p", MaxPlace+1) }, "place", ReasonTooLong},
		{"lat without lon", func(a *Activity) { a.Lon = nil }, "location", ReasonPairRequired},
		{"lon without lat", func(a *Activity) { a.Lat = nil }, "location", ReasonPairRequired},
		{"lat above 90", func(a *Activity) { a.Lat = f(90.5) }, "lat", ReasonOutOfRange},
		{"lat below -90", func(a *Activity) { a.Lat = f(-91) }, "lat", ReasonOutOfRange},
		{"lon above 180", func(a *Activity) { a.Lon = f(180.01) }, "lon", ReasonOutOfRange},
		{"lon NaN", func(a *Activity) { a.Lon = f(math.NaN()) }, "lon", ReasonOutOfRange},
		{"lat infinite", func(a *Activity) { a.Lat = f(math.Inf(1)) }, "lat", ReasonOutOfRange},
		{"unknown theme", func(a *Activity) { a.Themes = []string{"education", "sports"} }, "themes", ReasonUnknownCode},
		{"negative girls", func(a *Activity) { a.Reach.Girls[1] = -1 }, "girls_6_11", ReasonNegative},
		{"negative unrecorded", func(a *Activity) { a.Reach.Unrecorded[2] = -5 }, "unrecorded_12_17", ReasonNegative},
		{"negative adults", func(a *Activity) { a.Reach.Adults = -1 }, "adults", ReasonNegative},
		{"absurd boys", func(a *Activity) { a.Reach.Boys[0] = MaxCount + 1 }, "boys_0_5", ReasonTooLarge},
		{"absurd adults", func(a *Activity) { a.Reach.Adults = math.MaxInt32 }, "adults", ReasonTooLarge},
		{"partners too long", func(a *Activity) { a.Partners = strings.Repeat("x", MaxPartners+1) }, "partners", ReasonTooLong},
		{"summary too long", func(a *Activity) { a.Summary = strings.Repeat("😀", MaxSummary+1) }, "summary", ReasonTooLong},
		{"follow-up too long", func(a *Activity) { a.FollowUp = strings.Repeat("x", MaxSummary+1) }, "follow_up", ReasonTooLong},
		{"missing status", func(a *Activity) { a.Status = "" }, "status", ReasonRequired},
		{"unknown status", func(a *Activity) { a.Status = "done" }, "status", ReasonUnknownCode},
		{"unknown visibility", func(a *Activity) { a.Visibility = "public" }, "visibility", ReasonUnknownCode},
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
				var ve *ValidationError
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
			if err := s.CreateActivities(ctx, []Activity{sampleActivity(), a}); err == nil {
				t.Fatal("CreateActivities accepted it")
			}
			if _, err := s.UpsertActivities(ctx, []Activity{sampleActivity(), a}); err == nil {
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

func TestValidActivityEdges(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name   string
		change func(a *Activity)
	}{
		{"no location", func(a *Activity) { a.Lat, a.Lon = nil, nil }},
		{"poles and date line", func(a *Activity) { a.Lat, a.Lon = f(-90), f(180) }},
		{"zero coordinates", func(a *Activity) { a.Lat, a.Lon = f(0), f(0) }},
		{"same-day end", func(a *Activity) { a.EndDate = a.StartDate }},
		{"no end", func(a *Activity) { a.EndDate = "" }},
		{"no themes", func(a *Activity) { a.Themes = nil }},
		{"largest count", func(a *Activity) { a.Reach.Adults = MaxCount }},
		{"title at limit", func(a *Activity) { a.Title = strings.Repeat("ñ", MaxTitle) }},
		{"draft", func(a *Activity) { a.Status = "draft" }},
		{"network", func(a *Activity) { a.Visibility = VisibilityNetwork }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := sampleActivity()
			a.Visibility = VisibilityOrg
			tt.change(&a)
			if err := a.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestOtherEntitiesValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"resource without title", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "guide"}).Validate(), "title"},
		{"resource unknown kind", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "video", Title: "x"}).Validate(), "kind"},
		{"resource ftp link", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "guide", Title: "x", Link: "ftp://example.org/a"}).Validate(), "link"},
		{"resource unknown country", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "guide", Title: "x", Countries: []string{"MW", "QQ"}}).Validate(), "countries"},
		{"resource body too long", (&Resource{Meta: Meta{Visibility: "network"}, Kind: "guide", Title: "x", Body: strings.Repeat("b", MaxBody+1)}).Validate(), "body"},
		{"comment without body", (&Comment{Meta: Meta{Visibility: "org"}, ParentEntity: EntityActivity, ParentID: "x"}).Validate(), "body"},
		{"comment on comment", (&Comment{Meta: Meta{Visibility: "org"}, ParentEntity: EntityComment, ParentID: "x", Body: "b"}).Validate(), "parent_entity"},
		{"comment too long", (&Comment{Meta: Meta{Visibility: "org"}, ParentEntity: EntityActivity, ParentID: "x", Body: strings.Repeat("b", MaxComment+1)}).Validate(), "body"},
		{"organization without name", (&Organization{Meta: Meta{Visibility: "network"}, Country: "MW"}).Validate(), "name"},
		{"organization without country", (&Organization{Meta: Meta{Visibility: "network"}, Name: "A"}).Validate(), "country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ve *ValidationError
			if !errors.As(tt.err, &ve) {
				t.Fatalf("err = %v", tt.err)
			}
			if _, ok := ve.Field(tt.field); !ok {
				t.Fatalf("errors %+v lack %s", ve.Fields, tt.field)
			}
		})
	}
}

func TestRejectedWritesOfOtherEntitiesChangeNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	a, _ := s.CreateActivity(ctx, sampleActivity())
	res, _ := s.CreateResource(ctx, Resource{Kind: "guide", Title: "Guide"})
	org, _ := s.CreateOrganization(ctx, Organization{Name: "Org", Country: "MW"})
	r0, o0, f0 := counts(t, s)
	badRes := res
	badRes.Link = "javascript:alert(1)"
	badOrg := org
	badOrg.Country = "Atlantis"
	writes := map[string]func() error{
		"create resource": func() error { _, err := s.CreateResource(ctx, Resource{Kind: "guide"}); return err },
		"update resource": func() error { _, err := s.UpdateResource(ctx, badRes); return err },
		"create comment": func() error {
			_, err := s.CreateComment(ctx, Comment{ParentEntity: EntityActivity, ParentID: a.ID})
			return err
		},
		"comment on nothing": func() error {
			_, err := s.CreateComment(ctx, Comment{ParentEntity: EntityResource, ParentID: NewID(), Body: "x"})
			return err
		},
		"create organization": func() error { _, err := s.CreateOrganization(ctx, Organization{Name: "", Country: "MW"}); return err },
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
