package pgtest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// noParentDeathSignal leaves out the parent-death signal, so that a test
// can make the leftover of a killed run that [reapLeftovers] must stop.
var noParentDeathSignal = false

// account is the system user a server runs as when the tests run as root;
// nil runs it as the current user.
type account struct {
	name     string
	uid, gid uint32
}

// serverUser is the user the server must run as: postgres when running as
// root, which PostgreSQL refuses; nil (the current user) otherwise.
func serverUser() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: the tests run as root, which PostgreSQL refuses, and there is no user postgres to run it as (%w): install Debian's postgresql package, which makes it", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("pgtest: user postgres: %w", err)
	}
	return &account{name: u.Username, uid: uint32(uid), gid: uint32(gid)}, nil
}

// canReach says why the account could not open a file in dir, nil if it
// can: every folder above dir must let others through, since only dir
// itself is given to the account. A root-only TMPDIR is the usual reason.
func (a *account) canReach(dir string) error {
	if a == nil {
		return nil
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("pgtest: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("pgtest: user %s, who runs the server, cannot reach %s: folder %s is closed to other users; set TMPDIR to a folder it can reach, such as /tmp", a.name, dir, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// own gives path to the account.
func (a *account) own(path string) error {
	if a == nil {
		return nil
	}
	if err := os.Chown(path, int(a.uid), int(a.gid)); err != nil {
		return fmt.Errorf("pgtest: give %s to user %s: %w", path, a.name, err)
	}
	return nil
}

// procAttr runs a process as the account, in a process group of its own
// (so that a Ctrl-C at the terminal leaves it to the tests to stop), and,
// with deathSignal, tells the kernel to send it SIGQUIT (PostgreSQL's
// immediate shutdown) when the thread that started it ends. Go sets the
// signal after changing the user, which would otherwise clear it.
func (a *account) procAttr(deathSignal bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if deathSignal {
		attr.Pdeathsig = syscall.SIGQUIT
	}
	if a != nil {
		attr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid}
	}
	return attr
}

// writeOwner records in dir which process made it: its id and start time,
// so that a reused process id is not taken for the same process.
func writeOwner(dir string) error {
	start, err := processStart(os.Getpid())
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "owner"), fmt.Appendf(nil, "%d %d\n", os.Getpid(), start), 0o644); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	return nil
}

// processStart is when process pid started, in clock ticks since boot;
// an error if there is no such process or it has ended (a zombie).
func processStart(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("process %d: %w", pid, err)
	}
	// The command name, in parentheses, may hold spaces; the fields after it
	// are the state (field 3) … the start time (field 22).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("process %d: unreadable stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, fmt.Errorf("process %d: unreadable stat", pid)
	}
	if f[0] == "Z" || f[0] == "X" {
		return 0, fmt.Errorf("process %d has ended", pid)
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// reapLeftovers removes the folders that earlier runs left in tmp when
// their program died without removing them (killed, or a test panicked),
// stopping any server still running in them. A folder whose program still
// runs is left alone, as is one another user's run made.
func reapLeftovers(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, folderPrefix+"*"))
	for _, dir := range dirs {
		if ownerAlive(dir) {
			continue
		}
		stopLeftover(dir)
		_ = os.RemoveAll(dir)
	}
}

// ownerAlive says whether the program that made dir may still be using it.
func ownerAlive(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "owner"))
	if errors.Is(err, fs.ErrNotExist) {
		// Being made this instant, or left before its owner file was
		// written: only an old one is a leftover.
		fi, err := os.Stat(dir)
		return err != nil || time.Since(fi.ModTime()) < 10*time.Minute
	}
	if err != nil {
		return true // not ours to judge
	}
	var pid int
	var start uint64
	if _, err := fmt.Sscan(string(b), &pid, &start); err != nil {
		return false
	}
	got, err := processStart(pid)
	return err == nil && got == start
}

// stopLeftover stops the server still running in a leftover folder, if
// any: the postmaster named in its postmaster.pid, once its command line
// shows it is that folder's.
func stopLeftover(dir string) {
	data := filepath.Join(dir, "data")
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 1 {
		return
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !bytes.Contains(cmdline, []byte("\x00"+data+"\x00")) {
		return
	}
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGKILL} {
		_ = syscall.Kill(pid, sig)
		for range 100 {
			if _, err := processStart(pid); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
