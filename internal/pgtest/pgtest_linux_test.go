package pgtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

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
	var stderr bytes.Buffer // the panic's message, shown only if something is wrong
	cmd.Stderr = &stderr
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the helper process said:\n%s", stderr.String())
		}
	})
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
	go func() { // the rest of its output
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

// TestAClosedTempDirIsNamed starts a server with TMPDIR in a folder that
// only its owner may enter: as root, whose server runs as postgres, the
// error names the folder; as another user, the server starts.
func TestAClosedTempDirIsNamed(t *testing.T) {
	closed, err := os.MkdirTemp("", "pgtest-closed-") // 0700, in the open temporary folder
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(closed) })
	t.Setenv("TMPDIR", closed)
	s, err := Start(context.Background(), Options{})
	if os.Geteuid() != 0 {
		if err != nil {
			t.Fatalf("as the folder's owner: %v", err)
		}
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err == nil {
		s.Stop()
		t.Fatal("the server started in a folder user postgres cannot reach")
	}
	if !strings.Contains(err.Error(), "folder "+closed+" is closed to other users; set TMPDIR") {
		t.Errorf("the error does not name the closed folder: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(closed, folderPrefix+"*")); len(left) != 0 {
		t.Errorf("a failed start left %v", left)
	}
}
