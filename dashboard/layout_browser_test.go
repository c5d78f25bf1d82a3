package dashboard_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshotDirEnv names a folder to keep the dashboard screenshots the
// layout test takes, for people to look at; without it they go to the
// test's temporary folder.
const screenshotDirEnv = "FIELDBOOK_DASHBOARD_SCREENSHOTS"

// chartLayoutJS measures, from the browser's own layout boxes, every text
// of every chart: which lie outside their chart's box, which overlap
// another text, and which overlap a bar or legend swatch. A text's box is
// its font's full height (1.36 em for Noto Sans: 15 px at 11 px), taller
// than its glyphs, so boxes of two rows of labels may share up to 2 px
// without the glyphs touching; sideways no sharing is allowed.
const chartLayoutJS = `(() => {
	const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
		Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
	const out = [];
	document.querySelectorAll('svg.chart').forEach((svg, i) => {
		const box = svg.getBoundingClientRect();
		const name = i + ' "' + (svg.getAttribute('aria-label') || '') + '"';
		const texts = Array.from(svg.querySelectorAll('text')).map(t => ({s: t.textContent, r: t.getBoundingClientRect()}));
		const marks = Array.from(svg.querySelectorAll('rect')).map(m => m.getBoundingClientRect()).filter(r => r.height >= 8);
		texts.forEach((t, j) => {
			const r = t.r;
			if (r.width <= 0) out.push(name + ': "' + t.s + '" is not drawn');
			if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
				out.push(name + ': "' + t.s + '" [' + [r.left, r.right].map(Math.round) + '] lies outside the chart [' + [box.left, box.right].map(Math.round) + ']');
			texts.slice(j + 1).forEach(u => { if (overlap(r, u.r)) out.push(name + ": \"" + t.s + "\" " + JSON.stringify([r.left,r.right,r.top,r.bottom].map(Math.round)) + " overlaps \"" + u.s + "\" " + JSON.stringify([u.r.left,u.r.right,u.r.top,u.r.bottom].map(Math.round))); });
			marks.forEach(m => { if (overlap(r, m)) out.push(name + ': "' + t.s + '" lies on a bar or swatch'); });
		});
	});
	return out;
})()`

// periodJS reads the first section's heading: the texts of its date
// isolates in document (logical) order, their dir, and whether the first
// is drawn to the left of the second.
const periodJS = `(() => {
	const ds = Array.from(document.querySelectorAll('section h2')[0].querySelectorAll('bdi'));
	return {Texts: ds.map(d => d.textContent), Dirs: ds.map(d => d.getAttribute('dir')),
		FirstLeft: ds.length == 2 && ds[0].getBoundingClientRect().right <= ds[1].getBoundingClientRect().left};
})()`

