package dashboard

import (
	"bytes"
	"compress/gzip"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language/display"

	"github.com/a20-network/fieldbook/internal/chart"
	"github.com/a20-network/fieldbook/internal/export"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/locales"
)

// Page limits: whatever the period and the data, a page stays under
// 200 KB of HTML. Lists are paged; texts in lists are cut (the activity's
// own page has them whole); the month chart has at most maxPoints points.
const (
	listPageSize = 25
	orgPageSize  = 50
	titleRunes   = 120
	summaryRunes = 160
	nameRunes    = 80
)

// section is one set of figures with its charts.
type section struct {
	// Heading is escaped text, with its dates and names isolated (see
	// [isolated]).
	Heading    template.HTML
	Totals     []figure
	Charts     []template.HTML
	Downloads  []link
	Activities []listed
	Pager      pager
}

// listed is an activity as a list shows it: texts cut, with a link to its
// page.
type listed struct {
	activity
	Href string
	Cut  bool
}

// pager links the pages of a list.
type pager struct {
	Label      string
	Prev, Next link
}

type figure struct {
	Label string
	Value int
}

type link struct{ Label, Href string }

// navLink is one entry of the pages' navigation; Current marks the page
// shown.
type navLink struct {
	link
	Current bool
}

// hidden is a hidden field a form keeps.
type hidden struct{ Name, Value string }

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
	OrgPager         pager
	Shared           []listed
	SharedPager      pager
	SharedLinks      []link
	Code             func(list, code string) string
	Activity         *activity
	Back             string
	// Nav links the signed-in pages; LangAction is where the header's
	// language form goes ("" for none), keeping LangKeep.
	Nav        []navLink
	LangAction string
	LangKeep   []hidden
	// Note explains a list.
	Note          string
	Resources     []shownResource
	ResourcePager pager
	Resource      *shownResource
	// Files are the files of the record a page shows.
	Files []fileRow
}

// rtl lists the scripts written right to left among the shipped languages
// and those a translator may add.
var rtl = map[string]bool{"ar": true, "fa": true, "he": true, "ur": true, "ps": true}

// rightToLeft reports whether l's language is written right to left.
func rightToLeft(l *locales.Localizer) bool {
	base, _ := l.Tag().Base()
	return rtl[base.String()]
}

