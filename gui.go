package main

import (
	"context"
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
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/ui"
)

// processStart is taken as early as package main can: the start-up
// measurement counts from here.
var processStart = time.Now()

// newSyncer builds the sync engine the window drives; nil until a sync
// engine registers itself, in which case the Sync screen works from the
// store alone and says the device is not connected to a hub.
var newSyncer func(st *store.Store, cfg config) ui.Syncer

// extraScreens are tabs other parts of the app add (reports); each is built
// from the open store.
var extraScreens []func(st *store.Store, cfg config) ui.Screen

func init() {
	commands["gui"] = command{summary: "open the app window (the default)", run: runGUI}
}

// guiMemoryLimit is the Go heap's soft limit in the window app.
const guiMemoryLimit = 96 << 20

// guiGCPercent is the collector's target in the window app (Go's default
// is 100): the heap may grow by 15 % over what is live before the next
// collection. The window's live heap is about 20 MB, so a collection is a
// few milliseconds of marking; at 25 the window held about 10 MB more
// after scrolling the whole list.
const guiGCPercent = 15

// guiOptions are the gui command's flags; all are for tooling, not people.
type guiOptions struct {
	screenshotDir  string
	screenshotLang string
	// screenshotSteps are what to capture: tab keys and "firstrun" (the
	// first-start screen); empty for every tab.
	screenshotSteps string
	measure         bool
}

func runGUI(ctx context.Context, cfg config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("gui", flag.ContinueOnError)
	var opts guiOptions
	fs.StringVar(&opts.screenshotDir, "screenshot", "", "capture every tab into DIR/<lang>-<tab>.png and exit")
	fs.StringVar(&opts.screenshotLang, "screenshot-langs", "en,fr", "languages to capture, comma-separated")
	fs.StringVar(&opts.screenshotSteps, "screenshot-steps", "", "what to capture, comma-separated: tab names (activities opens its first record) and firstrun; every tab when empty")
	fs.BoolVar(&opts.measure, "measure-startup", false, "print the time to first frame and memory after scrolling the activity list, then exit")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit makes the collector hand memory back sooner on the
		// small laptops the app runs on; it never stops the app.
		debug.SetMemoryLimit(guiMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		// Drawing text makes short-lived images; collecting them sooner
		// keeps the window's footprint near what it uses, for more
		// collector work while it scrolls (README, Performance (app)).
		debug.SetGCPercent(guiGCPercent)
	}
	// The database opens while the window and its graphics start, so the
	// first screen with records appears as early as both allow.
	type opened struct {
		st  *store.Store
		err error
	}
	openc := make(chan opened, 1)
	cfg.lowMemory = true
	go func() {
		st, err := openStore(ctx, cfg)
		slog.Debug("startupStage", "stage", "storeOpen", "ms", time.Since(processStart).Milliseconds())
		openc <- opened{st, err}
	}()
	localeDir := locales.OverrideDir(cfg.dataDir)
	bundle, lerrs := locales.Load(localeDir)
	for _, e := range lerrs {
		slog.Warn("localeFileSkipped", "err", e)
	}
	// The sync engine runs in the background for as long as the window is
	// open; it is stopped, and waited for, before the database closes.
	runCtx, stopRun := context.WithCancel(ctx)
	go releaseMemory(runCtx, releaseCheck, releaseGrowth)
	runDone := make(chan struct{})
	close(runDone) // replaced when the engine starts
	defer stopRun()

	a := app.NewWithID("org.a20network.fieldbook")
	a.SetIcon(iconResource())
	w := a.NewWindow("Fieldbook")
	w.Resize(windowSize(fyne.Size{}))
	w.SetContent(&widget.ProgressBarInfinite{})
	slog.Debug("startupStage", "stage", "windowMade", "ms", time.Since(processStart).Milliseconds())

	var st *store.Store
	var openErr error
	a.Lifecycle().SetOnStarted(func() {
		// The screen's size is known once the driver runs.
		w.Resize(windowSize(screenArea(w)))
		go func() {
			o := <-openc
			fyne.Do(func() {
				st, openErr = o.st, o.err
				if openErr != nil {
					slog.Error("openStore", "err", openErr)
					d := dialog.NewError(openErr, w)
					d.SetOnClosed(a.Quit)
					d.Show()
					return
				}
				deps := guiDeps(ctx, st, bundle, localeDir, cfg, opts)
				u := ui.New(a, w, deps)
				u.ShowLanguageErrors(lerrs)
				if r, ok := deps.Syncer.(interface{ Run(context.Context) error }); ok && opts.screenshotDir == "" && !opts.measure {
					runDone = make(chan struct{})
					go func() {
						defer close(runDone)
						if err := r.Run(runCtx); err != nil {
							slog.Warn("backgroundSync", "err", err)
						}
					}()
					go refreshSyncScreen(runCtx, u)
				}
				slog.Debug("startupStage", "stage", "uiBuilt", "ms", time.Since(processStart).Milliseconds())
				switch {
				case opts.measure:
					go measureStartup(a, w, u, out)
				case opts.screenshotDir != "":
					go captureScreens(a, w, u, opts, out)
				}
			})
		}()
	})
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	stopRun()
	<-runDone
	if st == nil && openErr == nil {
		// Quit before the database finished opening.
		o := <-openc
		st, openErr = o.st, o.err
	}
	if st != nil {
		if err := st.Close(); err != nil {
			return fmt.Errorf("close database: %w", err)
		}
	}
	return openErr
}

