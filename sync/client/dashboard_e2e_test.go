package client_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/internal/export"
	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/sync/hub"
)

const dashPassword = "correct horse battery"

// Texts of organization A's private activity, which an orgadmin of B must
// never read on the dashboard.
var aPrivateTexts = []string{"Closed meeting with the Dedza shelter", "Names of girls at risk in Dedza", "Dedza safe house", "Dedza police victim unit"}

// networkActivities fills device d of org with a year of varied activities:
// private and shared, drafts and final, over months, kinds, countries and
// themes; then edits some (moving them between months, themes and reach)
// and deletes others. It returns how many live activities it left.
func networkActivities(t *testing.T, d *device, org string, seed int) int {
	t.Helper()
	ctx := context.Background()
	kinds := []string{"training", "school_visit", "community_dialogue", "media_engagement", "policy_meeting"}
	themes := [][]string{{"education"}, {"child_marriage", "education"}, {"violence"}, {}, {"online_safety", "birth_registration", "poverty"}}
	var made []model.Activity
	for i := range 60 {
		vis := model.VisibilityNetwork
		if (i+seed)%3 == 0 {
			vis = model.VisibilityOrg
		}
		status := "final"
		if (i+seed)%4 == 1 {
			status = "draft"
		}
		country := "MW"
		if i%5 == 2 {
			country = "ZM"
		}
		a := model.Activity{Meta: model.Meta{Visibility: vis}, Kind: kinds[(i+seed)%len(kinds)],
			Title: fmt.Sprintf("Activity %d of %d", i, seed), StartDate: fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+(i*7)%28),
			Country: country, Place: "Lilongwe", Themes: themes[(i*3+seed)%len(themes)], Status: status,
			Reach:   model.Reach{Girls: [3]int{i % 4, i % 7, i % 3}, Boys: [3]int{i % 5, 2, i % 2}, Unrecorded: [3]int{0, i % 3, 1}, Adults: i % 9},
			Summary: "Routine work."}
		got, err := d.st.CreateActivity(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, got)
	}
	// One pushed before its edit, so that the hub's rows change, not only
	// its first writes.
	d.sync(t)
	live := len(made)
	for i, a := range made {
		switch i % 10 {
		case 3: // moved to another month, theme and reach; made final
			a.StartDate, a.Themes, a.Reach.Girls[2], a.Status = "2026-11-30", []string{"juvenile_justice"}, a.Reach.Girls[2]+17, "final"
			if _, err := d.st.UpdateActivity(ctx, a); err != nil {
				t.Fatal(err)
			}
		case 6: // withdrawn from the network
			a.Visibility = model.VisibilityOrg
			if _, err := d.st.UpdateActivity(ctx, a); err != nil {
				t.Fatal(err)
			}
		case 8:
			if err := d.st.DeleteActivity(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			live--
		}
	}
	// Deleted before it ever reached the hub.
	gone, err := d.st.CreateActivity(ctx, model.Activity{Meta: model.Meta{Visibility: model.VisibilityOrg}, Kind: "training",
		Title: "Never happened", StartDate: "2026-02-14", Country: "MW", Themes: []string{"health_nutrition"}, Status: "final",
		Reach: model.Reach{Girls: [3]int{100, 100, 100}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.st.DeleteActivity(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	// A form half typed stays on the device and counts nowhere.
	if err := d.st.SaveDraft(ctx, "activity:new", `{"title":"Half typed","start_date":"2026-03-03"}`); err != nil {
		t.Fatal(err)
	}
	return live
}

// dashboardOn serves the dashboard over the database of th's hub, as the
// hub program serves it beside the hub, with users (name to organization,
// "" for a coordinator), and returns its address.
func dashboardOn(t *testing.T, th *testHub, users map[string]string) string {
	t.Helper()
	ctx := context.Background()
	db := hubDBOf(t, th)
	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	dash, err := dashboard.New(ctx, dashboard.Options{DB: db, Bundle: bundle, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for name, org := range users {
		role := dashboard.RoleOrgAdmin
		if org == "" {
			role = dashboard.RoleCoordinator
		}
		if err := dashboard.AddUser(ctx, db, name, dashPassword, role, org); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/dashboard/", dash)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// signInDashboard signs user in on the hub's dashboard over HTTP.
func signInDashboard(t *testing.T, base, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(http.MethodPost, base+"/dashboard/login", strings.NewReader(url.Values{"name": {user}, "password": {dashPassword}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base) // as a browser posting the hub's own form
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", user, resp.StatusCode)
	}
	return c
}

func dashGet(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		return resp.StatusCode, string(b)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: XLSX does not open: %v", u, err)
	}
	defer f.Close()
	var sb strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for _, r := range rows {
			sb.WriteString(strings.Join(r, "|") + "\n")
		}
	}
	return resp.StatusCode, sb.String()
}

// TestDeviceAndHubFiguresAgree: what a device reports for its organization
// is what the hub — its database and its dashboard — reports for that
// organization after a sync, for whole and partial months alike.
func TestDeviceAndHubFiguresAgree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	orgA, orgB := th.org(t, "Dedza Child Rights"), th.org(t, "Lusaka Youth Voice")
	a := enrolled(t, th, orgA, hub.RoleAdmin)
	b := enrolled(t, th, orgB, hub.RoleStaff)
	liveA := networkActivities(t, a, orgA, 1)
	networkActivities(t, b, orgB, 2)
	b.sync(t)
	a.sync(t) // pushes A's edits and pulls B's shared activities
	if st, err := a.eng.Status(ctx); err != nil || st.Pending != 0 {
		t.Fatalf("device A after sync: %+v, %v", st, err)
	}

	hubDB := hubDBOf(t, th)
	if ok, err := report.HasRollup(ctx, hubDB); err != nil || !ok {
		t.Fatalf("hub database has no report rollup: %v, %v", ok, err)
	}

	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l := bundle.Localizer("en")
	dashURL := dashboardOn(t, th, map[string]string{"admin-a": orgA})
	dash := signInDashboard(t, dashURL, "admin-a")

	periods := []report.Filter{
		{From: "2026-01-01", To: "2026-12-31"},                        // whole months only
		{From: "2026-02-10", To: "2026-07-19"},                        // partial months at both ends
		{From: "2026-03-01", To: "2026-03-31"},                        // one month
		{From: "2026-11-15", To: "2026-11-30"},                        // part of one month, edited records
		{From: "2026-05-08", To: "2026-05-08"},                        // one day
		{From: "2025-01-01", To: "2025-12-31"},                        // nothing
		{From: "2026-01-01", To: "2026-06-30", FinalOnly: true},       // drafts left out
		{From: "2026-04-03", To: "2026-09-30", Visibility: "network"}, // shared only
		{From: "2026-01-15", To: "2026-12-15", Visibility: "org"},     // private only
		{From: "2026-01-01", To: "2026-12-31", FinalOnly: true, Visibility: "network"},
	}
	for _, p := range periods {
		f := p
		f.OrgIDs = []string{orgA}
		onDevice, err := a.st.Report(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		onHub, err := report.Compute(ctx, hubDB, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(onDevice, onHub) {
			t.Errorf("%+v:\ndevice %+v\nhub    %+v", f, onDevice, onHub)
		}
		if direct, err := report.ComputeDirect(ctx, hubDB, f); err != nil || !reflect.DeepEqual(direct, onHub) {
			t.Errorf("%+v: hub rollup %+v, activities %+v (%v)", f, onHub, direct, err)
		}
		// B's shared activities reached device A: those figures agree too.
		f.OrgIDs, f.Visibility = []string{orgB}, "network"
		sharedOnDevice, err1 := a.st.Report(ctx, f)
		sharedOnHub, err2 := report.Compute(ctx, hubDB, f)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(sharedOnDevice, sharedOnHub) {
			t.Errorf("B's shared %+v:\ndevice %+v\nhub    %+v (%v, %v)", f, sharedOnDevice, sharedOnHub, err1, err2)
		}
		if p.Visibility != "" || p.FinalOnly {
			continue // the dashboard's periods have neither
		}
		// The dashboard, over HTTP, shows the device's figures.
		var want bytes.Buffer
		if err := export.WriteSectionedCSV(&want, export.Tables(onDevice, export.NewLabels(l, p.From, p.To))); err != nil {
			t.Fatal(err)
		}
		q := url.Values{"period": {"custom"}, "from": {p.From}, "to": {p.To}, "scope": {"org"}, "lang": {"en"}}
		status, got := dashGet(t, dash, dashURL+"/dashboard/report.csv?"+q.Encode())
		if status != http.StatusOK || got != want.String() {
			t.Errorf("%+v: dashboard status %d\n%s\nwant\n%s", p, status, got, want.String())
		}
		if p.From == "2026-01-01" {
			if onDevice.Activities != liveA {
				t.Errorf("device reports %d activities for the year, want %d", onDevice.Activities, liveA)
			}
			for _, line := range []string{fmt.Sprintf("Activities,%d", onDevice.Activities), fmt.Sprintf("Children reached,%d", onDevice.Children)} {
				if !strings.Contains(got, line) {
					t.Errorf("dashboard report lacks %q", line)
				}
			}
			q.Del("scope")
			if status, page := dashGet(t, dash, dashURL+"/dashboard/?"+q.Encode()); status != http.StatusOK ||
				!strings.Contains(page, fmt.Sprint(onDevice.Activities)) {
				t.Errorf("dashboard page: status %d, lacks %d", status, onDevice.Activities)
			}
		}
	}
}

// TestDashboardKeepsPrivateTextAfterSync: after real syncs, an orgadmin of
// organization B reads none of A's private activity's text on any page or
// download, though it counts in the network's figures; A's orgadmin reads
// it.
func TestDashboardKeepsPrivateTextAfterSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	th := startHub(t)
	orgA, orgB := th.org(t, "Dedza Child Rights"), th.org(t, "Lusaka Youth Voice")
	a := enrolled(t, th, orgA, hub.RoleStaff)
	b := enrolled(t, th, orgB, hub.RoleStaff)
	private, err := a.st.CreateActivity(ctx, model.Activity{Meta: model.Meta{Visibility: model.VisibilityOrg}, Kind: "case_referral",
		Title: aPrivateTexts[0], Summary: aPrivateTexts[1], Place: aPrivateTexts[2], Partners: aPrivateTexts[3],
		StartDate: "2026-05-03", Country: "MW", Themes: []string{"violence"}, Status: "final", Reach: model.Reach{Girls: [3]int{0, 4, 3}}})
	if err != nil {
		t.Fatal(err)
	}
	// Shared first, then withdrawn: the hub held its text as shared once.
	withdrawn, err := a.st.CreateActivity(ctx, model.Activity{Meta: model.Meta{Visibility: model.VisibilityNetwork}, Kind: "training",
		Title: "Dedza withdrawn workshop", Summary: "Shared for a day", StartDate: "2026-05-04", Country: "MW", Status: "final"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.CreateActivity(ctx, model.Activity{Meta: model.Meta{Visibility: model.VisibilityNetwork}, Kind: "training",
		Title: "Dedza shared radio show", StartDate: "2026-05-05", Country: "MW", Status: "final"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.CreateActivity(ctx, model.Activity{Meta: model.Meta{Visibility: model.VisibilityOrg}, Kind: "training",
		Title: "Lusaka private planning", StartDate: "2026-05-06", Country: "ZM", Status: "final"}); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	withdrawn.Visibility = model.VisibilityOrg
	if _, err := a.st.UpdateActivity(ctx, withdrawn); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	b.sync(t)
	if _, err := b.st.Activity(ctx, private.ID); err == nil {
		t.Fatal("A's private activity reached B's device")
	}
	dashURL := dashboardOn(t, th, map[string]string{"admin-a": orgA, "admin-b": orgB, "coord": ""})
	forbidden := append([]string{"Dedza withdrawn workshop", "Shared for a day"}, aPrivateTexts...)
	for _, c := range []struct {
		user      string
		forbidden []string
		mustSee   []string
	}{
		{"admin-b", forbidden, []string{"Dedza shared radio show", "Lusaka private planning"}},
		{"coord", append([]string{"Lusaka private planning"}, forbidden...), []string{"Dedza shared radio show"}},
		{"admin-a", []string{"Lusaka private planning"}, []string{aPrivateTexts[0], "Dedza withdrawn workshop"}},
	} {
		cl := signInDashboard(t, dashURL, c.user)
		seen := map[string]bool{}
		for _, q := range []string{"", "?period=month", "?period=year&lang=fr", "?period=custom&from=2026-05-01&to=2026-05-31", "?period=custom&from=2000-01-01&to=2100-12-31"} {
			for _, p := range []string{"/", "/report.csv", "/report.xlsx", "/shared.csv", "/own.csv", "/organizations.csv"} {
				u := dashURL + "/dashboard" + p + q
				status, text := dashGet(t, cl, u)
				if status >= 500 {
					t.Fatalf("%s as %s: status %d", u, c.user, status)
				}
				for _, s := range c.forbidden {
					if strings.Contains(text, s) {
						t.Errorf("%s (status %d) shows %s the text %q", u, status, c.user, s)
					}
				}
				for _, s := range c.mustSee {
					seen[s] = seen[s] || strings.Contains(text, s)
				}
			}
		}
		for _, s := range c.mustSee {
			if !seen[s] {
				t.Errorf("%s never sees %q", c.user, s)
			}
		}
	}
	// A's private activity counts in the network figures B's orgadmin sees:
	// 7 children of it, of 4 activities in May.
	cl := signInDashboard(t, dashURL, "admin-b")
	_, csv := dashGet(t, cl, dashURL+"/dashboard/report.csv?period=custom&from=2026-05-01&to=2026-05-31&lang=en")
	if !strings.Contains(csv, "Activities,4") || !strings.Contains(csv, "Children reached,7") {
		t.Errorf("network report for May:\n%s", csv)
	}
}

// hubDBOf is a pool on the database of th's hub, as the hub program gives
// the dashboard: its own on SQLite (closed when t ends), the hub's own on
// PostgreSQL.
func hubDBOf(t *testing.T, th *testHub) *sql.DB {
	t.Helper()
	if th.hub.Postgres() {
		return hub.ReportDB(th.hub)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(th.dir, hub.DBFile)+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
