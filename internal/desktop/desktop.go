// Package desktop starts Fieldbook's window: it opens the store while the
// window and its graphics start, wires the screens ([ui.New]) with the sync
// engine and the reports tab, sets the window's memory policy, fonts, icon
// and size, and closes everything in order when the window goes.
package desktop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/store"
	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/ui"
)

// processStart is taken as early as the window's packages allow: the
// start-up stages are logged, and measured, from here.
var processStart = time.Now()

// appID is the app's identity for Fyne (preferences, single instance).
const appID = "org.a20network.fieldbook"

// Config is what the window needs from the command line.
type Config struct {
	// DataDir is the data folder; Lang, if set, overrides the saved
	// language; Version is shown in Settings.
	DataDir, Lang, Version string
	// Out is where a [Tool] writes what it measured or shot.
	Out io.Writer
	// Tool, if not nil, takes over the window once it is built (builds
	// with the fieldbook_tools tag only); the window then does not sync.
	Tool Tool
}

// Tool measures or pictures the running window, then quits the app. It is
// started on a goroutine of its own once the screens are built.
type Tool interface {
	Run(a fyne.App, w fyne.Window, u *ui.UI, out io.Writer)
}

// guiMemoryLimit is the Go heap's soft limit in the window app.
const guiMemoryLimit = 96 << 20

// guiGCPercent is the collector's target in the window app (Go's default
// is 100): the heap may grow by 15 % over what is live before the next
// collection. The window's live heap is about 20 MB, so a collection is a
// few milliseconds of marking; at 25 the window held about 10 MB more
// after scrolling the whole list.
const guiGCPercent = 15

// Run opens the window and returns once it is closed, or ctx is done,
// with the store closed. It returns the error that kept the store from
// opening or from closing; a store that opens after the window has gone is
// closed before Run returns. Run must be called from the main goroutine, as
// Fyne's drivers require.
func Run(ctx context.Context, cfg Config) error {
	setMemoryPolicy()
	return start(ctx, cfg, platform{
		app:    app.NewWithID(appID),
		screen: screenArea,
		open: func(ctx context.Context) (*store.Store, error) {
			return store.OpenDir(ctx, cfg.DataDir, store.Options{LowMemory: true})
		},
	})
}

// setMemoryPolicy sets the collector's target and the heap's soft limit
// for the window, unless the environment sets them (GOGC, GOMEMLIMIT).
func setMemoryPolicy() {
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
}

// platform is what [start] runs on: the real app and screen in [Run], a
// test app and a slow store in tests.
type platform struct {
	app fyne.App
	// screen is the usable screen area once the app has started; nil when
	// unknown.
	screen func(fyne.Window) fyne.Size
	// open opens the store; it runs on a goroutine of its own.
	open func(context.Context) (*store.Store, error)
}

// opened is the outcome of opening the store.
type opened struct {
	st  *store.Store
	err error
}

// handoff passes the opened store from the goroutine that opens it to the
// window, or, once the window has gone, back to [start] to close. The
// opening goroutine never waits on the UI: it leaves the store here and
// asks the UI goroutine (fyne.Do) to take it, a request Fyne may run late,
// on another goroutine during shutdown, or not at all.
type handoff struct {
	mu      sync.Mutex // guards the fields below
	left    *opened    // opened, not yet taken by the window
	taken   *opened    // taken by the window
	started bool       // the app has started: the window may take the store
	gone    bool       // the window has gone: it takes nothing more
}

// leave stores o for the window to take.
func (h *handoff) leave(o opened) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.left = &o
}

// take hands the opened store to the window once the app has started and
// while the window is there; started says the app has started.
func (h *handoff) take(started bool) (opened, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.started = h.started || started
	if h.gone || !h.started || h.left == nil {
		return opened{}, false
	}
	h.taken, h.left = h.left, nil
	return *h.taken, true
}

// leaveWindow says the window has gone: from now on nothing is taken.
func (h *handoff) leaveWindow() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gone = true
}

// outcome is what was opened, whether or not the window took it; zero if
// nothing was.
func (h *handoff) outcome() opened {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.taken != nil:
		return *h.taken
	case h.left != nil:
		return *h.left
	}
	return opened{}
}

