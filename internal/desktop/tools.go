//go:build fieldbook_tools

package desktop

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/a20-network/fieldbook/ui"
)

// toolOptions are the gui command's flags in builds with the
// fieldbook_tools tag; all are for tooling, not people.
type toolOptions struct {
	screenshotDir  string
	screenshotLang string
	// screenshotSteps are what to capture: tab keys and "firstrun" (the
	// first-start screen); empty for every tab.
	screenshotSteps string
	measure         bool
}

// ToolFlags adds the measuring and screenshot flags to the gui command's
// fs; the returned function, called once fs is parsed, gives the [Tool]
// they ask for, or nil when they ask for none.
func ToolFlags(fs *flag.FlagSet) func() Tool {
	opts := &toolOptions{}
	fs.StringVar(&opts.screenshotDir, "screenshot", "", "capture every tab into DIR/<lang>-<tab>.png and exit")
	fs.StringVar(&opts.screenshotLang, "screenshot-langs", "en,fr", "languages to capture, comma-separated")
	fs.StringVar(&opts.screenshotSteps, "screenshot-steps", "", "what to capture, comma-separated: tab names (activities opens its first record), firstrun, and files (the first resource's files); every tab and files when empty")
	fs.BoolVar(&opts.measure, "measure-startup", false, "print the time to first frame and memory after scrolling the activity list, then exit")
	return func() Tool {
		if opts.screenshotDir == "" && !opts.measure {
			return nil
		}
		return opts
	}
}

// Run measures the start-up (--measure-startup) or captures the screens
// (--screenshot), then quits the app.
func (opts *toolOptions) Run(a fyne.App, w fyne.Window, u *ui.UI, out io.Writer) {
	if opts.measure {
		measureStartup(a, w, u, out)
		return
	}
	captureScreens(a, w, u, opts, out)
}

// measureStartup reports how long the first frame took, then scrolls the
// whole activity list and reports the resident memory.
func measureStartup(a fyne.App, w fyne.Window, u *ui.UI, out io.Writer) {
	var img image.Image
	fyne.DoAndWait(func() { img = w.Canvas().Capture() })
	first := time.Since(processStart)
	_ = img
	fmt.Fprintf(out, "first_frame_ms=%d\n", first.Milliseconds())
	start := time.Now()
	total := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		fyne.DoAndWait(func() { total = u.ActivityCount() })
		if total > 0 {
			break
		}
	}
	for deadline := time.Now().Add(10 * time.Second); total > 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		loaded := false
		fyne.DoAndWait(func() { loaded = u.ScrollActivities(0) })
		if loaded {
			fyne.DoAndWait(func() {}) // let the rows paint
			fmt.Fprintf(out, "first_rows_ms=%d\n", time.Since(processStart).Milliseconds())
			break
		}
	}
	if limit, err := strconv.Atoi(os.Getenv("FIELDBOOK_MEASURE_ROWS")); err == nil && limit < total {
		total = limit
	}
	rows := 0
	for i := 0; i < total; i += 100 {
		loaded := false
		fyne.DoAndWait(func() { loaded = u.ScrollActivities(i) })
		for deadline := time.Now().Add(10 * time.Second); !loaded && time.Now().Before(deadline); {
			time.Sleep(2 * time.Millisecond)
			fyne.DoAndWait(func() { loaded = u.ScrollActivities(i) })
		}
		rows = i
	}
	fyne.DoAndWait(func() { u.ScrollActivities(total - 1) })
	fmt.Fprintf(out, "activities=%d scrolled_to=%d scroll_ms=%d\n", total, rows, time.Since(start).Milliseconds())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, anon, file, peak := residentBytes()
	mb := func(n uint64) float64 { return float64(n) / (1 << 20) }
	fmt.Fprintf(out, "rss_mb=%.1f rss_anon_mb=%.1f rss_file_mb=%.1f rss_peak_mb=%.1f go_heap_mb=%.1f go_sys_mb=%.1f\n",
		mb(uint64(rss)), mb(uint64(anon)), mb(uint64(file)), mb(uint64(peak)), mb(ms.HeapInuse), mb(ms.Sys))
	// And once the window has sat still for a while, as when the user
	// stops scrolling to read: what Fyne kept of the rows scrolled past has
	// expired and the app has handed the memory back (releaseMemory).
	time.Sleep(settleAfterScroll)
	rss, anon, _, _ = residentBytes()
	fmt.Fprintf(out, "rss_settled_mb=%.1f rss_settled_anon_mb=%.1f\n", mb(uint64(rss)), mb(uint64(anon)))
	fyne.Do(a.Quit)
}

// settleAfterScroll is how long --measure-startup waits after the scroll
// before its second memory reading: Fyne's cache lifetime (FYNE_CACHE,
// 2 s), its clean-up pass, and a few memory checks (releaseCheck).
const settleAfterScroll = 8 * time.Second

// Screenshot steps that are not tabs: the first-start screen, and the
// resources with the first one open, scrolled to its files.
const (
	firstRunStep = "firstrun"
	filesStep    = "files"
)

// captureScreens saves a picture of every step (every tab and the files
// of the first resource unless --screenshot-steps names some) in every
// requested language, as DIR/<lang>-<step>.png. A list's first record is
// opened (SelectFirst).
func captureScreens(a fyne.App, w fyne.Window, u *ui.UI, opts *toolOptions, out io.Writer) {
	defer fyne.Do(a.Quit)
	if err := os.MkdirAll(opts.screenshotDir, 0o755); err != nil {
		slog.Error("screenshotDir", "err", err)
		return
	}
	settle := func() { time.Sleep(1500 * time.Millisecond) }
	settle()
	for _, lang := range splitList(opts.screenshotLang) {
		fyne.DoAndWait(func() { u.SetLanguage(lang) })
		settle()
		steps := splitList(opts.screenshotSteps)
		if len(steps) == 0 {
			fyne.DoAndWait(func() { steps = append(u.Tabs(), filesStep) })
		}
		for _, step := range steps {
			switch step {
			case firstRunStep:
				fyne.DoAndWait(u.ShowFirstStart)
			case filesStep:
				fyne.DoAndWait(func() { u.SelectTab(ui.TabResources) })
				settle()
				fyne.DoAndWait(u.SelectFirst)
				settle()
				fyne.DoAndWait(u.RevealFiles)
			default:
				fyne.DoAndWait(func() { u.SelectTab(step) })
				settle()
				fyne.DoAndWait(u.SelectFirst)
			}
			settle()
			path := filepath.Join(opts.screenshotDir, lang+"-"+step+".png")
			if err := shoot(w, path, out); err != nil {
				slog.Error("screenshot", "path", path, "err", err)
			}
			fyne.DoAndWait(u.LeaveFirstStart)
		}
	}
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// shoot asks the screenshot script to grab the screen into path ("shot
// PATH" on out) and waits for the file. Reading the window's own front
// buffer (Canvas.Capture) comes back blank under Xvfb's software GL, so the
// canvas capture is only the fallback when no script answers.
func shoot(w fyne.Window, path string, out io.Writer) error {
	fmt.Fprintf(out, "shot %s\n", path)
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
	}
	var img image.Image
	fyne.DoAndWait(func() { img = w.Canvas().Capture() })
	return writePNG(path, img)
}

func writePNG(path string, img image.Image) error {
	if img == nil {
		return errors.New("no image captured")
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}
