package pgtest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

func TestMain(m *testing.M) { Main(m) }

func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestNewDBIsEmptyAndDroppedAfterTheTest(t *testing.T) {
	ctx := context.Background()
	var first DB
	var leaked *sql.DB
	t.Run("first", func(t *testing.T) {
		first = NewDB(t)
		db, err := sql.Open("pgx", first.URL)
		if err != nil {
			t.Fatal(err)
		}
		leaked = db // left open past the test: the drop must end it
		if _, err := db.ExecContext(ctx, "CREATE TABLE x (v int)"); err != nil {
			t.Fatal(err)
		}
	})
	defer leaked.Close()
	t.Run("second", func(t *testing.T) {
		second := NewDB(t)
		if second.Name == first.Name {
			t.Fatalf("two tests got database %s", first.Name)
		}
		var tables int
		if err := open(t, second.URL).QueryRowContext(ctx,
			"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("a new database holds %d tables, want 0", tables)
		}
	})
	var left int
	if err := open(t, Shared(t).URL("postgres")).QueryRowContext(ctx,
		"SELECT count(*) FROM pg_database WHERE datname = $1", first.Name).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("database %s still exists after its test ended", first.Name)
	}
}

func TestServerRunsAsPostgresWhenRoot(t *testing.T) {
	s := Shared(t)
	want := strconv.Itoa(os.Geteuid())
	if want == "0" {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		want = u.Uid
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.PID()))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" && f[1] != want {
			t.Errorf("the server runs as uid %s, want %s", f[1], want)
		}
	}
	fi, err := os.Stat(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("the server's folder has mode %v, want 0700: only its owner may open the socket", fi.Mode().Perm())
	}
}

func TestTCPURLNeedsThePassword(t *testing.T) {
	ctx := context.Background()
	db := NewDB(t)
	var one int
	if err := open(t, db.TCPURL).QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("over TCP with the password: %v", err)
	}
	wrong := strings.Replace(db.TCPURL, ":"+db.Server.password+"@", ":wrong@", 1)
	err := open(t, wrong).PingContext(ctx)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
		t.Fatalf("over TCP with a wrong password: %v, want SQLSTATE 28P01 (invalid password)", err)
	}
}

// ownFolders are the server folders this process made.
func ownFolders(t *testing.T) []string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), folderPrefix+"*"))
	var own []string
	for _, dir := range dirs {
		b, _ := os.ReadFile(filepath.Join(dir, "owner"))
		if strings.HasPrefix(string(b), strconv.Itoa(os.Getpid())+" ") {
			own = append(own, dir)
		}
	}
	return own
}

func TestStartSaysWhyItFailedAndLeavesNothing(t *testing.T) {
	ctx := context.Background()
	Shared(t) // so that the count below is not disturbed by a start
	before := len(ownFolders(t))

	fakeBin, err := os.MkdirTemp("", "pgtest-fake-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(fakeBin) })
	if err := os.Chmod(fakeBin, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, script := range map[string]string{
		"initdb":   "#!/bin/sh\necho 'initdb: error: the disk is full' >&2\nexit 1\n",
		"postgres": "#!/bin/sh\nexit 1\n",
	} {
		if err := os.WriteFile(filepath.Join(fakeBin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"server refuses a setting", Options{Settings: map[string]string{"shared_buffers": "lots"}}, `invalid value for parameter "shared_buffers"`},
		{"initdb fails", Options{BinDir: fakeBin}, "initdb: error: the disk is full"},
		{"no programs", Options{BinDir: t.TempDir()}, "initdb not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Start(ctx, c.o)
			if err == nil {
				s.Stop()
				t.Fatal("the server started")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			if after := len(ownFolders(t)); after != before {
				t.Errorf("%d server folders of this run after a failed start, want %d", after, before)
			}
		})
	}
}

// recorder is a testing.TB that notes how a test ended.
type recorder struct {
	testing.TB
	fatal, skipped string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Name() string              { return "Recorder" }
func (r *recorder) Fatal(args ...any)         { r.fatal = fmt.Sprint(args...) }
func (r *recorder) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...) }
func (r *recorder) Skip(args ...any)          { r.skipped = fmt.Sprint(args...) }
func (r *recorder) Skipf(f string, a ...any)  { r.skipped = fmt.Sprintf(f, a...) }
func (r *recorder) SkipNow()                  { r.skipped = "SkipNow" }

func TestNewDBFailsTheTestWhenNoServer(t *testing.T) {
	r := &recorder{TB: t}
	newDB(r, nil, errors.New("PostgreSQL could not start, so this test cannot run: initdb: the disk is full"))
	if r.skipped != "" || !strings.Contains(r.fatal, "the disk is full") {
		t.Fatalf("the test was failed with %q and skipped with %q; want it failed with the reason", r.fatal, r.skipped)
	}
}

func TestStopRemovesTheServerAndItsFolder(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	pid, dir := s.PID(), s.Dir()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := processStart(pid); err == nil {
		t.Errorf("postgres (pid %d) still runs after Stop", pid)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the server's folder is still there after Stop (%v)", err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("a second Stop: %v", err)
	}
}

// helperEnv marks a run of the test binary as TestHelperProcess's.
const helperEnv = "FIELDBOOK_PGTEST_HELPER"

// TestHelperProcess is a program of its own when run by the tests below:
// it starts a server, prints "ready DIR PID", and waits to be killed or
// panics, as its mode says.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		return
	}
	var s *Server
	switch mode {
	case "panic":
		s = NewDB(t).Server
	case "orphan":
		noParentDeathSignal = true
		fallthrough
	case "kill":
		var err error
		if s, err = Start(context.Background(), Options{}); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Printf("ready %s %d\n", s.Dir(), s.PID())
	if mode == "panic" {
		panic("a test panicked")
	}
	select {}
}

// leftover runs TestHelperProcess in mode and returns its server's folder
// and process id once its program has died.
func leftover(t *testing.T, mode string) (dir string, pid int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "ready" {
			dir = f[1]
			pid, _ = strconv.Atoi(f[2])
			break
		}
	}
	if dir == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the helper process did not start a server")
	}
	if mode != "panic" {
		cmd.Process.Kill()
	}
	go func() { // the panic's message
		for sc.Scan() {
		}
	}()
	err = cmd.Wait()
	if err == nil {
		t.Fatalf("the helper process ended without an error")
	}
	return dir, pid
}

