package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package installs the browser;
// make test installs it.
const chromiumPath = "/usr/bin/chromium"

// startChromium starts a headless Chromium on page and returns its context,
// with a deadline for the steps that follow; the browser stops with the
// test.
func startChromium(t *testing.T, page string) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("chromium is required for this test (install it with make deps-test): %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first action starts the browser, which lives as long as ctx: it
	// runs without a deadline, the later steps with one.
	if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)

	return ctx
}

// signInWithChromium fills and sends the sign-in form as name and waits
// for the dashboard's charts.
func signInWithChromium(ctx context.Context, name string) error {
	return chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), name),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
	)
}

// TestBrowserSignInChartsAndDownload drives a real headless Chromium: sign
// in, see the dashboard's SVG charts laid out with a size, and download the
// shared activities CSV from within the signed-in page.
func TestBrowserSignInChartsAndDownload(t *testing.T) {
	e := newEnv(t, 0)
	ctx := startChromium(t, e.srv.URL+"/dashboard/?period=month")
	if err := signInWithChromium(ctx, "admin-a"); err != nil {
		t.Fatalf("sign in and open the dashboard: %v", err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`header h1`)))
	if err != nil || heading != "Network dashboard" {
		t.Errorf("heading = %q, %v", heading, err)
	}

	// Every chart is laid out with a size, and holds bars or points.
	type chartBox struct {
		W, H  float64
		Marks int
		Texts []string
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartBox](`Array.from(document.querySelectorAll('svg.chart')).map(s => {
		const r = s.getBoundingClientRect();
		return {W: r.width, H: r.height, Marks: s.querySelectorAll('rect').length,
			Texts: Array.from(s.querySelectorAll('text')).map(t => t.textContent)};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	// Two sections (network and own organization), five charts each.
	if len(charts) != 10 {
		t.Fatalf("got %d charts, want 10", len(charts))
	}
	for i, c := range charts {
		if c.W <= 0 || c.H <= 0 || c.Marks == 0 {
			t.Errorf("chart %d: size %vx%v with %d bars or points", i, c.W, c.H, c.Marks)
		}
	}
	if got := strings.Join(charts[3].Texts, "|"); !strings.Contains(got, "Malawi") || !strings.Contains(got, "Kenya") {
		t.Errorf("country chart texts = %s", got)
	}
	barWidth, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelectorAll('svg.chart')[3].querySelector('rect').getBoundingClientRect().width`))
	if err != nil || barWidth <= 0 {
		t.Errorf("first country bar has width %v, %v", barWidth, err)
	}

	// Download the shared CSV the way the link does, with the page's
	// session cookie. (The browser's text decoding drops the byte-order
	// mark; the other tests check it.)
	csv, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`fetch(document.getElementById('shared-csv').href, {credentials: 'same-origin'}).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download the CSV: %v", err)
	}
	if !strings.HasPrefix(csv, "Date,Title,Organization,Country,Kind,Theme,") || !strings.Contains(csv, aShared) || !strings.Contains(csv, bShared) {
		t.Errorf("CSV download = %q", csv)
	}
	for _, s := range bPrivate {
		if strings.Contains(csv, s) {
			t.Errorf("CSV holds B's private text %q", s)
		}
	}
}

// TestBrowserHeavyPageAndCrossOriginPost: with 1,000 long shared records,
// the heaviest page a signed-in Chromium loads is under 200 KB of HTML and
// pages on; a form another site makes Chromium post to the dashboard is
// refused and signs nobody out.
func TestBrowserHeavyPageAndCrossOriginPost(t *testing.T) {
	e := newEnv(t, 1000)
	ctx := startChromium(t, e.srv.URL+"/dashboard/")
	if err := signInWithChromium(ctx, "admin-a"); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	heaviest := 0
	for _, q := range []string{"?period=year", "?period=custom&from=1900-01-01&to=2100-12-31", "?period=custom&from=1900-01-01&to=2100-12-31&page=2"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/dashboard/"+q), chromedp.WaitVisible(chromedp.CSS(`svg.chart`))); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		size, err := chromedp.Run(ctx, chromedp.Evaluate[int](`performance.getEntriesByType('navigation')[0].decodedBodySize`))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		heaviest = max(heaviest, size)
		if size <= 0 || size >= 200<<10 {
			t.Errorf("%s: the page weighs %d bytes, want under 200 KB", q, size)
		}
	}
	t.Logf("heaviest page: %d bytes of HTML", heaviest)
	// The shared list pages on, and each row links the full text.
	next, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#shared a[rel=next]').href`))
	if err != nil || !strings.Contains(next, "page=") {
		t.Errorf("next page link = %q, %v", next, err)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(next), chromedp.Click(chromedp.CSS(`#shared tbody a`)), chromedp.WaitVisible(chromedp.CSS(`p.text`)))
	if err != nil {
		t.Fatalf("open an activity's page: %v", err)
	}
	full, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`p.text`)))
	if err != nil || !strings.Contains(full, strings.Repeat("Long summary text. ", 20)[:200]) {
		t.Errorf("full text page: %q, %v", full, err)
	}

	// Another site's page posts forms to the dashboard as soon as it loads.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/dashboard/%s"><input name="name" value="admin-a">
<input name="password" value="correct horse battery"></form><script>document.forms[0].submit()</script>`, e.srv.URL, r.URL.Query().Get("to"))
	}))
	defer evil.Close()
	for _, to := range []string{"logout", "login"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(evil.URL+"/?to="+to)); err != nil {
			t.Fatalf("open the other site: %v", err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`location.href.startsWith(`+"`"+e.srv.URL+"`"+`) && document.readyState === 'complete'`)); err != nil {
			t.Fatalf("cross-origin post to %s: %v", to, err)
		}
		body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
		if err != nil || !strings.Contains(body, "sent from another site") {
			t.Errorf("cross-origin post to %s: page says %q, %v", to, body, err)
		}
	}
	// Still signed in: the forged sign-out changed nothing.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/dashboard/"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`))); err != nil {
		t.Errorf("after the forged posts the dashboard is gone: %v", err)
	}
}
