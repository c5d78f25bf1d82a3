package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"

	"github.com/a20-network/fieldbook/internal/sqlwhere"
	"github.com/a20-network/fieldbook/model"
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

// fewMatches is the largest full-text match count for which the matches are
// read first and sorted; above it the list index is walked in order and
// each row is probed against the matches. See [ActivityFilter.where].
const fewMatches = 2000

// where returns the FROM and WHERE of a search. few says the full-text
// query has at most fewMatches matches.
func (f ActivityFilter) where(few bool) (from string, w sqlwhere.Where) {
	from = "activities a"
	if !f.IncludeDeleted {
		w.Add("a.deleted = 0")
	}
	if q := ftsQuery(f.Text); q != "" {
		if few {
			// A rare word: read its few rows and sort them.
			w.Add("a.rowid IN (SELECT rowid FROM activities_fts WHERE activities_fts MATCH ?)", q)
		} else {
			// A common word matches much of the table, and sorting all of
			// that for one page is slow: walk an index in list order and
			// probe each row against the matches instead. The unary + keeps
			// the planner from driving the query by the unordered matches.
			w.Add("+a.rowid IN (SELECT rowid FROM activities_fts WHERE activities_fts MATCH ?)", q)
		}
	}
	w.Equal("a.kind", f.Kind)
	w.Equal("a.country", f.Country)
	w.Equal("a.status", f.Status)
	w.Equal("a.org_id", f.OrgID)
	w.HasTheme("a", f.Theme)
	w.StartsBetween("a", f.From, f.To)
	return from, w
}

// Activities returns activities matching f, newest start date first, then
// newest created. It returns an empty slice, not an error, when none match.
//
// The page is found in two steps: first the rowids of the page, which SQLite
// reads from an index in list order without touching the table for the rows
// it skips, then those rows whole.
func (s *Store) Activities(ctx context.Context, f ActivityFilter) ([]model.Activity, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	// Both steps in one read transaction, so that a write between them
	// cannot change the page.
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: search activities: %w", err)
	}
	defer tx.Rollback()
	few := true
	if q := ftsQuery(f.Text); q != "" {
		// Matching the words exactly is cheaper than as prefixes (no merging
		// of every term that starts alike) and never matches more, so when
		// the exact words are already common, so are the prefixes.
		for _, q := range []string{strings.ReplaceAll(q, `"*`, `"`), q} {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM activities_fts WHERE activities_fts MATCH ? LIMIT ?)", q, fewMatches+1).Scan(&n); err != nil {
				return nil, fmt.Errorf("store: search activities: %w", err)
			}
			if few = n <= fewMatches; !few {
				break
			}
		}
	}
	from, where := f.where(few)
	args := append(where.Args(), limit, f.Offset)
	rows, err := tx.QueryContext(ctx, "SELECT a.rowid FROM "+from+" WHERE "+where.SQL()+
		" ORDER BY a.start_date DESC, a.id DESC LIMIT ? OFFSET ?", args...)
	if err != nil {
		return nil, fmt.Errorf("store: search activities: %w", err)
	}
	var page []any
	pos := map[int64]int{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: search activities: %w", err)
		}
		pos[id] = len(page)
		page = append(page, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search activities: %w", err)
	}
	out := make([]model.Activity, len(page))
	if len(page) == 0 {
		return out, nil
	}
	// In chunks, to stay far below SQLite's limit on bound parameters.
	for len(page) > 0 {
		chunk := page[:min(len(page), 500)]
		page = page[len(chunk):]
		if err := fetchActivities(ctx, tx, chunk, pos, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fetchActivities reads the activities with the given rowids into out, at
// the positions pos gives.
func fetchActivities(ctx context.Context, tx *sql.Tx, rowids []any, pos map[int64]int, out []model.Activity) error {
	rows, err := tx.QueryContext(ctx, "SELECT a.rowid, "+prefixed("a", activitySpec)+" FROM activities a WHERE a.rowid IN ("+
		strings.TrimSuffix(strings.Repeat("?, ", len(rowids)), ", ")+")", rowids...)
	if err != nil {
		return fmt.Errorf("store: search activities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rowid int64
		r, err := activitySpec.scan(rows, &rowid)
		if err != nil {
			return fmt.Errorf("store: search activities: %w", err)
		}
		out[pos[rowid]] = activityFromRow(r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: search activities: %w", err)
	}
	return nil
}

// CountActivities returns how many activities match f, ignoring its paging.
func (s *Store) CountActivities(ctx context.Context, f ActivityFilter) (int, error) {
	from, where := f.where(true)
	var n int
	if err := s.reader.QueryRowContext(ctx, "SELECT count(*) FROM "+from+" WHERE "+where.SQL(), where.Args()...).Scan(&n); err != nil {
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

// WalkActivities calls fn for every activity matching f (ignoring its
// Limit and Offset), in list order, from one consistent snapshot of the
// database. It stops at and returns the first error fn returns. Writes may
// go on meanwhile (fn may write too); the walk does not see them.
func (s *Store) WalkActivities(ctx context.Context, f ActivityFilter, fn func(model.Activity) error) error {
	from, where := f.where(true)
	rows, err := s.reader.QueryContext(ctx, "SELECT "+prefixed("a", activitySpec)+" FROM "+from+" WHERE "+where.SQL()+
		" ORDER BY a.start_date DESC, a.id DESC", where.Args()...)
	if err != nil {
		return fmt.Errorf("store: walk activities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := activitySpec.scan(rows)
		if err != nil {
			return fmt.Errorf("store: walk activities: %w", err)
		}
		if err := fn(activityFromRow(r)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: walk activities: %w", err)
	}
	return nil
}
