// Package report computes what the activity data adds up to: activities and
// children reached by month, theme, kind and country, and children by sex and
// age band. The same queries run on the device database and on the hub, over
// any database with an "activities" table of the store's shape, so the two
// always agree.
package report

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/a20-network/fieldbook/codes"
)

// Querier is what *sql.DB, *sql.Conn and *sql.Tx offer.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Filter selects the activities a report covers. Empty fields do not filter.
type Filter struct {
	// From and To bound the start date, inclusive (YYYY-MM-DD).
	From, To string
	// OrgIDs restricts to these organizations.
	OrgIDs []string
	// Visibility restricts to "org" or "network" records.
	Visibility string
	// FinalOnly leaves out drafts.
	FinalOnly bool
}

// Bucket is one row of a breakdown.
type Bucket struct {
	Key        string // a month "2026-03", a theme, kind or country code
	Activities int
	Children   int
	Adults     int
}

// Report is the full set of breakdowns for a period.
type Report struct {
	Filter     Filter
	Activities int
	Children   int
	Adults     int
	ByMonth    []Bucket
	ByTheme    []Bucket
	ByKind     []Bucket
	ByCountry  []Bucket
	// BySexAge[sex][band] counts children, indexed like [codes.Sexes] and
	// [codes.AgeBands].
	BySexAge [3][3]int
}

const childrenExpr = `(a.girls_0_5 + a.girls_6_11 + a.girls_12_17 + a.boys_0_5 + a.boys_6_11 + a.boys_12_17 +
	a.unrecorded_0_5 + a.unrecorded_6_11 + a.unrecorded_12_17)`

func (f Filter) where() (string, []any) {
	where := []string{"a.deleted = 0"}
	var args []any
	if f.From != "" {
		where = append(where, "a.start_date >= ?")
		args = append(args, f.From)
	}
	if f.To != "" {
		where = append(where, "a.start_date <= ?")
		args = append(args, f.To)
	}
	if len(f.OrgIDs) > 0 {
		where = append(where, "a.org_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.OrgIDs)), ",")+")")
		for _, o := range f.OrgIDs {
			args = append(args, o)
		}
	}
	if f.Visibility != "" {
		where = append(where, "a.visibility = ?")
		args = append(args, f.Visibility)
	}
	if f.FinalOnly {
		where = append(where, "a.status = 'final'")
	}
	return strings.Join(where, " AND "), args
}

// Compute runs every breakdown for f against q. Buckets come in a stable
// order: months ascending, the others by activities descending then key.
func Compute(ctx context.Context, q Querier, f Filter) (Report, error) {
	r := Report{Filter: f}
	where, args := f.where()
	totals := `SELECT count(*), coalesce(sum(` + childrenExpr + `), 0), coalesce(sum(a.adults), 0),
		coalesce(sum(a.girls_0_5), 0), coalesce(sum(a.girls_6_11), 0), coalesce(sum(a.girls_12_17), 0),
		coalesce(sum(a.boys_0_5), 0), coalesce(sum(a.boys_6_11), 0), coalesce(sum(a.boys_12_17), 0),
		coalesce(sum(a.unrecorded_0_5), 0), coalesce(sum(a.unrecorded_6_11), 0), coalesce(sum(a.unrecorded_12_17), 0)
		FROM activities a WHERE ` + where
	rows, err := q.QueryContext(ctx, totals, args...)
	if err != nil {
		return r, fmt.Errorf("report: totals: %w", err)
	}
	for rows.Next() {
		m := &r.BySexAge
		if err := rows.Scan(&r.Activities, &r.Children, &r.Adults, &m[0][0], &m[0][1], &m[0][2], &m[1][0], &m[1][1], &m[1][2], &m[2][0], &m[2][1], &m[2][2]); err != nil {
			rows.Close()
			return r, fmt.Errorf("report: totals: %w", err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("report: totals: %w", err)
	}
	breakdowns := []struct {
		name  string
		key   string
		from  string
		order string
		dst   *[]Bucket
	}{
		{"month", "substr(a.start_date, 1, 7)", "activities a", "1", &r.ByMonth},
		{"kind", "a.kind", "activities a", "2 DESC, 1", &r.ByKind},
		{"country", "a.country", "activities a", "2 DESC, 1", &r.ByCountry},
		{"theme", "t.value", "activities a, json_each(a.themes) t", "2 DESC, 1", &r.ByTheme},
	}
	for _, b := range breakdowns {
		qtext := `SELECT ` + b.key + `, count(*), coalesce(sum(` + childrenExpr + `), 0), coalesce(sum(a.adults), 0) FROM ` + b.from +
			` WHERE ` + where + ` GROUP BY 1 ORDER BY ` + b.order
		bs, err := scanBuckets(ctx, q, qtext, args)
		if err != nil {
			return r, fmt.Errorf("report: by %s: %w", b.name, err)
		}
		*b.dst = bs
	}
	return r, nil
}

func scanBuckets(ctx context.Context, q Querier, text string, args []any) ([]Bucket, error) {
	rows, err := q.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Bucket{}
	for rows.Next() {
		var b Bucket
		if err := rows.Scan(&b.Key, &b.Activities, &b.Children, &b.Adults); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// SexAgeCell returns the children counted for sex and band codes, or 0 for
// unknown codes.
func (r Report) SexAgeCell(sex, band string) int {
	si, bi := indexOf(codes.Sexes.Codes, sex), indexOf(codes.AgeBands.Codes, band)
	if si < 0 || bi < 0 {
		return 0
	}
	return r.BySexAge[si][bi]
}

func indexOf(l []string, v string) int {
	for i, x := range l {
		if x == v {
			return i
		}
	}
	return -1
}
