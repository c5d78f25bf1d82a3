package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// ActivityFilter selects activities for [Store.Activities]. Empty fields do
// not filter.
type ActivityFilter struct {
	// Text is a full-text query over title, summary, place and partners.
	// Words are matched as prefixes; all words must match.
	Text    string
	Kind    string
	Theme   string
	Country string
	Status  string
	OrgID   string
	// From and To bound the start date, inclusive (YYYY-MM-DD).
	From, To string
	// IncludeDeleted also returns tombstoned records.
	IncludeDeleted bool
	// Limit caps the page (0 means 100); Offset skips rows.
	Limit, Offset int
}

func (f ActivityFilter) where() (from string, where []string, args []any) {
	from = "activities a"
	if !f.IncludeDeleted {
		where = append(where, "a.deleted = 0")
	}
	if q := ftsQuery(f.Text); q != "" {
		from = "activities a JOIN activities_fts ON activities_fts.rowid = a.rowid"
		where = append(where, "activities_fts MATCH ?")
		args = append(args, q)
	}
	for _, c := range []struct{ col, v string }{{"a.kind", f.Kind}, {"a.country", f.Country}, {"a.status", f.Status}, {"a.org_id", f.OrgID}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if f.Theme != "" {
		where = append(where, "EXISTS (SELECT 1 FROM json_each(a.themes) WHERE value = ?)")
		args = append(args, f.Theme)
	}
	if f.From != "" {
		where = append(where, "a.start_date >= ?")
		args = append(args, f.From)
	}
	if f.To != "" {
		where = append(where, "a.start_date <= ?")
		args = append(args, f.To)
	}
	return from, where, args
}

// Activities returns activities matching f, newest start date first, then
// newest created. It returns an empty slice, not an error, when none match.
func (s *Store) Activities(ctx context.Context, f ActivityFilter) ([]Activity, error) {
	from, where, args := f.where()
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit, f.Offset)
	rows, err := s.reader.QueryContext(ctx, "SELECT "+prefixed("a", activitySpec)+" FROM "+from+" WHERE "+joinAnd(where)+
		" ORDER BY a.start_date DESC, a.created_at DESC, a.id DESC LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, fmt.Errorf("store: search activities: %w", err)
	}
	defer rows.Close()
	out := []Activity{}
	for rows.Next() {
		r, err := activitySpec.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: search activities: %w", err)
		}
		out = append(out, activityFromRow(r))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search activities: %w", err)
	}
	return out, nil
}

// CountActivities returns how many activities match f, ignoring its paging.
func (s *Store) CountActivities(ctx context.Context, f ActivityFilter) (int, error) {
	from, where, args := f.where()
	var n int
	if err := s.reader.QueryRowContext(ctx, "SELECT count(*) FROM "+from+" WHERE "+joinAnd(where), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count activities: %w", err)
	}
	return n, nil
}

// ftsQuery turns what a person typed into a safe FTS5 query: each word
// becomes a quoted prefix term, so punctuation and FTS5 syntax in the input
// can never make the query fail.
func ftsQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Mc, r)
	})
	terms := make([]string, 0, len(words))
	for _, w := range words {
		terms = append(terms, `"`+w+`"*`)
	}
	return strings.Join(terms, " ")
}

func prefixed(alias string, sp *entitySpec) string {
	cols := strings.Split(sp.columns(), ", ")
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

func joinAnd(where []string) string {
	if len(where) == 0 {
		return "1"
	}
	return strings.Join(where, " AND ")
}
