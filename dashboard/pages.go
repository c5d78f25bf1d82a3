package dashboard

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/text/language/display"

	"github.com/a20-network/fieldbook/chart"
	"github.com/a20-network/fieldbook/export"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/report"
)

// sharedOnPage caps the shared activities listed on the page; the CSV has
// them all. It keeps pages small on a slow link.
const sharedOnPage = 100

// section is one set of figures with its charts.
type section struct {
	Heading    string
	Totals     []figure
	Charts     []template.HTML
	Downloads  []link
	Activities []export.ActivityRow
}

type figure struct {
	Label string
	Value int
}

type link struct{ Label, Href string }

type langChoice struct {
	Tag, Name string
	Selected  bool
}

type page struct {
	Lang, Dir, Title string
	T                func(id string) string
	Prefix           string
	User             User
	Period           report.Period
	Periods          []langChoice
	Langs            []langChoice
	Error            string
	Sections         []section
	Orgs             []orgRow
	Shared           []export.ActivityRow
	MoreShared       string
	SharedLinks      []link
	Code             func(list, code string) string
}

// rtl lists the scripts written right to left among the shipped languages
// and those a translator may add.
var rtl = map[string]bool{"ar": true, "fa": true, "he": true, "ur": true, "ps": true}

func (h *Handler) basePage(r *http.Request, l *locales.Localizer) page {
	base, _ := l.Tag().Base()
	dir := "ltr"
	if rtl[base.String()] {
		dir = "rtl"
	}
	p := page{Lang: langTag(l), Dir: dir, Prefix: h.prefix, T: func(id string) string { return l.T(id) }}
	self := display.Self
	for _, t := range h.bundle.Languages() {
		p.Langs = append(p.Langs, langChoice{Tag: t.String(), Name: self.Name(t), Selected: t.String() == langTag(l)})
	}
	lb := export.NewLabels(l, "", "")
	p.Code = lb.Code
	return p
}

