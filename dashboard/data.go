package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
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
// busiest first. Organizations without activities are listed with zeros.
func (h *Handler) byOrganization(ctx context.Context, f report.Filter) ([]orgRow, error) {
	where, args := dateWhere(f)
	rows, err := h.db.QueryContext(ctx, `WITH counts AS (
			SELECT a.org_id AS org_id, count(*) AS n, coalesce(sum(`+childrenSum+`), 0) AS kids
			FROM activities a WHERE `+where+` GROUP BY a.org_id)
		SELECT o.id, o.name, o.country, coalesce(c.n, 0), coalesce(c.kids, 0)
		FROM organizations o LEFT JOIN counts c ON c.org_id = o.id WHERE o.deleted = 0
		UNION ALL
		SELECT c.org_id, c.org_id, '', c.n, c.kids FROM counts c
		WHERE NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = c.org_id AND o.deleted = 0)
		ORDER BY 4 DESC, 2 COLLATE NOCASE`, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard: figures by organization: %w", err)
	}
	defer rows.Close()
	out := []orgRow{}
	for rows.Next() {
		var r orgRow
		if err := rows.Scan(&r.ID, &r.Name, &r.Country, &r.Activities, &r.Children); err != nil {
			return nil, fmt.Errorf("dashboard: figures by organization: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
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
