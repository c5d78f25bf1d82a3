package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/a20-network/fieldbook/export"
	"github.com/a20-network/fieldbook/report"
)

// orgRow is one organization's figures for a period.
type orgRow struct {
	ID, Name, Country    string
	Activities, Children int
}

const childrenSum = `(a.girls_0_5 + a.girls_6_11 + a.girls_12_17 + a.boys_0_5 + a.boys_6_11 + a.boys_12_17 +
	a.unrecorded_0_5 + a.unrecorded_6_11 + a.unrecorded_12_17)`

// dateWhere returns the live-record and date conditions of f.
func dateWhere(f report.Filter) (string, []any) {
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
	return strings.Join(where, " AND "), args
}

// byOrganization returns every organization's figures for f's dates, the
// busiest first, from rep (the network report for f). Organizations of the
// directory without activities are listed with zeros; activities of an
// organization missing from the directory are listed under its id.
func (h *Handler) byOrganization(ctx context.Context, rep report.Report) ([]orgRow, error) {
	rows, err := h.db.QueryContext(ctx, "SELECT id, name, country FROM organizations WHERE deleted = 0")
	if err != nil {
		return nil, fmt.Errorf("dashboard: list organizations: %w", err)
	}
	defer rows.Close()
	dir := map[string]orgRow{}
	for rows.Next() {
		var o orgRow
		if err := rows.Scan(&o.ID, &o.Name, &o.Country); err != nil {
			return nil, fmt.Errorf("dashboard: list organizations: %w", err)
		}
		dir[o.ID] = o
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard: list organizations: %w", err)
	}
	out := make([]orgRow, 0, len(dir)+len(rep.ByOrg))
	for _, b := range rep.ByOrg {
		o, ok := dir[b.Key]
		if !ok {
			o = orgRow{ID: b.Key, Name: b.Key}
		}
		delete(dir, b.Key)
		o.Activities, o.Children = b.Activities, b.Children
		out = append(out, o)
	}
	rest := make([]orgRow, 0, len(dir))
	for _, o := range dir {
		rest = append(rest, o)
	}
	sort.Slice(rest, func(i, j int) bool {
		if a, b := strings.ToLower(rest[i].Name), strings.ToLower(rest[j].Name); a != b {
			return a < b
		}
		return rest[i].ID < rest[j].ID
	})
	return append(out, rest...), nil
}

// activityList returns activities in f's dates, newest first, with their
// text. onlyOrg set lists that organization's activities, private ones
// included; empty lists the records shared with the network and nothing
// else — the only way any record's text reaches the dashboard. limit <= 0
// means all.
func (h *Handler) activityList(ctx context.Context, f report.Filter, onlyOrg string, limit int) ([]export.ActivityRow, error) {
	where, args := dateWhere(f)
	if onlyOrg != "" {
		where += " AND a.org_id = ?"
		args = append(args, onlyOrg)
	} else {
		where += " AND a.visibility = 'network'"
	}
	q := `SELECT a.start_date, a.title, coalesce(o.name, a.org_id), a.country, a.kind, a.place, a.status, a.summary, a.themes,
		` + childrenSum + `, a.adults
		FROM activities a LEFT JOIN organizations o ON o.id = a.org_id
		WHERE ` + where + ` ORDER BY a.start_date DESC, a.id DESC`
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := h.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard: list activities: %w", err)
	}
	defer rows.Close()
	out := []export.ActivityRow{}
	for rows.Next() {
		var r export.ActivityRow
		var themes string
		if err := rows.Scan(&r.Date, &r.Title, &r.Organization, &r.Country, &r.Kind, &r.Place, &r.Status, &r.Summary, &themes, &r.Children, &r.Adults); err != nil {
			return nil, fmt.Errorf("dashboard: list activities: %w", err)
		}
		// A malformed theme list shows no themes rather than failing the page.
		_ = json.Unmarshal([]byte(themes), &r.Themes)
		out = append(out, r)
	}
	return out, rows.Err()
}

// orgName returns the directory name of org, or its id.
func (h *Handler) orgName(ctx context.Context, org string) string {
	var name string
	if err := h.db.QueryRowContext(ctx, "SELECT name FROM organizations WHERE id = ? AND deleted = 0", org).Scan(&name); err != nil {
		return org
	}
	return name
}
