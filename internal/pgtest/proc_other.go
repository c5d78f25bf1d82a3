//go:build !linux

package pgtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// noParentDeathSignal has no effect here: only Linux has the signal.
var noParentDeathSignal = false

// account is the system user a server runs as; only the current user is
// supported here.
type account struct{}

func serverUser() (*account, error) {
	if os.Geteuid() == 0 {
		return nil, errors.New("pgtest: the tests run as root, which PostgreSQL refuses; running the server as another user is supported on Linux only")
	}
	return nil, nil
}

func (a *account) canReach(string) error { return nil }

func (a *account) own(string) error { return nil }

func (a *account) procAttr(bool) *syscall.SysProcAttr { return nil }

// writeOwner records in dir which process made it.
func writeOwner(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "owner"), fmt.Appendf(nil, "%d 0\n", os.Getpid()), 0o644); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	return nil
}

// reapLeftovers does nothing here: without Linux's /proc the harness
// cannot tell whether a folder's program still runs.
func reapLeftovers(string) {}
