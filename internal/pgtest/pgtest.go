// Package pgtest starts throwaway PostgreSQL servers for tests: from the
// computer's own PostgreSQL programs (Debian's postgresql package), in a
// folder of their own under the system's temporary folder, gone when the
// tests end.
//
// A test binary shares one server ([Main] in TestMain, [NewDB] in each
// test: starting a server takes a second or two, a database a tenth of
// that). A server that cannot start fails the test that asked for it, with
// initdb's output or the server log's last lines: it is never skipped.
//
// PostgreSQL refuses to run as root, so when the tests run as root the
// server runs as the system user postgres (made by Debian's package), in a
// folder that user owns. It listens on a Unix socket in that folder, which
// only its owner (and root) may open, and on a free port of 127.0.0.1 that
// asks for a password made for the run.
//
// Nothing of one run can get in the way of the next: every run has its own
// folder and port. The server is told to stop when the program that started
// it dies, however it dies (Linux's parent-death signal), and the next
// [Start] removes the folders of runs whose program is gone, stopping any
// server still running there.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Superuser is the name of the servers' superuser, whom every URL names.
const Superuser = "postgres"

// folderPrefix starts the name of every server's folder, so that [Start]
// can find those of earlier runs.
const folderPrefix = "fieldbook-pgtest-"

// Options change how [Start] sets a server up. The zero Options is a server
// made for tests: no waiting for the disk on commit.
type Options struct {
	// Durable keeps PostgreSQL's own flushing to disk (fsync,
	// synchronous_commit, full_page_writes), for measurements that should
	// count it. A test server otherwise leaves it out: its data is thrown
	// away anyway.
	Durable bool
	// Settings are further server settings, name to value, as in
	// postgresql.conf.
	Settings map[string]string
	// BinDir is the folder of initdb and postgres; empty finds it (see
	// [BinDir]).
	BinDir string
}

// Server is a running throwaway PostgreSQL server. Its methods may be
// called from several goroutines.
type Server struct {
	dir      string // the run's folder; the data folder is dir/data
	bin      string
	port     int
	password string
	logPath  string
	admin    *sql.DB // to database postgres, for creating and dropping databases

	cmd    *exec.Cmd
	exited chan struct{} // closed when the server process has ended
	waitMu sync.Mutex    // guards waitErr
	// waitErr is how the server process ended, once exited is closed.
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// Start makes a new database cluster in a new folder and starts a server
// on it, returning when the server accepts connections. It first removes
// what is left of runs whose program has died. On any error the folder is
// removed again and the error says why: initdb's output, or the last lines
// of the server's log.
func Start(ctx context.Context, o Options) (*Server, error) {
	bin := o.BinDir
	if bin == "" {
		var err error
		if bin, err = BinDir(); err != nil {
			return nil, err
		}
	}
	for _, prog := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, prog)); err != nil {
			return nil, fmt.Errorf("pgtest: %s not found in %s: %w", prog, bin, err)
		}
	}
	runAs, err := serverUser()
	if err != nil {
		return nil, err
	}
	reapLeftovers(os.TempDir())

	dir, err := os.MkdirTemp(os.TempDir(), folderPrefix)
	if err != nil {
		return nil, fmt.Errorf("pgtest: make the server's folder: %w", err)
	}
	s := &Server{dir: dir, bin: bin, logPath: filepath.Join(dir, "postgres.log"), exited: make(chan struct{})}
	if err := s.setUp(ctx, o, runAs); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) setUp(ctx context.Context, o Options, runAs *account) error {
	// The owner file comes first, so that another run's Start can tell this
	// folder is in use as soon as it exists.
	if err := writeOwner(s.dir); err != nil {
		return err
	}
	if err := runAs.canReach(s.dir); err != nil {
		return err
	}
	if err := runAs.own(s.dir); err != nil {
		return err
	}
	if err := os.Chmod(s.dir, 0o700); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	pw := make([]byte, 16)
	if _, err := rand.Read(pw); err != nil {
		return fmt.Errorf("pgtest: make a password: %w", err)
	}
	s.password = hex.EncodeToString(pw)
	if err := s.initdb(ctx, runAs); err != nil {
		return err
	}
	// A free port can be taken by someone else between our look and the
	// server's bind: try again with another.
	var err error
	for range 3 {
		if s.port, err = freePort(); err != nil {
			return err
		}
		err = s.launch(ctx, o, runAs)
		if err == nil || !strings.Contains(err.Error(), "could not bind") {
			break
		}
	}
	if err != nil {
		return err
	}
	return s.openAdmin(ctx)
}

// initdb makes the database cluster in dir/data: superuser postgres, no
// password on the socket, the run's password over TCP, UTF-8 with the C
// locale so text sorts by its bytes as it does in SQLite.
func (s *Server) initdb(ctx context.Context, runAs *account) error {
	pwFile := filepath.Join(s.dir, "password")
	if err := os.WriteFile(pwFile, []byte(s.password+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer os.Remove(pwFile)
	if err := runAs.own(pwFile); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, "initdb"),
		"-D", filepath.Join(s.dir, "data"), "-U", Superuser,
		"--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile="+pwFile,
		"--encoding=UTF8", "--locale=C", "--no-sync")
	cmd.Dir = s.dir
	cmd.Env = serverEnv(s.bin)
	cmd.SysProcAttr = runAs.procAttr(false)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pgtest: initdb failed (%w):\n%s", err, lastLines(out.String(), 30))
	}
	return nil
}

