package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestOperatorCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	runOK := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if rc := run(ctx, args, strings.NewReader(""), &out, &errOut); rc != 0 {
			t.Fatalf("%v: exit %d: %s", args, rc, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	org := runOK("org", "add", "--data", dir, "--name", "Malawi Child Voice", "--country", "mw")
	if len(org) != 36 {
		t.Fatalf("org add printed %q", org)
	}
	if list := runOK("org", "list", "--data", dir); !strings.Contains(list, org) || !strings.Contains(list, "MW") {
		t.Fatalf("org list = %q", list)
	}
	code := runOK("enroll-code", "--data", dir, "--org", org, "--role", "admin", "--expires", "1h")
	if len(code) != 14 || strings.Count(code, "-") != 2 {
		t.Fatalf("enroll-code printed %q", code)
	}
	if list := runOK("device", "list", "--data", dir); !strings.HasPrefix(list, "DEVICE") {
		t.Fatalf("device list = %q", list)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	runOK("backup", "--data", dir, "--out", backup)
	if msg := runOK("restore", "--data", dir, "--from", backup); !strings.Contains(msg, "new epoch") {
		t.Fatalf("restore printed %q", msg)
	}
	for _, bad := range []struct {
		args []string
		rc   int
		want string
	}{
		{nil, 2, "no command"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"org", "add", "--name", "X"}, 2, "--data DIR is required"},
		{[]string{"org", "add", "--data", dir, "--name", "", "--country", "MW"}, 1, "name is required"},
		{[]string{"enroll-code", "--data", dir, "--org", "nope"}, 1, "no organization"},
		{[]string{"enroll-code", "--data", dir, "--org", org, "--role", "boss"}, 1, "not staff or admin"},
		{[]string{"device", "revoke", "--data", dir, "--id", "nope"}, 1, "no such device"},
		{[]string{"serve", "--data", dir, "--tls-cert", "c.pem"}, 2, "go together"},
	} {
		var out, errOut bytes.Buffer
		if rc := run(ctx, bad.args, strings.NewReader(""), &out, &errOut); rc != bad.rc || !strings.Contains(errOut.String(), bad.want) {
			t.Errorf("%v: exit %d, %q; want exit %d mentioning %q", bad.args, rc, errOut.String(), bad.rc, bad.want)
		}
	}
}
