package pgdb

import (
	"context"
	"database/sql"
	"flag"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/a20-network/fieldbook/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openDB opens a new empty database with the settings of the URL's
// parameters, closed when t ends.
func openDB(t testing.TB, params string) *sql.DB {
	t.Helper()
	c, err := ParseURL(pgtest.NewDB(t).URL + params)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		want Config
	}{
		{"postgres://hub@db.example.org/hub", Config{URL: "postgres://hub@db.example.org/hub", MaxConns: 10, ConnectTimeout: 10 * time.Second, ApplicationName: "fieldbook-hub"}},
		{"postgresql://hub:pw@db/hub?sslmode=verify-full&pool_max_conns=4&connect_timeout=3&statement_timeout=2500&application_name=hub-2",
			Config{URL: "postgresql://hub:pw@db/hub?sslmode=verify-full", MaxConns: 4, ConnectTimeout: 3 * time.Second, StatementTimeout: 2500 * time.Millisecond, ApplicationName: "hub-2"}},
		{"postgres:///hub?host=/run/postgresql&connect_timeout=1500ms&statement_timeout=30s",
			Config{URL: "postgres:///hub?host=%2Frun%2Fpostgresql", MaxConns: 10, ConnectTimeout: 1500 * time.Millisecond, StatementTimeout: 30 * time.Second, ApplicationName: "fieldbook-hub"}},
	} {
		got, err := ParseURL(c.url)
		if err != nil || got != c.want {
			t.Errorf("ParseURL(%q)\n = %+v, %v\nwant %+v", c.url, got, err, c.want)
		}
	}
}

func TestParseURLNamesTheBadParameterAndHidesThePassword(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"mysql://hub:s3cret@db/hub", "must start with postgres://"},
		{"postgres:hub", "must start with postgres://"},
		{"postgres://hub:s3cret@db/hub\x7f", "cannot be read"},
		{"postgres://hub:s3cret@db/hub?pool_max_conns=lots", `pool_max_conns "lots"`},
		{"postgres://hub:s3cret@db/hub?pool_max_conns=0", "pool_max_conns) must be from 1 to 1000, not 0"},
		{"postgres://hub:s3cret@db/hub?pool_max_conns=2&pool_max_conns=3", "gives pool_max_conns 2 times"},
		{"postgres://hub:s3cret@db/hub?connect_timeout=0", "connect_timeout) must be from 1ms to 1h"},
		{"postgres://hub:s3cret@db/hub?connect_timeout=soon", `connect_timeout "soon": not a whole number nor a duration`},
		{"postgres://hub:s3cret@db/hub?statement_timeout=-5", "statement_timeout) must be whole milliseconds"},
		{"postgres://hub:s3cret@db/hub?statement_timeout=1500us", "statement_timeout) must be whole milliseconds"},
		{"postgres://hub:s3cret@db/hub?application_name=h%C3%BCb", "application_name) must be at most 63 printable ASCII"},
		{"postgres://hub:s3cret@db/hub?statement_timeout=%zz", "parameters cannot be read"},
	} {
		_, err := ParseURL(c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseURL(%q) = %v, want an error saying %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseURL(%q)'s error repeats the password: %v", c.url, err)
		}
	}
}

func TestFlagsOverrideTheURL(t *testing.T) {
	c, err := ParseURL("postgres://db/hub?pool_max_conns=4&statement_timeout=1000")
	if err != nil {
		t.Fatal(err)
	}
	var f Flags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f.Register(fs)
	if err := fs.Parse([]string{"-db-max-conns", "20", "-db-application-name", "hub-west"}); err != nil {
		t.Fatal(err)
	}
	got, err := f.Apply(c)
	want := Config{URL: "postgres://db/hub", MaxConns: 20, ConnectTimeout: DefaultConnectTimeout, StatementTimeout: time.Second, ApplicationName: "hub-west"}
	if err != nil || got != want {
		t.Errorf("Apply = %+v, %v\nwant %+v", got, err, want)
	}
	if _, err := (Flags{MaxConns: -1}).Apply(c); err == nil || !strings.Contains(err.Error(), "pool_max_conns") {
		t.Errorf("a negative -db-max-conns: %v", err)
	}
}

func TestOpenAppliesTheSettings(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "&pool_max_conns=3&statement_timeout=250ms&application_name=fieldbook-test")
	var appName, timeout string
	if err := db.QueryRowContext(ctx, "SELECT current_setting('application_name'), current_setting('statement_timeout')").Scan(&appName, &timeout); err != nil {
		t.Fatal(err)
	}
	if appName != "fieldbook-test" || timeout != "250ms" {
		t.Errorf("application_name %q, statement_timeout %q; want fieldbook-test, 250ms", appName, timeout)
	}
	if n := db.Stats().MaxOpenConnections; n != 3 {
		t.Errorf("the pool holds %d connections at most, want 3", n)
	}
	_, err := db.ExecContext(ctx, "SELECT pg_sleep(5)")
	if Code(err) != "57014" { // query_canceled
		t.Errorf("a statement past the timeout: %v, want SQLSTATE 57014", err)
	}
}

func TestOpenGivesUpAfterTheConnectTimeout(t *testing.T) {
	// A server that accepts connections and never answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	c, err := ParseURL("postgres://hub:s3cret@" + l.Addr().String() + "/hub?sslmode=disable&connect_timeout=200ms")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = Open(ctx, c)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Open against a silent server: %v (context: %v); want it to give up on its own", err, ctx.Err())
	}
	if !strings.Contains(err.Error(), "postgres://hub:xxxxx@") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the error should name the database without its password: %v", err)
	}
}

func TestRedactedHidesEveryPassword(t *testing.T) {
	for url, want := range map[string]string{
		"postgres://hub:s3cret@db/hub":                 "postgres://hub:xxxxx@db/hub",
		"postgres://hub@db/hub?password=s3cret&x=1":    "postgres://hub@db/hub?password=xxxxx&x=1",
		"postgres://hub@db/hub?sslmode=disable":        "postgres://hub@db/hub?sslmode=disable",
		"postgres://hub:s3cret@db/hub?password=s3cret": "postgres://hub:xxxxx@db/hub?password=xxxxx",
	} {
		if got := (Config{URL: url}).Redacted(); got != want {
			t.Errorf("Redacted(%q) = %q, want %q", url, got, want)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"postgres://hub:pw@db/hub?pool_max_conns=4&connect_timeout=3&statement_timeout=2500&application_name=hub",
		"postgresql:///hub?host=/run/postgresql&connect_timeout=1500ms",
		"postgres://db/hub?statement_timeout=1h&pool_max_conns=1000",
		"postgres://u:p@[::1]:5432/hub?sslmode=require&password=x",
		"postgres://%zz", "mysql://x", "", "postgres://db/hub?pool_max_conns=9999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := ParseURL(raw)
		if err != nil {
			return
		}
		if c.check() != nil {
			t.Fatalf("ParseURL(%q) returned a config out of bounds: %+v", raw, c)
		}
		again, err := ParseURL(c.URL)
		if err != nil {
			t.Fatalf("ParseURL(%q): its own URL %q does not parse again: %v", raw, c.URL, err)
		}
		u, err := url.Parse(c.URL)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"pool_max_conns", "connect_timeout", "statement_timeout", "application_name"} {
			if u.Query().Has(p) {
				t.Fatalf("ParseURL(%q) left %s in the URL for pgx: %q", raw, p, c.URL)
			}
		}
		if again.URL != c.URL {
			t.Fatalf("ParseURL is not stable: %q then %q", c.URL, again.URL)
		}
	})
}
