package ui

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/model"
	"github.com/a20-network/fieldbook/store"
)

// testRunner runs background work in real goroutines but applies the
// results on the test goroutine, when the test calls settle: Fyne's test
// driver runs fyne.Do in the calling goroutine, which would let background
// goroutines touch widgets while the test reads them.
type testRunner struct {
	mu      sync.Mutex // guards pending
	pending int
	ch      chan func()
}

func newTestRunner() *testRunner { return &testRunner{ch: make(chan func(), 4096)} }

func (r *testRunner) async(work func() func()) {
	r.mu.Lock()
	r.pending++
	r.mu.Unlock()
	go func() {
		apply := work()
		r.ch <- func() {
			if apply != nil {
				apply()
			}
			r.mu.Lock()
			r.pending--
			r.mu.Unlock()
		}
	}()
}

func (r *testRunner) post(fn func()) { r.ch <- fn }

// settle applies finished work until none is in flight.
func (r *testRunner) settle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case fn := <-r.ch:
			fn()
			continue
		default:
		}
		r.mu.Lock()
		p := r.pending
		r.mu.Unlock()
		if p == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("background work did not finish (%d in flight)", p)
		}
		select {
		case fn := <-r.ch:
			fn()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// settleFor keeps applying posted work for d, for timers (search
// debouncing) that post later.
func (r *testRunner) settleFor(t *testing.T, d time.Duration) {
	t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		select {
		case fn := <-r.ch:
			fn()
		case <-time.After(10 * time.Millisecond):
		}
	}
	r.settle(t)
}

type harness struct {
	t     *testing.T
	app   fyne.App
	st    *store.Store
	dir   string
	bnd   *locales.Bundle
	run   *testRunner
	win   fyne.Window
	ui    *UI
	extra Deps
}

// newHarness opens a real store in a temporary folder, past the first
// start (English chosen).
func newHarness(t *testing.T) *harness {
	t.Helper()
	h := newFirstStartHarness(t)
	if err := h.st.SetSetting(context.Background(), settingLanguage, "en"); err != nil {
		t.Fatal(err)
	}
	return h
}

// newFirstStartHarness opens a real, empty store: the app has never run.
func newFirstStartHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	st, err := store.OpenDir(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, errs := locales.Load("")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return &harness{t: t, app: test.NewTempApp(t), st: st, dir: dir, bnd: b}
}

// start builds a new window and UI over the harness's store, as a fresh
// start of the app would. lang "" means the saved language.
func (h *harness) start(lang string) *UI {
	h.t.Helper()
	h.run = newTestRunner()
	h.win = h.app.NewWindow("test")
	h.win.Resize(fyne.NewSize(1280, 900))
	deps := h.extra
	deps.Store, deps.Bundle, deps.Lang, deps.DataDir, deps.Version = h.st, h.bnd, lang, h.dir, "test"
	h.ui = newUI(h.app, h.win, deps, h.run)
	h.win.Resize(fyne.NewSize(1280, 900))
	h.run.settle(h.t)
	return h.ui
}

func (h *harness) settle() { h.run.settle(h.t) }

func (h *harness) shortcut(key fyne.KeyName) {
	h.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault})
}

func (h *harness) activities(f store.ActivityFilter) []model.Activity {
	h.t.Helper()
	f.Limit = 1000
	as, err := h.st.Activities(context.Background(), f)
	if err != nil {
		h.t.Fatal(err)
	}
	return as
}

// sampleActivity is a valid activity for seeding the store.
func sampleActivity(title, country, start string) model.Activity {
	return model.Activity{
		Kind: "school_visit", Title: title, StartDate: start, Country: country, Place: "Zomba",
		Themes: []string{"education"}, Status: "final",
		Reach: model.Reach{Girls: [3]int{0, 10, 5}, Boys: [3]int{0, 8, 4}},
	}
}

func (h *harness) seed(as ...model.Activity) []model.Activity {
	h.t.Helper()
	var out []model.Activity
	for _, a := range as {
		saved, err := h.st.CreateActivity(context.Background(), a)
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, saved)
	}
	return out
}

// waitFor polls cond until it holds or the time runs out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func hasDraft(st *store.Store, key string) bool {
	_, err := st.Draft(context.Background(), key)
	return !errors.Is(err, store.ErrNotFound) && err == nil
}
