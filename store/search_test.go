package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/a20-network/fieldbook/model"
)

func TestActivitiesSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	mk := func(title, start, kind, country, status string, themes []string, summary string) model.Activity {
		a, err := s.CreateActivity(ctx, model.Activity{Kind: kind, Title: title, StartDate: start, Country: country,
			Status: status, Themes: themes, Summary: summary, Place: "Somewhere"})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	school := mk("School visit Zomba", "2026-03-01", "school_visit", "MW", "final", []string{"education"}, "Talked about early marriage.")
	radio := mk("Radio talk", "2026-02-01", "media_engagement", "MW", "draft", []string{"online_safety"}, "Phone-in on online safety.")
	dialogue := mk("Dialogue in Huế", "2025-12-24", "community_dialogue", "VN", "final", []string{"violence", "education"}, "Cha mẹ và trường học.")
	training := mk("Training teachers", "2026-02-01", "training", "KE", "final", []string{"violence"}, "Positive discipline instead of caning.")
	old := mk("Old school survey", "2019-06-30", "other", "KE", "final", nil, "Marriage survey.")
	gone := mk("Deleted school visit", "2026-03-02", "school_visit", "MW", "final", nil, "")
	if err := s.DeleteActivity(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	ids := func(as ...model.Activity) []string {
		out := []string{}
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    ActivityFilter
		want []string
	}{
		{"all newest first", ActivityFilter{}, ids(school, training, radio, dialogue, old)},
		{"same start date: newest created first", ActivityFilter{From: "2026-02-01", To: "2026-02-01"}, ids(training, radio)},
		{"text word", ActivityFilter{Text: "school"}, ids(school, old)},
		{"text prefix", ActivityFilter{Text: "marr"}, ids(school, old)},
		{"text all words", ActivityFilter{Text: "school marriage"}, ids(school, old)},
		{"text two words one record", ActivityFilter{Text: "teachers caning"}, ids(training)},
		{"text case and diacritics", ActivityFilter{Text: "HUE"}, ids(dialogue)},
		{"text vietnamese", ActivityFilter{Text: "trường"}, ids(dialogue)},
		{"text in summary", ActivityFilter{Text: "phone"}, ids(radio)},
		{"text place", ActivityFilter{Text: "somewhere"}, ids(school, training, radio, dialogue, old)},
		{"text no match", ActivityFilter{Text: "zzzz"}, ids()},
		{"text punctuation only", ActivityFilter{Text: `"*():-`}, ids(school, training, radio, dialogue, old)},
		{"text fts syntax is literal", ActivityFilter{Text: `school OR NOT "radio" NEAR(a b)`}, ids()},
		{"kind", ActivityFilter{Kind: "training"}, ids(training)},
		{"theme", ActivityFilter{Theme: "education"}, ids(school, dialogue)},
		{"country", ActivityFilter{Country: "KE"}, ids(training, old)},
		{"status", ActivityFilter{Status: "draft"}, ids(radio)},
		{"org", ActivityFilter{OrgID: UnassignedOrg}, ids(school, training, radio, dialogue, old)},
		{"other org", ActivityFilter{OrgID: "someone-else"}, ids()},
		{"from", ActivityFilter{From: "2026-01-01"}, ids(school, training, radio)},
		{"to", ActivityFilter{To: "2025-12-31"}, ids(dialogue, old)},
		{"text and filter", ActivityFilter{Text: "school", Country: "KE"}, ids(old)},
		{"text and theme", ActivityFilter{Text: "positive", Theme: "violence"}, ids(training)},
		{"all filters", ActivityFilter{Text: "visit", Kind: "school_visit", Theme: "education", Country: "MW", Status: "final", From: "2026-01-01", To: "2026-12-31"}, ids(school)},
		{"include deleted", ActivityFilter{Text: "school", IncludeDeleted: true}, ids(gone, school, old)},
		{"first page", ActivityFilter{Limit: 2}, ids(school, training)},
		{"second page", ActivityFilter{Limit: 2, Offset: 2}, ids(radio, dialogue)},
		{"last page", ActivityFilter{Limit: 2, Offset: 4}, ids(old)},
		{"past the end", ActivityFilter{Limit: 2, Offset: 10}, ids()},
		{"text page", ActivityFilter{Text: "school", Limit: 1, Offset: 1}, ids(old)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Activities(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got...), tt.want) {
				t.Fatalf("Activities(%+v) = %v, want %v", tt.f, titles(got), tt.want)
			}
			for _, a := range got {
				if a.Title == "" || a.CreatedBy != s.DeviceID() {
					t.Fatalf("incomplete record %+v", a)
				}
			}
			unpaged := tt.f
			unpaged.Limit, unpaged.Offset = 0, 0
			all, _ := s.Activities(ctx, unpaged)
			n, err := s.CountActivities(ctx, tt.f)
			if err != nil || n != len(all) {
				t.Fatalf("CountActivities = %d, %v; want %d", n, err, len(all))
			}
			var walked []model.Activity
			if err := s.WalkActivities(ctx, tt.f, func(a model.Activity) error { walked = append(walked, a); return nil }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(walked...), ids(all...)) {
				t.Fatalf("WalkActivities = %v, want %v", titles(walked), titles(all))
			}
		})
	}
}