// start is [Run] on p: it opens the store while the window starts, builds
// the screens once both are ready, runs the app's loop, then stops the
// background work and closes the store, whenever the window went: before
// the store opened, while it opened, or after.
func start(ctx context.Context, cfg Config, p platform) error {
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	a := p.app
	var h handoff
	var show func(started bool) // set before ready is closed
	ready := make(chan struct{})
	opening := make(chan struct{}) // closed once the opening goroutine is done
	go func() {
		defer close(opening)
		st, err := p.open(runCtx)
		slog.Debug("startupStage", "stage", "storeOpen", "ms", time.Since(processStart).Milliseconds())
		h.leave(opened{st, err})
		<-ready
		fyne.Do(func() { show(false) })
	}()
	localeDir := locales.OverrideDir(cfg.DataDir)
	bundle, lerrs := locales.Load(localeDir)
	for _, e := range lerrs {
		slog.Warn("localeFileSkipped", "err", e)
	}
	go releaseMemory(runCtx, releaseCheck, releaseGrowth)

	a.SetIcon(iconResource())
	w := a.NewWindow("Fieldbook")
	w.Resize(windowSize(fyne.Size{}))
	w.SetContent(&widget.ProgressBarInfinite{})
	slog.Debug("startupStage", "stage", "windowMade", "ms", time.Since(processStart).Milliseconds())

	// The sync engine runs in the background for as long as the window is
	// open; it is stopped, and waited for, before the database closes.
	var background sync.WaitGroup
	show = func(started bool) {
		o, ok := h.take(started)
		if !ok {
			return
		}
		if o.err != nil {
			slog.Error("openStore", "err", o.err)
			d := dialog.NewError(o.err, w)
			d.SetOnClosed(a.Quit)
			d.Show()
			return
		}
		eng := client.New(o.st, client.Options{DeviceName: hostname()})
		u := ui.New(a, w, windowDeps(ctx, o.st, eng, bundle, localeDir, cfg))
		u.ShowLanguageErrors(lerrs)
		slog.Debug("startupStage", "stage", "uiBuilt", "ms", time.Since(processStart).Milliseconds())
		if cfg.Tool != nil {
			go cfg.Tool.Run(a, w, u, cfg.Out)
			return
		}
		background.Add(2)
		go func() {
			defer background.Done()
			if err := eng.Run(runCtx); err != nil {
				slog.Warn("backgroundSync", "err", err)
			}
		}()
		go func() {
			defer background.Done()
			refreshSyncScreen(runCtx, u)
		}()
	}
	close(ready)
	a.Lifecycle().SetOnStarted(func() {
		if p.screen != nil {
			// The screen's size is known once the driver runs.
			w.Resize(windowSize(p.screen(w)))
		}
		show(true)
	})
	go func() {
		<-runCtx.Done()
		if ctx.Err() != nil { // interrupted, not closed
			fyne.Do(a.Quit)
		}
	}()
	w.Show()
	a.Run()

	h.leaveWindow()
	stopRun()
	<-opening // it never waits on the window, and the store sees runCtx done
	background.Wait()
	o := h.outcome()
	if o.st != nil {
		if err := o.st.Close(); err != nil {
			return fmt.Errorf("desktop: close database: %w", err)
		}
	}
	if o.err != nil {
		return fmt.Errorf("desktop: open database: %w", o.err)
	}
	return nil
}

// hostname names the device to the hub; "" when the system will not say.
func hostname() string {
	name, _ := os.Hostname()
	return name
}

// windowDeps wires the open store, the sync engine, the languages and the
// reports tab for the screens.
func windowDeps(ctx context.Context, st *store.Store, syncer client.Syncer, bundle *locales.Bundle, localeDir string, cfg Config) ui.Deps {
	fonts := &systemFonts{}
	deps := ui.Deps{Store: st, Syncer: syncer, Bundle: bundle, LocaleDir: localeDir, Lang: cfg.Lang, DataDir: cfg.DataDir,
		Version: cfg.Version, Extra: []ui.Screen{ui.ReportsScreen(st)}, Covers: fonts.Covers, ScriptFonts: fonts.ScriptFonts}
	if cfg.Tool != nil {
		// Tooling runs must not stop at the first-start screen.
		if _, ok, _ := st.Setting(ctx, "language"); !ok && deps.Lang == "" {
			deps.Lang = "en"
		}
	}
	return deps
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
