package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
	_ "unsafe" // go:linkname, to read the cache lifetime Fyne settled on

	"a20network.org/fieldbook/earlyenv"
)

// fyneCacheDuration is the lifetime Fyne gave its caches when it
// initialized, read from Fyne itself so the test proves the order of
// initialization, not only the environment.
//
//go:linkname fyneCacheDuration fyne.io/fyne/v2/internal/cache.ValidDuration
var fyneCacheDuration time.Duration

// TestEarlyEnvRunsBeforeFyne starts this test binary afresh, as a user
// would start the app on a machine whose locale is C.UTF-8 and where
// FYNE_CACHE is unset, and checks that Fyne initialized with Fieldbook's
// cache lifetime and logged no locale error.
func TestEarlyEnvRunsBeforeFyne(t *testing.T) {
	if os.Getenv("FIELDBOOK_EARLYENV_CHILD") == "1" {
		want, _ := time.ParseDuration(earlyenv.CacheDuration)
		if fyneCacheDuration != want {
			t.Fatalf("Fyne's cache lifetime is %v, want %v: earlyenv ran after Fyne initialized", fyneCacheDuration, want)
		}
		return
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "FYNE_CACHE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG":
			continue
		}
		env = append(env, kv)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEarlyEnvRunsBeforeFyne$", "-test.v")
	cmd.Env = append(env, "FIELDBOOK_EARLYENV_CHILD=1", "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Fyne error") || strings.Contains(string(out), "locale") {
		t.Errorf("the app logged a locale error under LANG=C.UTF-8:\n%s", out)
	}
}