func (h *Handler) basePage(r *http.Request, l *locales.Localizer) page {
	dir := "ltr"
	if rightToLeft(l) {
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

// nav links the signed-in pages, marking current ("home" or
// "resources").
func (h *Handler) nav(l *locales.Localizer, current string) []navLink {
	lang := "?lang=" + url.QueryEscape(langTag(l))
	return []navLink{
		{link{l.T("dashboard.overview"), h.prefix + "/" + lang}, current == "home"},
		{link{l.T("tab.resources"), h.prefix + "/resources/" + lang}, current == "resources"},
	}
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
	h.write(w, r, status, buf.Bytes())
}

// gzipWriters reuses compressors: each holds several hundred kilobytes.
var gzipWriters = sync.Pool{New: func() any {
	gz, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return gz
}}

// write sends body with status, gzip-compressed when the client accepts it
// and the body is worth compressing.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if len(body) < 1024 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/") || !acceptsGzip(r) {
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	gz := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(gz)
	gz.Reset(w)
	if _, err := gz.Write(body); err != nil {
		h.log.Warn("dashboardWriteFailed", "path", r.URL.Path, "err", err)
		return
	}
	if err := gz.Close(); err != nil {
		h.log.Warn("dashboardWriteFailed", "path", r.URL.Path, "err", err)
	}
}

// acceptsGzip reports whether r's Accept-Encoding allows gzip (and does not
// refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
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

// pageParam reads a 1-based page number from the query; anything else is
// page 1.
func pageParam(r *http.Request, key string) int {
	n, err := strconv.Atoi(r.URL.Query().Get(key))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// pageOf clamps page to the pages total items fill and returns it with
// the offset of its first item.
func pageOf(page, total, size int) (int, int, int) {
	pages := max(1, (total+size-1)/size)
	page = min(page, pages)
	return page, pages, (page - 1) * size
}

// newPager links the pages of a list read from query parameter key.
func newPager(r *http.Request, l *locales.Localizer, prefix, key, anchor string, page, pages int) pager {
	if pages <= 1 {
		return pager{}
	}
	pg := pager{Label: l.T("dashboard.page_of", "Page", page, "Pages", pages)}
	to := func(n int) string {
		q := r.URL.Query()
		q.Set(key, strconv.Itoa(n))
		q.Set("lang", langTag(l))
		return prefix + "/?" + q.Encode() + "#" + anchor
	}
	if page > 1 {
		pg.Prev = link{l.T("dashboard.previous"), to(page - 1)}
	}
	if page < pages {
		pg.Next = link{l.T("dashboard.next"), to(page + 1)}
	}
	return pg
}

// cut shortens s to n characters, marking the cut with an ellipsis.
func cut(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	i := 0
	for j := range s {
		if i == n {
			return strings.TrimRightFunc(s[:j], unicode.IsSpace) + "…", true
		}
		i++
	}
	return s, false
}

// listRows cuts the texts of as for a list and links each to its page.
func (h *Handler) listRows(as []activity, l *locales.Localizer) []listed {
	out := make([]listed, len(as))
	for i, a := range as {
		var c1, c2 bool
		a.Title, c1 = cut(a.Title, titleRunes)
		a.Summary, c2 = cut(a.Summary, summaryRunes)
		a.Organization, _ = cut(a.Organization, nameRunes)
		out[i] = listed{activity: a, Cut: c1 || c2,
			Href: h.prefix + "/activity/" + url.PathEscape(a.ID) + "?lang=" + url.QueryEscape(langTag(l))}
	}
	return out
}

// pagedList returns one page of an activity list (see [listWhere]) with
// its pager, read from query parameter key.
func (h *Handler) pagedList(r *http.Request, l *locales.Localizer, f report.Filter, onlyOrg, key, anchor string) ([]listed, pager, error) {
	total, err := h.activityCount(r.Context(), f, onlyOrg)
	if err != nil {
		return nil, pager{}, err
	}
	page, pages, offset := pageOf(pageParam(r, key), total, listPageSize)
	as, err := h.activityList(r.Context(), f, onlyOrg, offset, listPageSize)
	if err != nil {
		return nil, pager{}, err
	}
	return h.listRows(as, l), newPager(r, l, h.prefix, key, anchor, page, pages), nil
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
	p.Nav = h.nav(l, "home")
	p.LangAction = h.prefix + "/"
	p.LangKeep = []hidden{{"period", string(per.Kind)}, {"from", per.From}, {"to", per.To}}
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
	heading := template.HTML(template.HTMLEscapeString(l.T("dashboard.network"))) + " — " + periodHTML(l, f.From, f.To)
	p.Sections = append(p.Sections, h.section(l, heading, network, lb, []link{
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
		name, _ := cut(h.orgName(ctx, u.OrgID), nameRunes)
		heading := template.HTML(template.HTMLEscapeString(l.T("dashboard.my_org"))) + ": " + bdi("auto", name)
		s := h.section(l, heading, own, lb, []link{
			{l.T("dashboard.download_csv"), h.prefix + "/report.csv" + query(r, l, "scope", "org")},
			{l.T("dashboard.download_xlsx"), h.prefix + "/report.xlsx" + query(r, l, "scope", "org")},
			{l.T("report.activities") + " (CSV)", h.prefix + "/own.csv" + query(r, l)},
		})
		if s.Activities, s.Pager, err = h.pagedList(r, l, f, u.OrgID, "own_page", "own"); err != nil {
			h.fail(w, r, err)
			return
		}
		p.Sections = append(p.Sections, s)
	}
	if u.Role == RoleCoordinator {
		orgs, err := h.byOrganization(ctx, network)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page, pages, offset := pageOf(pageParam(r, "org_page"), len(orgs), orgPageSize)
		p.Orgs = orgs[offset:min(len(orgs), offset+orgPageSize)]
		for i := range p.Orgs {
			p.Orgs[i].Name, _ = cut(p.Orgs[i].Name, nameRunes)
		}
		p.OrgPager = newPager(r, l, h.prefix, "org_page", "organizations", page, pages)
	}
	if p.Shared, p.SharedPager, err = h.pagedList(r, l, f, "", "page", "shared"); err != nil {
		h.fail(w, r, err)
		return
	}
	p.SharedLinks = []link{{l.T("dashboard.download_shared"), h.prefix + "/shared.csv" + query(r, l)}}
	h.render(w, r, http.StatusOK, "home", p)
}

// activity shows one activity whole, with its files. Its text is shown
// only where a list would show it ([mayRead]): a record shared with the
// network to anyone signed in, a private one only to an orgadmin of its
// organization. Anything else is answered 404, like an unknown id, so the
// page does not tell which ids exist.
func (h *Handler) activity(w http.ResponseWriter, r *http.Request) {
	l := h.localizer(r)
	u := userOf(r)
	a, ok, err := h.activityByID(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok || !mayRead(u, a.OrgID, a.Visibility) {
		http.Error(w, l.T("dashboard.not_found"), http.StatusNotFound)
		return
	}
	held, err := h.heldFiles(r.Context(), hashesOf(a.Attached))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.basePage(r, l)
	p.Title = a.Title
	p.User = u
	p.Nav = h.nav(l, "home")
	p.Activity = &a
	p.Files = h.fileRows(l, a.ID, a.OrgID, a.Attached, held)
	p.Back = h.prefix + "/?lang=" + url.QueryEscape(langTag(l))
	h.render(w, r, http.StatusOK, "activity", p)
}

// periodHTML names the period from..to as l's language does, each date
// in a left-to-right isolate so that a right-to-left page keeps the dates
// whole and in the order of the sentence (the start date first, on the
// right in Arabic).
func periodHTML(l *locales.Localizer, from, to string) template.HTML {
	if from == "" && to == "" {
		return template.HTML(template.HTMLEscapeString(l.T("report.period.all")))
	}
	return isolated(l, "report.period.range", "From", from, "To", to)
}

// isolated returns message id of l, escaped, with each named argument
// (name, value pairs) set in a left-to-right isolate: <bdi dir="ltr">.
func isolated(l *locales.Localizer, id string, args ...string) template.HTML {
	data := make([]any, 0, len(args))
	marks := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		// A private-use mark stands for the argument while the message is
		// escaped; no translation holds one.
		mark := string(rune(0xE000 + i/2))
		data = append(data, args[i], mark)
		marks = append(marks, template.HTMLEscapeString(mark), string(bdi("ltr", args[i+1])))
	}
	msg := template.HTMLEscapeString(l.T(id, data...))
	return template.HTML(strings.NewReplacer(marks...).Replace(msg))
}

// bdi returns s, escaped, as a bidi isolate of direction dir ("ltr",
// "rtl" or "auto").
func bdi(dir, s string) template.HTML {
	return template.HTML(`<bdi dir="` + dir + `">` + template.HTMLEscapeString(s) + `</bdi>`)
}

func (h *Handler) section(l *locales.Localizer, heading template.HTML, rep report.Report, lb export.Labels, links []link) section {
	s := section{Heading: heading, Downloads: links, Totals: []figure{
		{lb.Activities, rep.Activities}, {lb.Children, rep.Children}, {lb.Adults, rep.Adults},
	}}
	for i, c := range export.Charts(rep, lb, 12) {
		w := float32(460)
		if i == 0 {
			w = 940
			c = boundPoints(c, l)
		}
		c.RightToLeft = rightToLeft(l)
		s.Charts = append(s.Charts, template.HTML(chart.SVG(c, w, 160))) // chart.SVG escapes every label
	}
	return s
}

// maxPoints bounds the month chart: past it, months are summed into
// quarters, then years, then spans of years.
const maxPoints = 36

// boundPoints sums the month chart's points ("YYYY-MM" categories) into
// quarters, years or spans of years until at most maxPoints are left.
func boundPoints(c chart.Chart, l *locales.Localizer) chart.Chart {
	if len(c.Categories) <= maxPoints {
		return c
	}
	quarter := func(k string) string {
		m, _ := strconv.Atoi(k[5:7])
		return l.T("dashboard.quarter", "Year", k[:4], "Quarter", (m+2)/3)
	}
	year := func(k string) string { return k[:4] }
	group := quarter
	if (len(c.Categories)+2)/3 > maxPoints {
		group = year
	}
	if years := (len(c.Categories) + 11) / 12; years > maxPoints {
		span := (years + maxPoints - 1) / maxPoints
		first, _ := strconv.Atoi(c.Categories[0][:4])
		group = func(k string) string {
			y, _ := strconv.Atoi(k[:4])
			from := first + (y-first)/span*span
			return strconv.Itoa(from) + "–" + strconv.Itoa(from+span-1)
		}
	}
	out := chart.Chart{Kind: c.Kind, Title: c.Title, Empty: c.Empty, Series: make([]chart.Series, len(c.Series))}
	for i, s := range c.Series {
		out.Series[i].Name = s.Name
	}
	for i, k := range c.Categories {
		if len(k) < 7 {
			return c // not months: leave as is
		}
		g := group(k)
		if n := len(out.Categories); n == 0 || out.Categories[n-1] != g {
			out.Categories = append(out.Categories, g)
			for si := range out.Series {
				out.Series[si].Values = append(out.Series[si].Values, 0)
			}
		}
		for si, s := range c.Series {
			out.Series[si].Values[len(out.Categories)-1] += s.Values[i]
		}
	}
	return out
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
				http.Error(w, l.T("dashboard.no_org"), http.StatusForbidden)
				return
			}
			f.OrgIDs = []string{u.OrgID}
			name = "fieldbook-organization"
		default:
			http.Error(w, l.T("dashboard.bad_scope"), http.StatusBadRequest)
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
		h.write(w, r, http.StatusOK, buf.Bytes())
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
		rows, err := h.activityList(r.Context(), f, org, 0, 0)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := export.WriteCSV(&buf, export.ActivityTable(exportRows(rows), export.NewLabels(l, f.From, f.To))); err != nil {
			h.fail(w, r, err)
			return
		}
		attachment(w, name, "text/csv; charset=utf-8")
		h.write(w, r, http.StatusOK, buf.Bytes())
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
	h.write(w, r, http.StatusOK, buf.Bytes())
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
td.n,th.n{text-align:end}.err{color:#a00}a{color:#0b4f6c}header a{color:#fff}
.pager{display:flex;gap:1em;margin-top:.5em}.text{white-space:pre-wrap}
header nav{display:flex;gap:1em}header nav a[aria-current]{font-weight:bold;text-decoration:none}
article.res{border-top:1px solid #ddd;padding:.6em 0}article.res h3{margin:.2em 0;font-size:1.05em}
.facts{display:flex;flex-wrap:wrap;gap:.2em 1.5em;margin:.3em 0;font-size:.9em}.facts div{display:flex;gap:.4em}
.facts dt{color:#555}.facts dd{margin:0}.tag{font-size:.8em;background:#eee;border-radius:3px;padding:0 .4em;font-weight:normal}
table.files{width:auto;min-width:60%;margin:.3em 0}small{color:#555}
</style></head><body>{{end}}

{{define "header"}}<header><h1>{{call .T "dashboard.title"}}</h1>
<nav>{{range .Nav}}<a href="{{.Href}}"{{if .Current}} aria-current="page"{{end}}>{{.Label}}</a>{{end}}</nav>
{{if .LangAction}}<form method="get" action="{{.LangAction}}">
<label>{{call .T "dashboard.language"}} <select name="lang">{{range .Langs}}<option value="{{.Tag}}"{{if .Selected}} selected{{end}}>{{.Name}}</option>{{end}}</select></label>
{{range .LangKeep}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
<button type="submit">{{call .T "report.apply"}}</button></form>{{end}}
<span>{{.User.Name}}</span>
<form method="post" action="{{.Prefix}}/logout"><button type="submit">{{call .T "dashboard.sign_out"}}</button></form>
</header>{{end}}

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
{{template "header" .}}
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
{{if .Activities}}<div id="own">{{template "list" (list $ .Activities)}}{{template "pager" .Pager}}</div>{{end}}
</section>{{end}}
{{if .Orgs}}<section id="organizations"><h2>{{call .T "dashboard.organizations"}}</h2>
<p><a href="{{.Prefix}}/organizations.csv?lang={{.Lang}}&period={{.Period.Kind}}&from={{.Period.From}}&to={{.Period.To}}" download>{{call .T "dashboard.download_csv"}}</a></p>
<table><thead><tr><th>{{call .T "report.organization"}}</th><th>{{call .T "report.country"}}</th><th>{{call .T "report.activities"}}</th><th>{{call .T "report.children"}}</th></tr></thead><tbody>
{{range .Orgs}}<tr><td>{{.Name}}</td><td>{{if .Country}}{{call $.Code "country" .Country}}{{end}}</td><td class="n">{{.Activities}}</td><td class="n">{{.Children}}</td></tr>{{end}}
</tbody></table>{{template "pager" .OrgPager}}</section>{{end}}
<section id="shared"><h2>{{call .T "dashboard.shared"}}</h2>
<p>{{call .T "dashboard.shared_note"}}</p>
<p>{{range .SharedLinks}}<a href="{{.Href}}" download id="shared-csv">{{.Label}}</a>{{end}}</p>
{{template "list" (list . .Shared)}}
{{template "pager" .SharedPager}}
</section>
</main></body></html>{{end}}

{{define "list"}}{{$p := index . 0}}<table><thead><tr><th>{{call $p.T "report.date"}}</th><th>{{call $p.T "report.activity_title"}}</th><th>{{call $p.T "report.organization"}}</th><th>{{call $p.T "report.country"}}</th><th>{{call $p.T "report.kind"}}</th><th>{{call $p.T "report.activity_summary"}}</th></tr></thead><tbody>
{{range index . 1}}<tr><td><bdi dir="ltr">{{.Date}}</bdi></td><td><a href="{{.Href}}">{{.Title}}</a></td><td>{{.Organization}}</td><td>{{call $p.Code "country" .Country}}</td><td>{{call $p.Code "kind" .Kind}}</td><td>{{.Summary}}{{if .Cut}} <a href="{{.Href}}">{{call $p.T "dashboard.full_text"}}</a>{{end}}</td></tr>{{end}}
</tbody></table>{{end}}

{{define "pager"}}{{if .Label}}<nav class="pager"><span>{{.Label}}</span>{{with .Prev}} <a href="{{.Href}}" rel="prev">{{.Label}}</a>{{end}}{{with .Next}} <a href="{{.Href}}" rel="next">{{.Label}}</a>{{end}}</nav>{{end}}{{end}}

{{define "activity"}}{{template "head" .}}
{{template "header" .}}
<main><section><p><a href="{{.Back}}">{{call .T "dashboard.back"}}</a></p>
{{with .Activity}}<h2>{{.Title}}</h2>
<table><tbody>
<tr><th>{{call $.T "report.date"}}</th><td><bdi dir="ltr">{{.Date}}</bdi></td></tr>
<tr><th>{{call $.T "report.organization"}}</th><td>{{.Organization}}</td></tr>
<tr><th>{{call $.T "report.country"}}</th><td>{{call $.Code "country" .Country}}</td></tr>
<tr><th>{{call $.T "report.place"}}</th><td>{{.Place}}</td></tr>
<tr><th>{{call $.T "report.kind"}}</th><td>{{call $.Code "kind" .Kind}}</td></tr>
<tr><th>{{call $.T "report.theme"}}</th><td>{{range $i, $t := .Themes}}{{if $i}}, {{end}}{{call $.Code "theme" $t}}{{end}}</td></tr>
<tr><th>{{call $.T "report.children"}}</th><td>{{.Children}}</td></tr>
<tr><th>{{call $.T "report.adults"}}</th><td>{{.Adults}}</td></tr>
<tr><th>{{call $.T "report.status"}}</th><td>{{call $.Code "status" .Status}}</td></tr>
</tbody></table>
<h3>{{call $.T "report.activity_summary"}}</h3><p class="text">{{.Summary}}</p>{{end}}
{{if .Files}}<h3>{{call .T "files.title"}}</h3>{{template "files" (list . .Files nil)}}{{end}}
</section></main></body></html>{{end}}

{{define "files"}}{{$p := index . 0}}{{with index . 1}}<table class="files"><thead><tr><th>{{call $p.T "dashboard.file"}}</th><th class="n">{{call $p.T "dashboard.size"}}</th><th>{{call $p.T "dashboard.type"}}</th></tr></thead><tbody>
{{range .}}<tr><td>{{if .Href}}<a href="{{.Href}}" download><bdi>{{.Name}}</bdi></a>{{else}}<bdi>{{.Name}}</bdi>{{if .Missing}} <small>{{call $p.T "dashboard.not_on_hub"}}</small>{{end}}{{end}}</td><td class="n">{{.Size}}</td><td>{{.Type}}</td></tr>{{end}}
</tbody></table>{{end}}{{with index . 2}}<p><a href="{{.Href}}">{{.Label}}</a></p>{{end}}{{end}}

{{define "facts"}}<dl class="facts">{{range .}}<div><dt>{{.Label}}</dt><dd>{{if .LTR}}<bdi dir="ltr">{{.Value}}</bdi>{{else}}{{.Value}}{{end}}</dd></div>{{end}}</dl>{{end}}

{{define "resources"}}{{template "head" .}}
{{template "header" .}}
<main><section id="resources"><h2>{{.Title}}</h2>
<p>{{.Note}}</p>
{{range .Resources}}<article class="res">
<h3><a href="{{.Href}}">{{.Title}}</a>{{if .Private}} <span class="tag">{{call $.T "visibility.org"}}</span>{{end}}</h3>
{{template "facts" .Facts}}
{{if .Body}}<p>{{.Body}}{{if .Cut}} <a href="{{.Href}}">{{call $.T "dashboard.full_text"}}</a>{{end}}</p>{{end}}
{{template "files" (list $ .Files .AllFiles)}}
</article>{{else}}<p>{{call .T "dashboard.no_resources"}}</p>{{end}}
{{template "pager" .ResourcePager}}
</section></main></body></html>{{end}}

{{define "resource"}}{{template "head" .}}
{{template "header" .}}
<main><section><p><a href="{{.Back}}">{{call .T "dashboard.back_resources"}}</a></p>
{{with .Resource}}<h2>{{.Title}}{{if .Private}} <span class="tag">{{call $.T "visibility.org"}}</span>{{end}}</h2>
{{template "facts" .Facts}}
{{if .Link}}<p><a href="{{.Link}}" rel="noopener noreferrer">{{.Link}}</a></p>{{end}}
<p class="text">{{.Body}}</p>
{{if .Files}}<h3>{{call $.T "files.title"}}</h3>{{template "files" (list $ .Files nil)}}{{end}}{{end}}
</section></main></body></html>{{end}}
`))
