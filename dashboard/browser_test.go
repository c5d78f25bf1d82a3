package dashboard_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package installs the browser;
// make test installs it.
const chromiumPath = "/usr/bin/chromium"

// TestBrowserSignInChartsAndDownload drives a real headless Chromium: sign
// in, see the dashboard's SVG charts laid out with a size, and download the
// shared activities CSV from within the signed-in page.
func TestBrowserSignInChartsAndDownload(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("chromium is required for this test (install it with make deps-test): %v", err)
	}
	e := newEnv(t, 0)
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
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first action starts the browser, which lives as long as ctx: it
	// runs without a deadline, the later steps with one.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/dashboard/?period=month")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "admin-a"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
	)
	if err != nil {
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