func titles(as []model.Activity) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Title
	}
	return out
}

// TestSearchCommonAndRareWords checks both query plans (few matches sorted,
// many matches probed in list order) against a plain filter in Go.
func TestSearchCommonAndRareWords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	r := rand.New(rand.NewPCG(7, 8))
	batch := make([]model.Activity, fewMatches*2+300)
	for i := range batch {
		batch[i] = fakeActivity(r)
		batch[i].Title = fmt.Sprintf("common item %d", i)
		if i%97 == 0 {
			batch[i].Title += " rareword"
		}
	}
	if err := s.CreateActivities(ctx, batch); err != nil {
		t.Fatal(err)
	}
	all, err := s.Activities(ctx, ActivityFilter{Limit: len(batch)})
	if err != nil || len(all) != len(batch) {
		t.Fatalf("listed %d, %v", len(all), err)
	}
	for _, tt := range []struct {
		word   string
		filter ActivityFilter
	}{
		{"common", ActivityFilter{Text: "common"}},
		{"common", ActivityFilter{Text: "common", Country: "MW"}},
		{"rareword", ActivityFilter{Text: "rareword"}},
		{"rareword", ActivityFilter{Text: "rareword", Theme: "education"}},
	} {
		for _, page := range []struct{ limit, offset int }{{50, 0}, {50, 30}, {100, len(batch) - 60}} {
			f := tt.filter
			f.Limit, f.Offset = page.limit, page.offset
			got, err := s.Activities(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, a := range all {
				if !slices.Contains(fieldsOf(a.Title), tt.word) {
					continue
				}
				if f.Country != "" && a.Country != f.Country || f.Theme != "" && !slices.Contains(a.Themes, f.Theme) {
					continue
				}
				want = append(want, a.ID)
			}
			want = want[min(f.Offset, len(want)):min(f.Offset+f.Limit, len(want))]
			gotIDs := []string{}
			for _, a := range got {
				gotIDs = append(gotIDs, a.ID)
			}
			if !slices.Equal(gotIDs, append([]string{}, want...)) {
				t.Fatalf("%+v: got %d ids, want %d (first %v vs %v)", f, len(gotIDs), len(want), gotIDs[:min(3, len(gotIDs))], want[:min(3, len(want))])
			}
		}
	}
}

func fieldsOf(s string) []string {
	var out []string
	word := ""
	for _, r := range s + " " {
		if r == ' ' {
			if word != "" {
				out = append(out, word)
			}
			word = ""
			continue
		}
		word += string(r)
	}
	return out
}

// FuzzSearchText checks that nothing a person types into the search box
// makes a search fail: every word is quoted for FTS5.
func FuzzSearchText(f *testing.F) {
	for _, seed := range []string{"school", `"quoted"`, "a*", "NEAR(a b)", "x OR y", "-x", "^start", "col:val",
		"( unbalanced", "ẞtraße", "ការ​ផ្សព្វផ្សាយ", "'", "\x00", "a\"b", "🙂", "AND", "NOT"} {
		f.Add(seed)
	}
	ctx := context.Background()
	s := openTest(f)
	if _, err := s.CreateActivity(ctx, sampleActivity()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := s.Activities(ctx, ActivityFilter{Text: text}); err != nil {
			t.Fatalf("Activities(%q): %v", text, err)
		}
		if _, err := s.CountActivities(ctx, ActivityFilter{Text: text}); err != nil {
			t.Fatalf("CountActivities(%q): %v", text, err)
		}
		if _, err := s.Resources(ctx, ResourceFilter{Text: text}); err != nil {
			t.Fatalf("Resources(%q): %v", text, err)
		}
	})
}