// TestBrowserDashboardLayoutArabicAndEnglish signs in to the dashboard in
// Arabic and in English and checks, from Chromium's layout, that every
// chart text lies inside its chart, that no two texts overlap and none
// sits on a bar, and that the period's dates are isolated, in logical
// order, and read in the page's direction (in Arabic the start date is on
// the right). It saves a screenshot of each page (see screenshotDirEnv).
func TestBrowserDashboardLayoutArabicAndEnglish(t *testing.T) {
	e := newEnv(t, 0)
	shots := os.Getenv(screenshotDirEnv)
	if shots == "" {
		shots = t.TempDir()
	}
	for _, tt := range []struct {
		lang      string
		firstLeft bool
	}{{"ar", false}, {"en", true}} {
		t.Run(tt.lang, func(t *testing.T) {
			page := e.srv.URL + "/dashboard/?lang=" + tt.lang + "&period=custom&from=2026-01-01&to=2026-12-31"
			ctx := startChromium(t, page)
			if err := signInWithChromium(ctx, "admin-a"); err != nil {
				t.Fatalf("sign in: %v", err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`svg.chart`))); err != nil {
				t.Fatalf("open %s: %v", page, err)
			}
			dir, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dir`))
			if err != nil || dir != map[string]string{"ar": "rtl", "en": "ltr"}[tt.lang] {
				t.Fatalf("page dir = %q, %v", dir, err)
			}
			problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](chartLayoutJS))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("chart %s", p)
			}
			type period struct {
				Texts, Dirs []string
				FirstLeft   bool
			}
			p, err := chromedp.Run(ctx, chromedp.Evaluate[period](periodJS))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(p.Texts, " ") != "2026-01-01 2026-12-31" || strings.Join(p.Dirs, " ") != "ltr ltr" || p.FirstLeft != tt.firstLeft {
				t.Errorf("period dates %q isolated with dir %q, start drawn left of end %v; want the start then the end, each ltr, start left %v",
					p.Texts, p.Dirs, p.FirstLeft, tt.firstLeft)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(shots, "dashboard-"+tt.lang+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", file)
		})
	}
}

// resourcesLayoutJS checks, from Chromium's layout, the resources page:
// nothing wider than the window, every block of a resource inside the
// page's main column, each files table with the name first in reading
// order (rightmost in a right-to-left page), and dates isolated left to
// right. It returns the problems and the files tables' first rows' texts.
const resourcesLayoutJS = `(() => {
	const out = [];
	const rtl = document.documentElement.dir == 'rtl';
	if (document.documentElement.scrollWidth > window.innerWidth + 1)
		out.push('page is ' + document.documentElement.scrollWidth + ' px wide in a ' + window.innerWidth + ' px window');
	const main = document.querySelector('main section').getBoundingClientRect();
	document.querySelectorAll('article.res h3, article.res p, .facts div, table.files').forEach(e => {
		const r = e.getBoundingClientRect();
		if (r.left < main.left - 0.5 || r.right > main.right + 0.5)
			out.push(e.tagName + ' "' + e.textContent.slice(0, 40) + '" [' + [r.left, r.right].map(Math.round) + '] lies outside the page [' + [main.left, main.right].map(Math.round) + ']');
	});
	const rows = [];
	document.querySelectorAll('table.files').forEach((t, i) => {
		const th = Array.from(t.querySelectorAll('th')).map(h => h.getBoundingClientRect());
		for (let j = 0; j + 1 < th.length; j++)
			if (rtl ? th[j].left < th[j + 1].right - 0.5 : th[j].right > th[j + 1].left + 0.5)
				out.push('files table ' + i + ': column ' + j + ' is not before column ' + (j + 1) + ' in reading order');
		const first = t.querySelector('tbody tr');
		if (first) rows.push(Array.from(first.querySelectorAll('td')).map(td => td.textContent.trim()).join(' | '));
	});
	document.querySelectorAll('.facts dd bdi').forEach(b => { if (b.getAttribute('dir') != 'ltr') out.push('date "' + b.textContent + '" not isolated ltr'); });
	return {Problems: out, Rows: rows};
})()`

// TestBrowserResourcesLayoutArabicAndEnglish opens the resources page of
// a hub with shared files in Arabic and in English and checks its layout
// from Chromium's boxes (see resourcesLayoutJS): in Arabic the file's
// name stands on the right of its size and type, sizes in Arabic digits.
// It saves a screenshot of each page (see screenshotDirEnv).
func TestBrowserResourcesLayoutArabicAndEnglish(t *testing.T) {
	e := newFilesEnv(t)
	shots := os.Getenv(screenshotDirEnv)
	if shots == "" {
		shots = t.TempDir()
	}
	for _, tt := range []struct{ lang, firstRow string }{
		{"ar", "guide.pdf | ٢٩٣ ك.ب | PDF"},
		{"en", "guide.pdf | 293 KB | PDF"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			ctx := startChromium(t, e.srv.URL+"/dashboard/login?lang="+tt.lang)
			if err := signInWithChromium(ctx, "admin-a"); err != nil {
				t.Fatalf("sign in: %v", err)
			}
			page := e.srv.URL + "/dashboard/resources/?lang=" + tt.lang
			if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`table.files`))); err != nil {
				t.Fatalf("open %s: %v", page, err)
			}
			type layout struct{ Problems, Rows []string }
			got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](resourcesLayoutJS))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range got.Problems {
				t.Error(p)
			}
			if len(got.Rows) == 0 || !slices.Contains(got.Rows, tt.firstRow) {
				t.Errorf("files tables' first rows %q, want one %q", got.Rows, tt.firstRow)
			}
			// The window, not the full page: Chromium's capture beyond the
			// window shifts a right-to-left page that fits in it.
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(shots, "resources-"+tt.lang+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", file)
		})
	}
}