// gone waits (a minute at most) for process pid to end.
func gone(pid int) bool {
	for range 1200 {
		if _, err := processStart(pid); err != nil {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func TestLeftoversOfDeadRunsDoNotBreakTheNext(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal and /proc are Linux's")
	}
	alive := Shared(t) // another run's server, still in use: it must stay
	for _, c := range []struct {
		mode, what  string
		stopsItself bool
	}{
		{"kill", "a test binary killed with SIGKILL", true},
		{"panic", "a test that panicked", true},
		{"orphan", "a killed run whose server outlived it", false},
	} {
		t.Run(c.mode, func(t *testing.T) {
			dir, pid := leftover(t, c.mode)
			if c.stopsItself && !gone(pid) {
				t.Fatalf("after %s its server (pid %d) still runs", c.what, pid)
			}
			if !c.stopsItself {
				if _, err := processStart(pid); err != nil {
					t.Fatalf("the orphan's server did not outlive it, so this case tests nothing: %v", err)
				}
			}
			if _, err := os.Stat(dir); err != nil {
				t.Fatalf("after %s its folder is already gone (%v), so this case tests nothing", c.what, err)
			}

			next, err := Start(context.Background(), Options{})
			if err != nil {
				t.Fatalf("the next start after %s: %v", c.what, err)
			}
			defer next.Stop()
			if next.Dir() == dir || next.Port() == alive.Port() {
				t.Errorf("the next run reuses folder %s or port %d", dir, next.Port())
			}
			if !gone(pid) {
				t.Errorf("the leftover server (pid %d) still runs after the next start", pid)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the leftover folder %s is still there after the next start (%v)", dir, err)
			}
			if _, err := os.Stat(alive.Dir()); err != nil {
				t.Errorf("the next start removed a running server's folder: %v", err)
			}
			if err := syscall.Kill(alive.PID(), 0); err != nil {
				t.Errorf("the next start stopped a running server: %v", err)
			}
		})
	}
}

func TestBinDirPrefersTheNewestVersion(t *testing.T) {
	dirs := newestFirst([]string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"})
	if want := "/usr/lib/postgresql/16/bin /usr/lib/postgresql/15/bin /usr/lib/postgresql/9.6/bin"; strings.Join(dirs, " ") != want {
		t.Errorf("newest first: %v, want %s", dirs, want)
	}
	if dir, err := BinDir(); err != nil {
		t.Errorf("BinDir: %v", err)
	} else if _, err := os.Stat(filepath.Join(dir, "postgres")); err != nil {
		t.Errorf("BinDir %s has no postgres: %v", dir, err)
	}
}

func TestDBNameIsAValidUniqueName(t *testing.T) {
	long := dbName("TestSomething/with a very long subtest name that goes on and on past the limit", 12345)
	if len(long) > 63 || !strings.HasPrefix(long, "t12345_testsomething_with_a") {
		t.Errorf("dbName = %q (%d bytes)", long, len(long))
	}
	if dbName("TestX", 1) == dbName("TestX", 2) {
		t.Error("two databases of one test share a name")
	}
}
