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
	"sort"
	"strings"
	"time"

	"github.com/a20-network/fieldbook/internal/codes"
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
	// ByOrg has one bucket per organization, keyed by its id.
	ByOrg []Bucket
	// BySexAge[sex][band] counts children, indexed like [codes.Sexes] and
	// [codes.AgeBands].
	BySexAge [3][3]int
}

const childrenExpr = `(a.girls_0_5 + a.girls_6_11 + a.girls_12_17 + a.boys_0_5 + a.boys_6_11 + a.boys_12_17 +
	a.unrecorded_0_5 + a.unrecorded_6_11 + a.unrecorded_12_17)`

// part is one slice of a period read from one source: the activities table
// (From and To are days) or the rollup (months such as "2026-03"). indexed
// says the report index exists: SQLite's planner tends to prefer the older,
// narrower date index and then reads every row from the table.
type part struct {
	rollup, indexed bool
	from, to        string
}

func (p part) where(f Filter) (string, []any) {
	var where []string
	var args []any
	col := "a.start_date"
	if p.rollup {
		col = "a.month"
	} else {
		where = append(where, "a.deleted = 0")
	}
	if p.from != "" {
		where = append(where, col+" >= ?")
		args = append(args, p.from)
	}
	if p.to != "" {
		where = append(where, col+" <= ?")
		args = append(args, p.to)
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
	if len(where) == 0 {
		return "1 = 1", args
	}
	return strings.Join(where, " AND "), args
}

// parts splits f's period for reading: whole months from the rollup when
// there is one, the days of a partial first or last month from the
// activities table. Without a rollup, for a filter on visibility or status
// (which the rollup does not keep), or for dates that do not parse, the
// whole period comes from the activities table.
func parts(f Filter, rollup bool) []part {
	all := []part{{from: f.From, to: f.To, indexed: rollup}}
	if !rollup || f.Visibility != "" || f.FinalOnly {
		return all
	}
	var from, to time.Time
	var err error
	if f.From != "" {
		if from, err = time.Parse(DateLayout, f.From); err != nil {
			return all
		}
	}
	if f.To != "" {
		if to, err = time.Parse(DateLayout, f.To); err != nil {
			return all
		}
	}
	if f.From != "" && f.To != "" && to.Before(from) {
		return all
	}
	var out []part
	// firstMonth and lastMonth bound the whole months inside the period.
	firstMonth, lastMonth := "", ""
	if f.From != "" {
		if from.Day() == 1 {
			firstMonth = from.Format("2006-01")
		} else {
			next := time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			end := next.AddDate(0, 0, -1)
			if f.To != "" && to.Before(end) {
				end = to
			}
			out = append(out, part{indexed: true, from: f.From, to: end.Format(DateLayout)})
			if f.To != "" && !to.After(end) {
				return out
			}
			firstMonth = next.Format("2006-01")
		}
	}
	if f.To != "" {
		if to.AddDate(0, 0, 1).Day() == 1 {
			lastMonth = to.Format("2006-01")
		} else {
			start := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
			out = append(out, part{indexed: true, from: start.Format(DateLayout), to: f.To})
			lastMonth = start.AddDate(0, -1, 0).Format("2006-01")
		}
	}
	if firstMonth == "" || lastMonth == "" || firstMonth <= lastMonth {
		out = append(out, part{rollup: true, from: firstMonth, to: lastMonth})
	}
	return out
}

// Compute runs every breakdown for f against q. Buckets come in a stable
// order: months ascending, the others by activities descending then key.
// When q's database has [RollupTable], whole months are read from it; the
// figures are the same either way. q may be SQLite or a hub's PostgreSQL
// database (whose pool rewrites ? placeholders, as pgdb.OpenPortable's
// does).
func Compute(ctx context.Context, q Querier, f Filter) (Report, error) {
	rollup, hints, err := lookForRollup(ctx, q)
	if err != nil {
		return Report{Filter: f}, err
	}
	return compute(ctx, q, f, rollup, hints)
}

// ComputeDirect is [Compute] reading the activities table only, never the
// rollup. Tests use it to check that the rollup gives the same figures.
func ComputeDirect(ctx context.Context, q Querier, f Filter) (Report, error) {
	return compute(ctx, q, f, false, false)
}

// compute reads f's report, from the rollup when rollup is set; hints
// says the database takes SQLite's index hints.
func compute(ctx context.Context, q Querier, f Filter, rollup, hints bool) (Report, error) {
	r := Report{Filter: f}
	sums := map[string]map[string]*Bucket{"month": {}, "org": {}, "kind": {}, "country": {}, "theme": {}}
	for _, p := range parts(f, rollup) {
		p.indexed = p.indexed && hints
		if err := computePart(ctx, q, f, p, &r, sums); err != nil {
			return Report{Filter: f}, err
		}
	}
	r.ByMonth = sorted(sums["month"], true)
	r.ByKind = sorted(sums["kind"], false)
	r.ByCountry = sorted(sums["country"], false)
	r.ByTheme = sorted(sums["theme"], false)
	r.ByOrg = sorted(sums["org"], false)
	return r, nil
}

// sorted returns the buckets by key (byKey) or by activities descending then
// key: the order the SQL used to give, since SQLite compares text bytewise as
// Go does.
func sorted(m map[string]*Bucket, byKey bool) []Bucket {
	out := make([]Bucket, 0, len(m))
	for _, b := range m {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool {
		if !byKey && out[i].Activities != out[j].Activities {
			return out[i].Activities > out[j].Activities
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func computePart(ctx context.Context, q Querier, f Filter, p part, r *Report, sums map[string]map[string]*Bucket) error {
	where, args := p.where(f)
	count, from, dim := "count(*)", "activities a", func(string) string { return "" }
	if p.indexed {
		from = "activities a INDEXED BY " + IndexName
	}
	if p.rollup {
		count, from = "coalesce(sum(a.n), 0)", RollupTable+" a"
		dim = func(d string) string { return " AND a.dim = '" + d + "'" }
	}
	totals := `SELECT ` + count + `, coalesce(sum(` + childrenExpr + `), 0), coalesce(sum(a.adults), 0),
		coalesce(sum(a.girls_0_5), 0), coalesce(sum(a.girls_6_11), 0), coalesce(sum(a.girls_12_17), 0),
		coalesce(sum(a.boys_0_5), 0), coalesce(sum(a.boys_6_11), 0), coalesce(sum(a.boys_12_17), 0),
		coalesce(sum(a.unrecorded_0_5), 0), coalesce(sum(a.unrecorded_6_11), 0), coalesce(sum(a.unrecorded_12_17), 0)
		FROM ` + from + ` WHERE ` + where + dim("total")
	rows, err := q.QueryContext(ctx, totals, args...)
	if err != nil {
		return fmt.Errorf("report: totals: %w", err)
	}
	for rows.Next() {
		var n, kids, adults int
		var m [3][3]int
		if err := rows.Scan(&n, &kids, &adults, &m[0][0], &m[0][1], &m[0][2], &m[1][0], &m[1][1], &m[1][2], &m[2][0], &m[2][1], &m[2][2]); err != nil {
			rows.Close()
			return fmt.Errorf("report: totals: %w", err)
		}
		r.Activities += n
		r.Children += kids
		r.Adults += adults
		for i := range m {
			for j := range m[i] {
				r.BySexAge[i][j] += m[i][j]
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: totals: %w", err)
	}
	type breakdown struct{ name, key, from, cond string }
	bds := []breakdown{
		{"month", "substr(a.start_date, 1, 7)", from, ""},
		{"org", "a.org_id", from, ""},
		{"kind", "a.kind", from, ""},
		{"country", "a.country", from, ""},
		{"theme", "t.value", from + ", json_each(a.themes) t", ""},
	}
	if p.rollup {
		bds = []breakdown{
			{"month", "a.month", from, dim("total")},
			{"org", "a.org_id", from, dim("total")},
			{"kind", "a.key", from, dim("kind")},
			{"country", "a.key", from, dim("country")},
			{"theme", "a.key", from, dim("theme")},
		}
	}
	for _, b := range bds {
		qtext := `SELECT ` + b.key + `, ` + count + `, coalesce(sum(` + childrenExpr + `), 0), coalesce(sum(a.adults), 0) FROM ` + b.from +
			` WHERE ` + where + b.cond + ` GROUP BY 1`
		bs, err := scanBuckets(ctx, q, qtext, args)
		if err != nil {
			return fmt.Errorf("report: by %s: %w", b.name, err)
		}
		dst := sums[b.name]
		for _, x := range bs {
			if have, ok := dst[x.Key]; ok {
				have.Activities += x.Activities
				have.Children += x.Children
				have.Adults += x.Adults
			} else {
				x := x
				dst[x.Key] = &x
			}
		}
	}
	return nil
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
