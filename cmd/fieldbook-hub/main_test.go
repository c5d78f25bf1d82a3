package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a20-network/fieldbook/sync/hub"
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

func TestUserCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	runIn := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		rc := run(ctx, args, strings.NewReader(stdin), &out, &errOut)
		return rc, strings.TrimSpace(out.String()), errOut.String()
	}
	_, org, _ := runIn("", "org", "add", "--data", dir, "--name", "Malawi Child Voice", "--country", "MW")
	if rc, out, errOut := runIn("correct horse battery\nignored\n", "user", "add", "--data", dir, "--role", "coordinator", "--name", "amina"); rc != 0 || !strings.Contains(out, "added coordinator amina") {
		t.Fatalf("user add coordinator: exit %d, %q, %s", rc, out, errOut)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("another long secret\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if rc, _, errOut := runIn("", "user", "add", "--data", dir, "--role", "orgadmin", "--name", "chikondi", "--org", org, "--password-file", pwFile); rc != 0 {
		t.Fatalf("user add orgadmin: exit %d, %s", rc, errOut)
	}
	rc, list, _ := runIn("", "user", "list", "--data", dir)
	lines := strings.Split(list, "\n")
	if rc != 0 || len(lines) != 3 || !strings.HasPrefix(lines[1], "amina") || !strings.Contains(lines[1], "coordinator") ||
		!strings.Contains(lines[2], "chikondi") || !strings.Contains(lines[2], org) {
		t.Fatalf("user list = %q", list)
	}

	// The accounts sign in on the dashboard the hub program serves.
	h, srv := serveHub(t, dir, false)
	signIn := func(name, password string) int {
		t.Helper()
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, err := http.NewRequest("POST", srv.URL+"/dashboard/login", strings.NewReader(url.Values{"name": {name}, "password": {password}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL) // as a browser does on every POST
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := signIn("amina", "correct horse battery"); s != http.StatusSeeOther {
		t.Errorf("amina signs in: status %d", s)
	}
	if s := signIn("chikondi", "another long secret"); s != http.StatusSeeOther {
		t.Errorf("chikondi signs in with the file's first line: status %d", s)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/dashboard/" {
		t.Errorf("GET / = %d to %q, want a redirect to /dashboard/", resp.StatusCode, loc)
	}
	srv.Close()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}

	if rc, _, errOut := runIn("", "user", "remove", "--data", dir, "--name", "amina"); rc != 0 {
		t.Fatalf("user remove: exit %d, %s", rc, errOut)
	}
	if _, list, _ := runIn("", "user", "list", "--data", dir); strings.Contains(list, "amina") {
		t.Fatalf("removed user still listed: %q", list)
	}

	for _, bad := range []struct {
		stdin string
		args  []string
		rc    int
		want  string
	}{
		{"", []string{"user", "add", "--data", dir, "--role", "boss", "--name", "x"}, 2, "coordinator or orgadmin"},
		{"", []string{"user", "add", "--data", dir, "--role", "coordinator"}, 2, "--name is required"},
		{"", []string{"user", "add", "--data", dir, "--role", "coordinator", "--name", "x"}, 1, "no password given"},
		{"short\n", []string{"user", "add", "--data", dir, "--role", "coordinator", "--name", "x"}, 1, "at least 10 characters"},
		{"correct horse battery\n", []string{"user", "add", "--data", dir, "--role", "coordinator", "--name", "chikondi"}, 1, "already exists"},
		{"correct horse battery\n", []string{"user", "add", "--data", dir, "--role", "orgadmin", "--name", "y"}, 1, "needs an organization"},
		{"correct horse battery\n", []string{"user", "add", "--data", dir, "--role", "orgadmin", "--name", "y", "--org", "nope"}, 1, "no organization"},
		{"correct horse battery\n", []string{"user", "add", "--data", dir, "--role", "coordinator", "--name", "y", "--org", org}, 1, "leave out the organization"},
		{"", []string{"user", "add", "--data", dir, "--role", "coordinator", "--name", "y", "--password-file", filepath.Join(dir, "missing")}, 1, "read password"},
		{"", []string{"user", "remove", "--data", dir, "--name", "nobody"}, 1, "no such user"},
		{"", []string{"user", "list"}, 2, "--data DIR is required"},
	} {
		rc, _, errOut := runIn(bad.stdin, bad.args...)
		if rc != bad.rc || !strings.Contains(errOut, bad.want) {
			t.Errorf("%v: exit %d, %q; want exit %d mentioning %q", bad.args, rc, errOut, bad.rc, bad.want)
		}
	}
	// Nothing was added by the refused commands.
	if _, list, _ := runIn("", "user", "list", "--data", dir); strings.Count(list, "\n") != 1 {
		t.Errorf("after refused commands, user list = %q", list)
	}
}

func TestReadLine(t *testing.T) {
	for in, want := range map[string]string{"pw\n": "pw", "pw\r\nrest": "pw", "no newline": "no newline", "\n": ""} {
		got, err := readLine(strings.NewReader(in))
		if err != nil || got != want {
			t.Errorf("readLine(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := readLine(strings.NewReader("")); err == nil {
		t.Error("readLine of nothing: no error")
	}
}

// serveHub serves the hub in data folder dir with its dashboard, as
// "serve" does, over HTTP or TLS; close the server and then the hub.
func serveHub(t *testing.T, dir string, tls bool) (*hub.Hub, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	h, err := hub.Open(ctx, dir, hub.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	db, done, err := openDashboardDB(h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { done() })
	dash, err := newDashboard(ctx, h, db, tls, quiet)
	if err != nil {
		t.Fatal(err)
	}
	handler := newHandler(h, dash, quiet)
	if tls {
		return h, httptest.NewTLSServer(handler)
	}
	return h, httptest.NewServer(handler)
}

// TestHSTSOverTLSOnly: every response of a hub served over TLS carries
// Strict-Transport-Security, the hub's and the dashboard's alike; over
// plain HTTP none does.
func TestHSTSOverTLSOnly(t *testing.T) {
	t.Parallel()
	for _, tls := range []bool{true, false} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			t.Parallel()
			h, srv := serveHub(t, t.TempDir(), tls)
			t.Cleanup(func() { srv.Close(); h.Close() })
			c := srv.Client()
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			for _, r := range []struct{ method, path string }{
				{"GET", "/healthz"}, {"GET", "/dashboard/login"}, {"GET", "/dashboard/"}, {"GET", "/"},
				{"POST", "/dashboard/login"}, {"POST", "/v1/sync"}, {"GET", "/nowhere"},
			} {
				req, _ := http.NewRequest(r.method, srv.URL+r.path, nil)
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				got := resp.Header.Get("Strict-Transport-Security")
				if tls && got != "max-age=31536000" {
					t.Errorf("%s %s over TLS: Strict-Transport-Security %q", r.method, r.path, got)
				}
				if !tls && got != "" {
					t.Errorf("%s %s over plain HTTP: Strict-Transport-Security %q", r.method, r.path, got)
				}
			}
		})
	}
}