// langTag names the localizer's language without the Unicode extensions
// matching adds ("fr-u-rg-frzzzz" becomes "fr").
func langTag(l *locales.Localizer) string {
	s, _, _ := strings.Cut(l.Tag().String(), "-u-")
	return s
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, l *locales.Localizer, status int, msg string) {
	p := h.basePage(r, l)
	p.Title = l.T("dashboard.sign_in")
	p.Error = msg
	h.render(w, r, status, "login", p)
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, p); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// query keeps the page's period and language in download links.
func query(r *http.Request, l *locales.Localizer, extra ...string) string {
	q := url.Values{}
	for _, k := range []string{"period", "from", "to"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	q.Set("lang", langTag(l))
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "?" + q.Encode()
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	l := h.localizer(r)
	per, f, ok := h.period(w, r, l)
	if !ok {
		return
	}
	u := userOf(r)
	ctx := r.Context()
	p := h.basePage(r, l)
	p.Title = l.T("dashboard.title")
	p.User = u
	p.Period = per
	for _, k := range report.PeriodKinds {
		p.Periods = append(p.Periods, langChoice{Tag: string(k), Name: l.T("report.period." + string(k)), Selected: k == per.Kind})
	}
	lb := export.NewLabels(l, f.From, f.To)

	network, err := report.Compute(ctx, h.db, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Sections = append(p.Sections, h.section(l.T("dashboard.network")+" — "+lb.Period, network, lb, []link{
		{l.T("dashboard.download_csv"), h.prefix + "/report.csv" + query(r, l)},
		{l.T("dashboard.download_xlsx"), h.prefix + "/report.xlsx" + query(r, l)},
	}))
	if u.Role == RoleOrgAdmin {
		of := f
		of.OrgIDs = []string{u.OrgID}
		own, err := report.Compute(ctx, h.db, of)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		s := h.section(l.T("dashboard.my_org")+": "+h.orgName(ctx, u.OrgID), own, lb, []link{
			{l.T("dashboard.download_csv"), h.prefix + "/report.csv" + query(r, l, "scope", "org")},
			{l.T("dashboard.download_xlsx"), h.prefix + "/report.xlsx" + query(r, l, "scope", "org")},
			{l.T("report.activities") + " (CSV)", h.prefix + "/own.csv" + query(r, l)},
		})
		if s.Activities, err = h.activityList(ctx, f, u.OrgID, sharedOnPage); err != nil {
			h.fail(w, r, err)
			return
		}
		p.Sections = append(p.Sections, s)
	}
	if u.Role == RoleCoordinator {
		if p.Orgs, err = h.byOrganization(ctx, network); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if p.Shared, err = h.activityList(ctx, f, "", sharedOnPage+1); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(p.Shared) > sharedOnPage {
		p.Shared = p.Shared[:sharedOnPage]
		p.MoreShared = l.T("dashboard.more_shared", "Count", sharedOnPage)
	}
	p.SharedLinks = []link{{l.T("dashboard.download_shared"), h.prefix + "/shared.csv" + query(r, l)}}
	h.render(w, r, http.StatusOK, "home", p)
}

func (h *Handler) section(heading string, rep report.Report, lb export.Labels, links []link) section {
	s := section{Heading: heading, Downloads: links, Totals: []figure{
		{lb.Activities, rep.Activities}, {lb.Children, rep.Children}, {lb.Adults, rep.Adults},
	}}
	for i, c := range export.Charts(rep, lb, 12) {
		w := float32(460)
		if i == 0 {
			w = 940
		}
		s.Charts = append(s.Charts, template.HTML(chart.SVG(c, w, 160))) // chart.SVG escapes every label
	}
	return s
}

// reportDownload serves the period's report as a sectioned CSV or an XLSX
// workbook: the network's, or with scope=org an orgadmin's own
// organization's.
func (h *Handler) reportDownload(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := h.localizer(r)
		_, f, ok := h.period(w, r, l)
		if !ok {
			return
		}
		u := userOf(r)
		name := "fieldbook-network"
		switch r.URL.Query().Get("scope") {
		case "", "network":
		case "org":
			if u.Role != RoleOrgAdmin {
				http.Error(w, "your role has no organization", http.StatusForbidden)
				return
			}
			f.OrgIDs = []string{u.OrgID}
			name = "fieldbook-organization"
		default:
			http.Error(w, "scope must be network or org", http.StatusBadRequest)
			return
		}
		rep, err := report.Compute(r.Context(), h.db, f)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		lb := export.NewLabels(l, f.From, f.To)
		tables := export.Tables(rep, lb)
		if u.Role == RoleCoordinator {
			orgs, err := h.byOrganization(r.Context(), rep)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			tables = append(tables, orgTable(orgs, l, lb))
		}
		var buf bytes.Buffer
		if format == "xlsx" {
			err = export.WriteXLSX(&buf, tables)
			attachment(w, name+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		} else {
			err = export.WriteSectionedCSV(&buf, tables)
			attachment(w, name+".csv", "text/csv; charset=utf-8")
		}
		if err != nil {
			w.Header().Del("Content-Disposition")
			h.fail(w, r, err)
			return
		}
		_, _ = w.Write(buf.Bytes())
	}
}

// listDownload serves the shared activities (own=false) or an orgadmin's
// own organization's activities as CSV.
func (h *Handler) listDownload(own bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := h.localizer(r)
		_, f, ok := h.period(w, r, l)
		if !ok {
			return
		}
		org, name := "", "fieldbook-shared-activities.csv"
		if own {
			org, name = userOf(r).OrgID, "fieldbook-organization-activities.csv"
		}
		rows, err := h.activityList(r.Context(), f, org, 0)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := export.WriteCSV(&buf, export.ActivityTable(rows, export.NewLabels(l, f.From, f.To))); err != nil {
			h.fail(w, r, err)
			return
		}
		attachment(w, name, "text/csv; charset=utf-8")
		_, _ = w.Write(buf.Bytes())
	}
}

// orgDownload serves every organization's figures for the period as CSV.
func (h *Handler) orgDownload(w http.ResponseWriter, r *http.Request) {
	l := h.localizer(r)
	_, f, ok := h.period(w, r, l)
	if !ok {
		return
	}
	rep, err := report.Compute(r.Context(), h.db, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := h.byOrganization(r.Context(), rep)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, orgTable(orgs, l, export.NewLabels(l, f.From, f.To))); err != nil {
		h.fail(w, r, err)
		return
	}
	attachment(w, "fieldbook-organizations.csv", "text/csv; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// orgTable lists every organization's figures.
func orgTable(orgs []orgRow, l *locales.Localizer, lb export.Labels) export.Table {
	t := export.Table{Key: "organizations", Title: l.T("dashboard.organizations"), Rows: [][]any{},
		Header: []string{lb.Organization, lb.Country, lb.Activities, lb.Children}}
	for _, o := range orgs {
		country := ""
		if o.Country != "" {
			country = lb.Code("country", o.Country)
		}
		t.Rows = append(t.Rows, []any{o.Name, country, o.Activities, o.Children})
	}
	return t
}

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"list": func(v ...any) []any { return v },
}).Parse(`
{{define "head"}}<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#0b4f6c;color:#fff;padding:.6em 1em;display:flex;flex-wrap:wrap;gap:1em;align-items:center}
header h1{font-size:1.2em;margin:0;flex:1}
header form{display:inline}
main{padding:1em;max-width:1000px;margin:auto}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1em;margin-bottom:1em}
.totals{display:flex;gap:2em;flex-wrap:wrap}.totals b{font-size:1.5em;display:block}
.charts{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}.chart{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border-bottom:1px solid #eee;padding:.3em;text-align:start;vertical-align:top}
td.n{text-align:end}.err{color:#a00}a{color:#0b4f6c}
</style></head><body>{{end}}

{{define "login"}}{{template "head" .}}
<header><h1>{{call .T "dashboard.title"}}</h1></header>
<main><section>
<h2>{{call .T "dashboard.sign_in"}}</h2>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Prefix}}/login">
<input type="hidden" name="lang" value="{{.Lang}}">
<p><label>{{call .T "dashboard.user"}}<br><input name="name" autocomplete="username" required></label></p>
<p><label>{{call .T "dashboard.password"}}<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">{{call .T "dashboard.sign_in"}}</button></p>
</form></section></main></body></html>{{end}}

{{define "home"}}{{template "head" .}}
<header><h1>{{call .T "dashboard.title"}}</h1>
<form method="get" action="{{.Prefix}}/">
<label>{{call .T "dashboard.language"}} <select name="lang">{{range .Langs}}<option value="{{.Tag}}"{{if .Selected}} selected{{end}}>{{.Name}}</option>{{end}}</select></label>
<input type="hidden" name="period" value="{{.Period.Kind}}"><input type="hidden" name="from" value="{{.Period.From}}"><input type="hidden" name="to" value="{{.Period.To}}">
<button type="submit">✓</button></form>
<span>{{.User.Name}}</span>
<form method="post" action="{{.Prefix}}/logout"><button type="submit">{{call .T "dashboard.sign_out"}}</button></form>
</header>
<main>
<section><form method="get" action="{{.Prefix}}/" id="period">
<input type="hidden" name="lang" value="{{.Lang}}">
<label>{{call .T "report.period"}} <select name="period">{{range .Periods}}<option value="{{.Tag}}"{{if .Selected}} selected{{end}}>{{.Name}}</option>{{end}}</select></label>
<label>{{call .T "report.from"}} <input name="from" value="{{.Period.From}}" size="10" pattern="\d{4}-\d{2}-\d{2}"></label>
<label>{{call .T "report.to"}} <input name="to" value="{{.Period.To}}" size="10" pattern="\d{4}-\d{2}-\d{2}"></label>
<button type="submit">{{call .T "report.apply"}}</button></form></section>
{{range .Sections}}<section>
<h2>{{.Heading}}</h2>
<div class="totals">{{range .Totals}}<div><b>{{.Value}}</b>{{.Label}}</div>{{end}}</div>
<p>{{range .Downloads}}<a href="{{.Href}}" download>{{.Label}}</a> · {{end}}</p>
<div class="charts">{{range .Charts}}{{.}}{{end}}</div>
{{if .Activities}}{{template "list" (list $ .Activities)}}{{end}}
</section>{{end}}
{{if .Orgs}}<section><h2>{{call .T "dashboard.organizations"}}</h2>
<p><a href="{{.Prefix}}/organizations.csv?lang={{.Lang}}&period={{.Period.Kind}}&from={{.Period.From}}&to={{.Period.To}}" download>{{call .T "dashboard.download_csv"}}</a></p>
<table><thead><tr><th>{{call .T "report.organization"}}</th><th>{{call .T "report.country"}}</th><th>{{call .T "report.activities"}}</th><th>{{call .T "report.children"}}</th></tr></thead><tbody>
{{range .Orgs}}<tr><td>{{.Name}}</td><td>{{if .Country}}{{call $.Code "country" .Country}}{{end}}</td><td class="n">{{.Activities}}</td><td class="n">{{.Children}}</td></tr>{{end}}
</tbody></table></section>{{end}}
<section id="shared"><h2>{{call .T "dashboard.shared"}}</h2>
<p>{{call .T "dashboard.shared_note"}}</p>
<p>{{range .SharedLinks}}<a href="{{.Href}}" download id="shared-csv">{{.Label}}</a>{{end}}</p>
{{if .MoreShared}}<p>{{.MoreShared}}</p>{{end}}
{{template "list" (list . .Shared)}}
</section>
</main></body></html>{{end}}

{{define "list"}}{{$p := index . 0}}<table><thead><tr><th>{{call $p.T "report.date"}}</th><th>{{call $p.T "report.activity_title"}}</th><th>{{call $p.T "report.organization"}}</th><th>{{call $p.T "report.country"}}</th><th>{{call $p.T "report.kind"}}</th><th>{{call $p.T "report.activity_summary"}}</th></tr></thead><tbody>
{{range index . 1}}<tr><td>{{.Date}}</td><td>{{.Title}}</td><td>{{.Organization}}</td><td>{{call $p.Code "country" .Country}}</td><td>{{call $p.Code "kind" .Kind}}</td><td>{{.Summary}}</td></tr>{{end}}
</tbody></table>{{end}}
`))