// guiDeps wires the open store, languages and optional parts for the UI.
func guiDeps(ctx context.Context, st *store.Store, bundle *locales.Bundle, localeDir string, cfg config, opts guiOptions) ui.Deps {
	fonts := &systemFonts{}
	deps := ui.Deps{Store: st, Bundle: bundle, LocaleDir: localeDir, Lang: cfg.lang, DataDir: cfg.dataDir, Version: Version,
		Covers: fonts.Covers, ScriptFonts: fonts.ScriptFonts}
	if newSyncer != nil {
		deps.Syncer = newSyncer(st, cfg)
	}
	for _, mk := range extraScreens {
		deps.Extra = append(deps.Extra, mk(st, cfg))
	}
	if opts.screenshotDir != "" || opts.measure {
		// Tooling runs must not stop at the first-start screen.
		if _, ok, _ := st.Setting(ctx, "language"); !ok && deps.Lang == "" {
			deps.Lang = "en"
		}
	}
	return deps
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

// residentBytes reads the process's resident set size, its anonymous and
// file-backed parts, and its peak so far (Linux; zeros elsewhere).
func residentBytes() (total, anon, file, peak int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, 0, 0
	}
	read := func(rest string) int64 {
		var kb int64
		fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
		return kb * 1024
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			total = read(rest)
		} else if rest, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			anon = read(rest)
		} else if rest, ok := strings.CutPrefix(line, "RssFile:"); ok {
			file = read(rest)
		} else if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak = read(rest)
		}
	}
	return total, anon, file, peak
}

// firstRunStep is the screenshot step of the first-start screen.
const firstRunStep = "firstrun"

// captureScreens saves a picture of every step (every tab unless
// --screenshot-steps names some) in every requested language, as
// DIR/<lang>-<step>.png. A list's first record is opened (SelectFirst).
func captureScreens(a fyne.App, w fyne.Window, u *ui.UI, opts guiOptions, out io.Writer) {
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
			fyne.DoAndWait(func() { steps = u.Tabs() })
		}
		for _, step := range steps {
			if step == firstRunStep {
				fyne.DoAndWait(u.ShowFirstStart)
			} else {
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

// syncScreenRefresh is how often the Sync screen, while in view, reads what
// background syncs changed.
const syncScreenRefresh = 15 * time.Second

// refreshSyncScreen keeps the Sync screen current until ctx is done.
func refreshSyncScreen(ctx context.Context, u *ui.UI) {
	every(ctx, syncScreenRefresh, func() { fyne.Do(u.RefreshSync) })
}

// every calls fn every interval until ctx is done.
func every(ctx context.Context, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}
