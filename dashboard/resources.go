package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/a20-network/fieldbook/internal/export"
	"github.com/a20-network/fieldbook/internal/hlc"
	"github.com/a20-network/fieldbook/internal/sqlwhere"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// listCountries is how many of a resource's countries a list names.
const listCountries = 5

// resource is one resource as the dashboard reads it.
type resource struct {
	ID, OrgID, Visibility, Organization string
	Kind, Title, Body, Language, Link   string
	Countries, Themes                   []string
	// Updated is the date of its last change, YYYY-MM-DD.
	Updated string
	// Files are its attached files, without thumbnails.
	Files []protocol.FileRef
}

// hubResources are the hub's resources as a table expression in the
// columns of the device's resources table; updated_at is the clock of the
// record's last change.
const hubResources = `(SELECT id, org_id, visibility, deleted, hlc AS updated_at,
	coalesce(json_extract(body, '$.kind'), '') AS kind, coalesce(json_extract(body, '$.title'), '') AS title,
	coalesce(json_extract(body, '$.body'), '') AS body, coalesce(json_extract(body, '$.language'), '') AS language,
	coalesce(json_extract(body, '$.countries'), '[]') AS countries, coalesce(json_extract(body, '$.themes'), '[]') AS themes,
	coalesce(json_extract(body, '$.link'), '') AS link, coalesce(json_extract(body, '$.files'), '[]') AS files
	FROM records WHERE entity = 'resource')`

// resourceWhere returns the conditions of the resources u may read: those
// shared with the network and, for an orgadmin, its own organization's
// private ones too (see [mayRead]).
func resourceWhere(u User) sqlwhere.Where {
	var w sqlwhere.Where
	w.Add("r.deleted = 0")
	if org := ownOrg(u); org != "" {
		w.Add("(r.visibility = 'network' OR r.org_id = ?)", org)
	} else {
		w.Add("r.visibility = 'network'")
	}
	return w
}

// resourceSelect reads the columns [scanResource] expects.
func (h *Handler) resourceSelect() string {
	return `SELECT r.id, r.org_id, r.visibility, coalesce(o.name, r.org_id), r.kind, r.title, r.body, r.language, r.link,
		r.countries, r.themes, r.updated_at, ` + refsSQL("r.files") + `
		FROM ` + hubResources + ` r LEFT JOIN organizations o ON o.id = r.org_id `
}

func scanResource(row interface{ Scan(...any) error }) (resource, error) {
	var r resource
	var countries, themes, updated, files string
	err := row.Scan(&r.ID, &r.OrgID, &r.Visibility, &r.Organization, &r.Kind, &r.Title, &r.Body, &r.Language, &r.Link,
		&countries, &themes, &updated, &files)
	// A malformed list shows nothing rather than failing the page.
	_ = json.Unmarshal([]byte(countries), &r.Countries)
	_ = json.Unmarshal([]byte(themes), &r.Themes)
	if ts, perr := hlc.Parse(updated); perr == nil {
		r.Updated = ts.Time().Format("2006-01-02")
	}
	r.Files = parseRefs(files)
	return r, err
}

// resourceCount counts the resources u may read.
func (h *Handler) resourceCount(ctx context.Context, u User) (int, error) {
	where := resourceWhere(u)
	var n int
	if err := h.db.QueryRowContext(ctx, "SELECT count(*) FROM "+hubResources+" r WHERE "+where.SQL(), where.Args()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("dashboard: count resources: %w", err)
	}
	return n, nil
}

// resourcePage returns the resources u may read, the last changed first,
// skipping offset and at most limit of them. The page's ids are chosen
// first, from plain columns, so that only its rows have their text and
// files read (sorting every resource with its files took a second for
// 2,000 resources).
func (h *Handler) resourcePage(ctx context.Context, u User, offset, limit int) ([]resource, error) {
	where := resourceWhere(u)
	const order = " ORDER BY r.updated_at DESC, r.id DESC"
	rows, err := h.db.QueryContext(ctx, h.resourceSelect()+"WHERE r.id IN (SELECT r.id FROM "+hubResources+" r WHERE "+where.SQL()+
		order+" LIMIT ? OFFSET ?)"+order, append(where.Args(), limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("dashboard: list resources: %w", err)
	}
	defer rows.Close()
	var out []resource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, fmt.Errorf("dashboard: list resources: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard: list resources: %w", err)
	}
	return out, nil
}

// resourceByID returns the live resource id, or ok=false when there is
// none. It checks no visibility: the caller does.
func (h *Handler) resourceByID(ctx context.Context, id string) (resource, bool, error) {
	return byID(ctx, h.db, "resource", h.resourceSelect()+"WHERE r.id = ? AND r.deleted = 0", id, scanResource)
}

// fact is one labelled detail of a record.
type fact struct {
	Label, Value string
	// LTR isolates Value left to right: a date.
	LTR bool
}

