package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/a20-network/fieldbook/model"
)

// TestCountryUse counts live activities and organizations by country,
// most first; a deleted activity does not count.
func TestCountryUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	for _, c := range []string{"MW", "MW", "KE", "TZ"} {
		a := sampleActivity()
		a.Country = c
		if _, err := s.CreateActivity(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	gone := sampleActivity()
	gone.Country = "ZW"
	g, _ := s.CreateActivity(ctx, gone)
	if err := s.DeleteActivity(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrganization(ctx, model.Organization{Name: "Kenya Child Rights", Country: "KE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrganization(ctx, model.Organization{Name: "Mongolian Network", Country: "MN"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CountryUse(ctx)
	want := []CountryCount{{"KE", 2}, {"MW", 2}, {"MN", 1}, {"TZ", 1}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("CountryUse = %v, %v; want %v", got, err, want)
	}
}
