package desktop

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/a20-network/fieldbook/store"
)

// loopApp is Fyne's test app with an event loop like the desktop
// driver's: Run calls the started hook, then runs what fyne.Do sends it on
// its own goroutine until Quit; after that, fyne.Do's calls are dropped.
type loopApp struct {
	fyne.App
	life  lifecycle
	calls chan func()
	quit  chan struct{}
	once  sync.Once
	began chan struct{} // closed when Run is entered
}

// newLoopApp makes a loopApp the current app for the test.
func newLoopApp(t testing.TB) *loopApp {
	a := &loopApp{App: test.NewTempApp(t), calls: make(chan func()), quit: make(chan struct{}), began: make(chan struct{})}
	fyne.SetCurrentApp(a)
	return a
}

func (a *loopApp) Lifecycle() fyne.Lifecycle { return &a.life }

func (a *loopApp) Driver() fyne.Driver { return loopDriver{a.App.Driver(), a} }

func (a *loopApp) Run() {
	close(a.began)
	if f := a.life.started(); f != nil {
		f()
	}
	for {
		select {
		case f := <-a.calls:
			f()
		case <-a.quit:
			return
		}
	}
}

func (a *loopApp) Quit() { a.once.Do(func() { close(a.quit) }) }

// loopDriver hands fyne.Do's calls to its app's loop.
type loopDriver struct {
	fyne.Driver
	a *loopApp
}

func (d loopDriver) DoFromGoroutine(f func(), wait bool) {
	done := make(chan struct{})
	select {
	case d.a.calls <- func() { f(); close(done) }:
	case <-d.a.quit:
		return // dropped, as after the desktop driver's shutdown
	}
	if wait {
		select {
		case <-done:
		case <-d.a.quit:
		}
	}
}

// lifecycle keeps the started hook for loopApp.
type lifecycle struct {
	mu      sync.Mutex // guards onStart
	onStart func()
}

func (l *lifecycle) SetOnEnteredForeground(func()) {}
func (l *lifecycle) SetOnExitedForeground(func())  {}
func (l *lifecycle) SetOnStopped(func())           {}
func (l *lifecycle) SetOnStarted(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onStart = f
}

func (l *lifecycle) started() func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.onStart
}

// TestQuitDuringStartUp quits the window, or interrupts the app, while the
// store is still opening: start must return promptly, without waiting on
// the window that has gone, and close the store that opens after it.
func TestQuitDuringStartUp(t *testing.T) {
	for _, c := range []struct {
		name string
		quit func(a *loopApp, cancel context.CancelFunc)
	}{
		{"window closed", func(a *loopApp, _ context.CancelFunc) { a.Quit() }},
		{"interrupted", func(_ *loopApp, cancel context.CancelFunc) { cancel() }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			a := newLoopApp(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			openStarted := make(chan struct{})
			stc := make(chan *store.Store, 1)
			slowOpen := func(ctx context.Context) (*store.Store, error) {
				close(openStarted)
				// The store takes until the window has gone to open.
				<-ctx.Done()
				st, err := store.OpenDir(context.Background(), dir, store.Options{LowMemory: true})
				stc <- st
				return st, err
			}
			done := make(chan error, 1)
			go func() {
				done <- start(ctx, Config{DataDir: dir, Version: "test"}, platform{app: a, open: slowOpen})
			}()
			<-openStarted
			<-a.began
			c.quit(a, cancel)
			waitReturn(t, done)
			st := <-stc
			if st == nil {
				t.Fatal("the store did not open")
			}
			if _, _, err := st.Setting(context.Background(), "language"); err == nil {
				t.Fatal("the store opened after the window went is still open")
			}
		})
	}
}

// TestStartThenQuit opens the window over a store that opens at once,
// builds the screens, and quits: start closes the store and returns.
func TestStartThenQuit(t *testing.T) {
	dir := t.TempDir()
	a := newLoopApp(t)
	stc := make(chan *store.Store, 1)
	open := func(ctx context.Context) (*store.Store, error) {
		st, err := store.OpenDir(ctx, dir, store.Options{LowMemory: true})
		stc <- st
		return st, err
	}
	done := make(chan error, 1)
	go func() {
		done <- start(context.Background(), Config{DataDir: dir, Lang: "en", Version: "test"}, platform{app: a, open: open})
	}()
	st := <-stc
	<-a.began
	// Wait for the window to take the store and show the screens.
	for built := false; !built; {
		fyne.DoAndWait(func() {
			_, loading := a.Driver().AllWindows()[0].Content().(*widget.ProgressBarInfinite)
			built = !loading
		})
	}
	a.Quit()
	waitReturn(t, done)
	if _, _, err := st.Setting(context.Background(), "language"); err == nil {
		t.Fatal("the store is still open after the window went")
	}
}

// waitReturn fails t unless start, which sends its error on done, returns
// nil in good time after the window went.
func waitReturn(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("start: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("start did not return after the window went")
	}
}
