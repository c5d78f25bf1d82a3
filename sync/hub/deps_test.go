package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const modulePath = "github.com/a20-network/fieldbook"

// listedPackage is what `go list -json` says of a package that matters here.
type listedPackage struct {
	ImportPath string
	Imports    []string
}

// importChain lists the dependencies of pkg with `go list -deps` (with
// -test, those of its tests too) and returns a chain of imports from pkg
// to target, or nil when pkg does not depend on target. It fails the test
// when the listing does not show pkg depending on known, a package it is
// known to use: a listing that lost its dependencies would otherwise pass.
func importChain(t *testing.T, goCmd, pkg, target, known string, withTests bool) []string {
	t.Helper()
	args := []string{"list", "-deps", "-json=ImportPath,Imports"}
	if withTests {
		args = append(args, "-test")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(goCmd, append(args, pkg)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	imports := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list: %v", err)
		}
		imports[p.ImportPath] = p.Imports
	}
	// A test build lists pkg as "pkg [pkg.test]" and its test main as
	// "pkg.test"; plain paths are compared with the variant dropped.
	plain := func(path string) string { before, _, _ := strings.Cut(path, " ["); return before }
	root := pkg
	if withTests {
		root = pkg + ".test"
	}
	if _, ok := imports[root]; !ok {
		t.Fatalf("go list %s: %s is not listed", pkg, root)
	}
	from := map[string]string{root: ""}
	queue := []string{root}
	sawKnown := false
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		sawKnown = sawKnown || plain(p) == known
		if plain(p) == target {
			var chain []string
			for ; p != ""; p = from[p] {
				chain = append([]string{plain(p)}, chain...)
			}
			return chain
		}
		for _, next := range imports[p] {
			if _, seen := from[next]; !seen {
				from[next] = p
				queue = append(queue, next)
			}
		}
	}
	if !sawKnown {
		t.Fatalf("go list %s: no dependency on %s listed; is the listing whole?", pkg, known)
	}
	return nil
}

// TestHubNeverLinksTheDeviceStore: the hub and its dashboard share the
// record model with the device, never the device's database: neither
// package depends on the store, nor do their tests.
func TestHubNeverLinksTheDeviceStore(t *testing.T) {
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, c := range []struct{ pkg, known string }{
		{modulePath + "/sync/hub", modulePath + "/model"},
		{modulePath + "/dashboard", modulePath + "/internal/report"},
	} {
		for _, withTests := range []bool{false, true} {
			if chain := importChain(t, goCmd, c.pkg, modulePath+"/store", c.known, withTests); chain != nil {
				what := "package"
				if withTests {
					what = "tests"
				}
				t.Errorf("the %s of %s depend on the device store: %s", what, c.pkg, strings.Join(chain, " → "))
			}
		}
	}
}