// launch starts the server process and waits until it accepts
// connections or ends.
func (s *Server) launch(ctx context.Context, o Options, runAs *account) error {
	settings := map[string]string{
		"listen_addresses":        "127.0.0.1",
		"port":                    strconv.Itoa(s.port),
		"unix_socket_directories": s.dir,
		"unix_socket_permissions": "0700",
		"timezone":                "UTC",
		"max_connections":         "200",
	}
	if !o.Durable {
		settings["fsync"] = "off"
		settings["synchronous_commit"] = "off"
		settings["full_page_writes"] = "off"
	}
	for k, v := range o.Settings {
		settings[k] = v
	}
	names := make([]string, 0, len(settings))
	for k := range settings {
		names = append(names, k)
	}
	sort.Strings(names)
	args := []string{"-D", filepath.Join(s.dir, "data")}
	for _, k := range names {
		args = append(args, "-c", k+"="+settings[k])
	}
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer logFile.Close() // the server holds its own copy
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), args...)
	cmd.Dir = s.dir
	cmd.Env = serverEnv(s.bin)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = runAs.procAttr(!noParentDeathSignal)
	exited := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// The parent-death signal goes when the thread that started the
		// process ends, not the program: keep this thread for as long as
		// the server runs.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(exited)
			return
		}
		started <- nil
		err := cmd.Wait()
		s.waitMu.Lock()
		s.waitErr = err
		s.waitMu.Unlock()
		close(exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	s.cmd, s.exited = cmd, exited
	return s.waitReady(ctx)
}

// waitReady waits until the server accepts a connection, it ends, or ctx
// is done; it gives up after a minute.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var last error
	for {
		conn, err := pgx.Connect(ctx, s.URL("postgres"))
		if err == nil {
			return conn.Close(ctx)
		}
		last = err
		select {
		case <-s.exited:
			return fmt.Errorf("pgtest: postgres ended while starting (%v); its log ends:\n%s", s.exitErr(), s.LogTail(30))
		case <-ctx.Done():
			return fmt.Errorf("pgtest: postgres did not accept connections (%v, last try: %v); its log ends:\n%s", ctx.Err(), last, s.LogTail(30))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) exitErr() error {
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	return s.waitErr
}

func (s *Server) openAdmin(ctx context.Context) error {
	cfg, err := pgx.ParseConfig(s.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	s.admin = stdlib.OpenDB(*cfg)
	if err := s.admin.PingContext(ctx); err != nil {
		return fmt.Errorf("pgtest: connect to the new server: %w", err)
	}
	return nil
}

// URL is the connection URL of database db over the server's Unix socket,
// as the superuser, with no password.
func (s *Server) URL(db string) string {
	q := url.Values{"host": {s.dir}, "port": {strconv.Itoa(s.port)}}
	return (&url.URL{Scheme: "postgres", User: url.User(Superuser), Path: "/" + db, RawQuery: q.Encode()}).String()
}

// TCPURL is the connection URL of database db over TCP on 127.0.0.1, as
// the superuser with the run's password.
func (s *Server) TCPURL(db string) string {
	return (&url.URL{Scheme: "postgres", User: url.UserPassword(Superuser, s.password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)), Path: "/" + db, RawQuery: "sslmode=disable"}).String()
}

// Dir is the server's folder: the Unix socket, the log (postgres.log) and
// the data folder (data) are in it.
func (s *Server) Dir() string { return s.dir }

// Port is the server's TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.port }

// PID is the server's process id, 0 if it is not running.
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// LogTail is the last n lines of the server's log.
func (s *Server) LogTail(n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return lastLines(string(b), n)
}

// CreateDB makes an empty database called name. The name may be any text
// up to 63 bytes; it is quoted.
func (s *Server) CreateDB(ctx context.Context, name string) error {
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("pgtest: create database %s: %w (server log:\n%s)", name, err, s.LogTail(10))
	}
	return nil
}

// DropDB drops database name, ending any connection still open to it.
func (s *Server) DropDB(ctx context.Context, name string) error {
	if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("pgtest: drop database %s: %w", name, err)
	}
	return nil
}

// Stop stops the server (a fast shutdown: open connections are ended) and
// removes its folder. Later calls return the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(s.stop)
	return s.stopErr
}

func (s *Server) stop() {
	if s.admin != nil {
		s.admin.Close()
	}
	var errs []error
	if s.cmd != nil && s.cmd.Process != nil {
		// SIGINT is PostgreSQL's fast shutdown; SIGQUIT its immediate one.
		stopped := false
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGKILL} {
			_ = s.cmd.Process.Signal(sig)
			select {
			case <-s.exited:
				stopped = true
			case <-time.After(30 * time.Second):
			}
			if stopped {
				break
			}
		}
		if !stopped {
			errs = append(errs, fmt.Errorf("pgtest: postgres (pid %d) did not stop", s.cmd.Process.Pid))
		}
	}
	if err := os.RemoveAll(s.dir); err != nil {
		errs = append(errs, fmt.Errorf("pgtest: remove the server's folder: %w", err))
	}
	s.stopErr = errors.Join(errs...)
}

// BinDir finds the folder of PostgreSQL's server programs: the one
// pg_config names if initdb is in it, else the newest of Debian's
// /usr/lib/postgresql/*/bin, else the folder of an initdb on PATH.
func BinDir() (string, error) {
	has := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "initdb"))
		return err == nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); has(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for _, dir := range newestFirst(dirs) {
		if has(dir) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("pgtest: PostgreSQL's server programs (initdb) were not found, neither where pg_config says nor in /usr/lib/postgresql/*/bin nor on PATH: install Debian's postgresql package (make test installs it)")
}

// newestFirst sorts folders /usr/lib/postgresql/N/bin by N, the newest
// first (16 before 9.6).
func newestFirst(dirs []string) []string {
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	sort.SliceStable(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	return dirs
}

// serverEnv is the environment initdb and postgres run in: the server's
// programs first on PATH, and English messages.
func serverEnv(bin string) []string {
	return []string{"PATH=" + bin + ":/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
}

// freePort is a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
