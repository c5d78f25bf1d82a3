package codes

import (
	"testing"

	"golang.org/x/text/language"
)

func TestCountriesAreISO(t *testing.T) {
	t.Parallel()
	if n := len(Countries.Codes); n != 249 {
		t.Fatalf("got %d countries, ISO 3166-1 has 249", n)
	}
	seen := map[string]bool{}
	for _, c := range Countries.Codes {
		if seen[c] {
			t.Errorf("duplicate %s", c)
		}
		seen[c] = true
		if _, err := language.ParseRegion(c); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	for _, c := range []string{"MW", "KH", "MN", "AZ", "LR", "SD"} {
		if !Countries.Has(c) {
			t.Errorf("network country %s missing", c)
		}
	}
}

func TestListsHaveNoDuplicates(t *testing.T) {
	t.Parallel()
	for _, l := range []List{ActivityKinds, Themes, Statuses, ResourceKinds, Visibilities, Sexes, AgeBands} {
		seen := map[string]bool{}
		for _, c := range l.Codes {
			if seen[c] {
				t.Errorf("%s: duplicate %s", l.Name, c)
			}
			seen[c] = true
		}
		if got := l.MessageID(l.Codes[0]); got != l.Name+"."+l.Codes[0] {
			t.Errorf("MessageID = %q", got)
		}
	}
}