// shownResource is a resource as a page shows it: in a list, texts cut
// and at most [listFiles] files; on its own page, whole.
type shownResource struct {
	Title, Body string
	// Href is its own page; Link its outside address, when it has a web
	// one.
	Href, Link string
	Cut        bool
	// Private marks one its organization kept to itself.
	Private bool
	Facts   []fact
	Files   []fileRow
	// AllFiles links its own page when a list shows only some files.
	AllFiles *link
}

// showResource makes r ready for a page: for a list (whole false) or its
// own page. held says which files the hub holds ([Handler.heldFiles]).
func (h *Handler) showResource(l *locales.Localizer, lb export.Labels, r resource, held heldFiles, whole bool) shownResource {
	s := shownResource{Title: r.Title, Body: r.Body, Private: r.Visibility != "network",
		Href: h.prefix + "/resource/" + url.PathEscape(r.ID) + "?lang=" + url.QueryEscape(langTag(l))}
	org, countries := r.Organization, r.Countries
	files := r.Files
	if !whole {
		var c1, c2 bool
		s.Title, c1 = cut(s.Title, titleRunes)
		s.Body, c2 = cut(s.Body, summaryRunes)
		org, _ = cut(org, nameRunes)
		s.Cut = c1 || c2
		countries = countries[:min(len(countries), listCountries)]
		if len(files) > listFiles {
			s.AllFiles = &link{l.T("dashboard.all_files", "N", locales.FormatNumber(l.Tag(), len(files))), s.Href}
			files = files[:listFiles]
		}
	}
	if whole && webLink(r.Link) {
		s.Link = r.Link
	}
	names := func(list string, codes []string) string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = lb.Code(list, c)
		}
		return strings.Join(out, ", ")
	}
	countryNames := names("country", countries)
	if len(countries) < len(r.Countries) {
		countryNames += ", …"
	}
	for _, f := range []fact{
		{Label: lb.Organization, Value: org},
		{Label: lb.Kind, Value: lb.Code("resourcekind", r.Kind)},
		{Label: l.T("dashboard.language"), Value: languageName(l, r.Language)},
		{Label: l.T("field.countries"), Value: countryNames},
		{Label: l.T("field.themes"), Value: names("theme", r.Themes)},
		{Label: l.T("dashboard.updated"), Value: r.Updated, LTR: true},
	} {
		if f.Value != "" {
			s.Facts = append(s.Facts, f)
		}
	}
	s.Files = h.fileRows(l, r.ID, r.OrgID, files, held)
	return s
}

// webLink reports whether s is an http or https address with a host: the
// only links a page makes of a record's text.
func webLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// languageName names language code (a BCP 47 tag such as "sw") in l's
// language, or returns the code when it names none.
func languageName(l *locales.Localizer, code string) string {
	t, err := language.Parse(code)
	if err != nil {
		return code
	}
	if n := display.Tags(l.Tag()).Name(t); n != "" {
		return n
	}
	return code
}

// resourceList shows the resources the signed-in user may read, the last
// changed first, a page at a time, each with its files.
func (h *Handler) resourceList(w http.ResponseWriter, r *http.Request) {
	l := h.localizer(r)
	u := userOf(r)
	ctx := r.Context()
	total, err := h.resourceCount(ctx, u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, pages, offset := pageOf(pageParam(r, "page"), total, listPageSize)
	rs, err := h.resourcePage(ctx, u, offset, listPageSize)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var hashes []string
	for _, res := range rs {
		hashes = append(hashes, hashesOf(res.Files[:min(len(res.Files), listFiles)])...)
	}
	held, err := h.heldFiles(ctx, hashes)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.basePage(r, l)
	p.Title = l.T("tab.resources")
	p.User = u
	p.Nav = h.nav(l, "resources")
	p.LangAction = h.prefix + "/resources/"
	p.Note = l.T("dashboard.resources_note")
	if ownOrg(u) != "" {
		p.Note = l.T("dashboard.resources_note_org")
	}
	lb := export.NewLabels(l, "", "")
	for _, res := range rs {
		p.Resources = append(p.Resources, h.showResource(l, lb, res, held, false))
	}
	p.ResourcePager = newPager(r, l, h.prefix+"/resources", "page", "resources", page, pages)
	h.render(w, r, http.StatusOK, "resources", p)
}

// resource shows one resource whole with all its files, to whoever may
// read it (see [mayRead]); anyone else gets the 404 of an unknown id.
func (h *Handler) resource(w http.ResponseWriter, r *http.Request) {
	l := h.localizer(r)
	u := userOf(r)
	res, ok, err := h.resourceByID(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok || !mayRead(u, res.OrgID, res.Visibility) {
		http.Error(w, l.T("dashboard.resource_not_found"), http.StatusNotFound)
		return
	}
	held, err := h.heldFiles(r.Context(), hashesOf(res.Files))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.basePage(r, l)
	p.Title = res.Title
	p.User = u
	p.Nav = h.nav(l, "resources")
	shown := h.showResource(l, export.NewLabels(l, "", ""), res, held, true)
	p.Resource = &shown
	p.Back = h.prefix + "/resources/?lang=" + url.QueryEscape(langTag(l))
	h.render(w, r, http.StatusOK, "resource", p)
}
