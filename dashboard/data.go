package dashboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/a20-network/fieldbook/internal/export"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/internal/sqlwhere"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// orgRow is one organization's figures for a period.
type orgRow struct {
	ID, Name, Country    string
	Activities, Children int
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

// activity is one listed activity with what the dashboard needs beyond
// the export's columns: its id for the link to its page, its owner and
// visibility for the check on that page, and its files (without
// thumbnails; the export's Files are their names).
type activity struct {
	ID, OrgID, Visibility string
	export.ActivityRow
	Attached []protocol.FileRef
}

// listWhere returns the conditions of an activity list: f's dates and,
// with onlyOrg set, that organization's activities, private ones
// included; with it empty, the records shared with the network and
// nothing else — the only way a list shows any record's text.
func listWhere(f report.Filter, onlyOrg string) sqlwhere.Where {
	var w sqlwhere.Where
	w.Add("a.deleted = 0")
	w.StartsBetween("a", f.From, f.To)
	if onlyOrg != "" {
		w.Add("a.org_id = ?", onlyOrg)
	} else {
		w.Add("a.visibility = 'network'")
	}
	return w
}

// activitySelect reads the columns [scanActivity] expects.
func (h *Handler) activitySelect() string {
	return `SELECT a.id, a.org_id, a.visibility, a.start_date, a.title, coalesce(o.name, a.org_id), a.country, a.kind, a.place,
		a.status, a.summary, a.themes, ` + report.ChildrenSQL + `, a.adults, ` + refsSQL("a.files") + `
		FROM activities a LEFT JOIN organizations o ON o.id = a.org_id `
}

func scanActivity(rows interface{ Scan(...any) error }) (activity, error) {
	var a activity
	var themes, files string
	err := rows.Scan(&a.ID, &a.OrgID, &a.Visibility, &a.Date, &a.Title, &a.Organization, &a.Country, &a.Kind, &a.Place,
		&a.Status, &a.Summary, &themes, &a.Children, &a.Adults, &files)
	// A malformed theme list shows no themes rather than failing the page.
	_ = json.Unmarshal([]byte(themes), &a.Themes)
	a.Attached = parseRefs(files)
	a.Files = export.FileNames(a.Attached)
	return a, err
}

// activityList returns activities in f's dates (see [listWhere]), newest
// first, skipping offset and at most limit of them; limit <= 0 means all.
func (h *Handler) activityList(ctx context.Context, f report.Filter, onlyOrg string, offset, limit int) ([]activity, error) {
	where := listWhere(f, onlyOrg)
	args := where.Args()
	q := h.activitySelect() + "WHERE " + where.SQL() + " ORDER BY a.start_date DESC, a.id DESC"
	if limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, limit, offset)
	}
	rows, err := h.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard: list activities: %w", err)
	}
	defer rows.Close()
	out := []activity{}
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			return nil, fmt.Errorf("dashboard: list activities: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard: list activities: %w", err)
	}
	return out, nil
}

// exportRows returns the export's rows of as.
func exportRows(as []activity) []export.ActivityRow {
	out := make([]export.ActivityRow, len(as))
	for i, a := range as {
		out[i] = a.ActivityRow
	}
	return out
}

// activityCount counts the activities [activityList] would list.
func (h *Handler) activityCount(ctx context.Context, f report.Filter, onlyOrg string) (int, error) {
	where := listWhere(f, onlyOrg)
	var n int
	if err := h.db.QueryRowContext(ctx, "SELECT count(*) FROM activities a WHERE "+where.SQL(), where.Args()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("dashboard: count activities: %w", err)
	}
	return n, nil
}

// activityByID returns the live activity id, or ok=false when there is
// none. It checks no visibility: the caller does.
func (h *Handler) activityByID(ctx context.Context, id string) (activity, bool, error) {
	return byID(ctx, h.db, "activity", h.activitySelect()+"WHERE a.id = ? AND a.deleted = 0", id, scanActivity)
}

// byID scans the one row query q (which takes id) finds, or returns
// ok=false when it finds none; what names the record in an error.
func byID[T any](ctx context.Context, db *sql.DB, what, q, id string, scan func(interface{ Scan(...any) error }) (T, error)) (T, bool, error) {
	v, err := scan(db.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, false, nil
	}
	if err != nil {
		var zero T
		return zero, false, fmt.Errorf("dashboard: %s %s: %w", what, id, err)
	}
	return v, true, nil
}

// orgName returns the directory name of org, or its id.
func (h *Handler) orgName(ctx context.Context, org string) string {
	var name string
	if err := h.db.QueryRowContext(ctx, "SELECT name FROM organizations WHERE id = ? AND deleted = 0", org).Scan(&name); err != nil {
		return org
	}
	return name
}
