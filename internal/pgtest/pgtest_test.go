package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
	select {
	case <-s.exited:
	default:
		t.Errorf("postgres (pid %d) still runs after Stop", pid)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the server's folder is still there after Stop (%v)", err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("a second Stop: %v", err)
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
