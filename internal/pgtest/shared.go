package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// DB is a test's own empty database on a running server.
type DB struct {
	// Name is the database's name.
	Name string
	// URL connects to it over the server's Unix socket, as the superuser.
	URL string
	// TCPURL connects to it over TCP on 127.0.0.1, with a password.
	TCPURL string
	// Server is the server it is on.
	Server *Server
}

// shared is the server the tests of one test binary share.
var shared struct {
	inMain atomic.Bool  // set by Main
	n      atomic.Int64 // databases made, for unique names
	mu     sync.Mutex   // guards the fields below
	srv    *Server
	err    error // why srv could not start
	ended  bool  // Main has stopped the server
}

// Main runs a package's tests (call it from TestMain), then each of after
// (to remove what the tests left, such as a benchmark's fixture), then
// stops the shared server, if a test started one, and removes its folder.
// It also stops the server on SIGINT or SIGTERM. It does not return: it
// exits with the tests' status, or 1 if the server could not be stopped.
func Main(m *testing.M, after ...func()) {
	shared.inMain.Store(true)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		_ = stopShared()
		fmt.Fprintf(os.Stderr, "pgtest: %v: stopped the test PostgreSQL server\n", sig)
		os.Exit(2)
	}()
	code := m.Run()
	for _, f := range after {
		f()
	}
	if err := stopShared(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Shared is the test binary's shared server, started by the first test
// that asks. If it cannot start, the test fails with the reason.
func Shared(t testing.TB) *Server {
	t.Helper()
	srv, err := sharedServer(t)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// NewDB makes a new, empty database on the shared server for t and drops it
// when t and its subtests end (ending any connection still open to it). If
// the server cannot start, t fails with the reason; it is never skipped.
// The package's TestMain must call [Main].
func NewDB(t testing.TB) DB {
	t.Helper()
	srv, err := sharedServer(t)
	return newDB(t, srv, err)
}

// NewDB makes a new, empty database on s for t, as the package's [NewDB]
// does on the shared server.
func (s *Server) NewDB(t testing.TB) DB {
	t.Helper()
	return newDB(t, s, nil)
}

func sharedServer(t testing.TB) (*Server, error) {
	if !shared.inMain.Load() {
		return nil, errors.New("pgtest: the package's TestMain must call pgtest.Main(m), which stops the shared server when the tests end")
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ended {
		return nil, errors.New("pgtest: the tests have ended")
	}
	if shared.srv == nil && shared.err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		start := time.Now()
		shared.srv, shared.err = Start(ctx, Options{})
		if shared.err != nil {
			shared.err = fmt.Errorf("PostgreSQL could not start, so this test cannot run: %w", shared.err)
		} else {
			t.Logf("pgtest: started PostgreSQL in %s (%v)", shared.srv.Dir(), time.Since(start).Round(time.Millisecond))
		}
	}
	return shared.srv, shared.err
}

func stopShared() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.ended = true
	if shared.srv == nil {
		return nil
	}
	return shared.srv.Stop()
}

func newDB(t testing.TB, srv *Server, err error) DB {
	t.Helper()
	if err != nil {
		t.Fatal(err)
		return DB{}
	}
	name := dbName(t.Name(), shared.n.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.CreateDB(ctx, name); err != nil {
		t.Fatal(err)
		return DB{}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := srv.DropDB(ctx, name); err != nil {
			t.Error(err)
		}
	})
	return DB{Name: name, URL: srv.URL(name), TCPURL: srv.TCPURL(name), Server: srv}
}

// dbName is a database name made of a test's name: lower-case letters,
// digits and _, unique by n, at most 63 bytes (PostgreSQL's limit).
func dbName(test string, n int64) string {
	var b strings.Builder
	b.WriteString("t" + strconv.FormatInt(n, 10) + "_")
	for _, r := range strings.ToLower(test) {
		if b.Len() >= 63 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// HubEnv is the environment variable that, set to "postgres", makes the
// tests that open a hub keep it on PostgreSQL ([HubDB]) instead of SQLite
// in its data folder.
const HubEnv = "FIELDBOOK_TEST_HUB_DB"

// HubOnPostgres says whether this test run keeps its hubs on PostgreSQL
// (see [HubEnv]).
func HubOnPostgres() bool { return os.Getenv(HubEnv) == "postgres" }

// hubDBs are the databases of the hubs tests keep on PostgreSQL, by the
// hub's data folder.
var hubDBs sync.Map // string → DB

// HubURL is the PostgreSQL database of the hub a test keeps in data folder
// dir, or "" when the run keeps hubs on SQLite ([HubOnPostgres]). The same
// folder gives the same database for as long as the test that first asked
// runs, so a hub opened again finds its data; the database is made empty
// and dropped when that test ends. If PostgreSQL cannot start, t fails.
func HubURL(t testing.TB, dir string) string {
	t.Helper()
	if !HubOnPostgres() {
		return ""
	}
	if db, ok := hubDBs.Load(dir); ok {
		return db.(DB).URL
	}
	db := NewDB(t)
	if prev, loaded := hubDBs.LoadOrStore(dir, db); loaded {
		return prev.(DB).URL
	}
	t.Cleanup(func() { hubDBs.Delete(dir) })
	return db.URL
}
