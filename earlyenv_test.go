package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRunsBeforeFyne starts this test binary afresh with the runtime's init
// trace (GODEBUG=inittrace=1), which prints one line per package as it is
// initialized, and checks that earlyenv ran before every Fyne package that
// reads the environment: the cache (FYNE_CACHE) and the language lookup.
// It also starts it as a user would on a machine whose locale is C.UTF-8
// and checks that Fyne logged no locale error.
func TestRunsBeforeFyne(t *testing.T) {
	if os.Getenv("FIELDBOOK_EARLYENV_CHILD") == "1" {
		return
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "FYNE_CACHE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "GODEBUG":
			continue
		}
		env = append(env, kv)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunsBeforeFyne$", "-test.v")
	cmd.Env = append(env, "FIELDBOOK_EARLYENV_CHILD=1", "LANG=C.UTF-8", "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	order := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for n := 0; sc.Scan(); n++ {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "init" {
			order[f[1]] = n
		}
	}
	early, ok := order["github.com/a20-network/fieldbook/internal/earlyenv"]
	if !ok {
		t.Fatalf("no init line for earlyenv in the trace:\n%s", out)
	}
	for _, pkg := range []string{"fyne.io/fyne/v2/internal/cache", "fyne.io/fyne/v2/lang", "os"} {
		at, ok := order[pkg]
		if !ok {
			t.Fatalf("no init line for %s in the trace", pkg)
		}
		if at < early {
			t.Errorf("%s initialized before earlyenv: it may read the environment before it is settled", pkg)
		}
	}
	if strings.Contains(string(out), "Fyne error") || strings.Contains(string(out), "user locale") {
		t.Errorf("the app logged a locale error under LANG=C.UTF-8:\n%s", out)
	}
}
