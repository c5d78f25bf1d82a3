package dashboard_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/hub"
)

// BenchmarkResourcesPage serves the first and a middle page of the
// resources list to a coordinator of a hub holding 2,000 shared resources,
// each with 4 files whose references carry 4 KB thumbnails (the records
// are written straight into the hub's records table, as its sync writes
// them), on SQLite or, when the run keeps hubs there, on PostgreSQL. It
// reports the time of one page and its size.
func BenchmarkResourcesPage(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	h, err := dashboard.OpenTestHub(b, ctx, dir, hub.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	org, err := h.AddOrg(ctx, "Org A Malawi", "MW")
	if err != nil {
		b.Fatal(err)
	}
	db := dashboard.OpenTestDB(b, ctx, dir)
	if err := dashboard.AddUser(ctx, db, "coord", password, dashboard.RoleCoordinator, ""); err != nil {
		b.Fatal(err)
	}
	fill := `INSERT INTO records (id, entity, org_id, visibility, version, hlc, last_by, last_clean, body, state)
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 2000)
		SELECT printf('0190dddd-0000-7000-8000-%012d', i), 'resource', ?, 'network', 1000 + i,
			printf('%013d.0000000000.bench', 1767225600000 + i), 'bench', 1,
			json_object('visibility', 'network', 'kind', 'guide', 'title', 'Guide ' || i, 'body', printf('%.500c', 'x'),
				'language', 'en', 'countries', json_array('MW', 'KE'), 'themes', json_array('education'), 'link', '',
				'files', (SELECT json_group_array(json_object('hash', printf('%064x', i * 4 + j), 'name', 'guide-' || j || '.pdf',
					'size', 250000, 'type', 'application/pdf', 'thumb', hex(zeroblob(2730))))
					FROM (SELECT 0 AS j UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3))),
			'{}'
		FROM n`
	if dashboard.OnPostgres() {
		fill = `INSERT INTO records (id, entity, org_id, visibility, version, hlc, last_by, last_clean, body, state)
		SELECT '0190dddd-0000-7000-8000-' || lpad(i::text, 12, '0'), 'resource', CAST(? AS text), 'network', 1000 + i,
			lpad((1767225600000 + i)::text, 13, '0') || '.0000000000.bench', 'bench', 1,
			json_build_object('visibility', 'network', 'kind', 'guide', 'title', 'Guide ' || i, 'body', repeat('x', 500),
				'language', 'en', 'countries', json_build_array('MW', 'KE'), 'themes', json_build_array('education'), 'link', '',
				'files', (SELECT json_agg(json_build_object('hash', lpad(to_hex(i * 4 + j), 64, '0'), 'name', 'guide-' || j || '.pdf',
					'size', 250000, 'type', 'application/pdf', 'thumb', repeat('00', 2730)) ORDER BY j)
					FROM generate_series(0, 3) j))::text,
			'{}'
		FROM generate_series(0, 1999) i`
	}
	if _, err = db.ExecContext(ctx, fill, org); err != nil {
		b.Fatal(err)
	}
	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	dash, err := dashboard.New(ctx, dashboard.Options{DB: db, Bundle: bundle, Log: slog.New(slog.DiscardHandler), Files: hubFiles{h}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(dash)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/dashboard/login", strings.NewReader(url.Values{"name": {"coord"}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", resp, err)
	}
	for _, page := range []string{"1", "40"} {
		b.Run("page="+page, func(b *testing.B) {
			var size int
			start := time.Now()
			for b.Loop() {
				resp, err := c.Get(srv.URL + "/dashboard/resources/?page=" + page)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "guide-3.pdf") {
					b.Fatalf("status %d", resp.StatusCode)
				}
				size = len(body)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/page")
			b.ReportMetric(float64(size)/1024, "KB/page")
		})
	}
}
