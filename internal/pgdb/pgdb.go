// Package pgdb opens a hub database on PostgreSQL the one way the hub
// needs: connection settings read from the database's URL (and flags),
// numbered migrations applied once however many hub processes start
// together, transactions retried when PostgreSQL asks for it, and SQL
// written for SQLite's ? placeholders rewritten for PostgreSQL's $1.
//
// The driver is pgx (github.com/jackc/pgx/v5) through database/sql
// (pgx/v5/stdlib), so the hub's code keeps one *sql.DB whichever database
// it runs on. pgx is pure Go, so the hub still builds with CGO_ENABLED=0;
// it is actively maintained and widely used (lib/pq, the other pure-Go
// driver, long described itself as in maintenance mode and recommended
// pgx); it cancels a query on the server when its context ends; and its
// errors carry PostgreSQL's SQLSTATE codes ([pgconn.PgError]), which
// [InTx] needs to tell a transaction worth retrying from a failed one.
package pgdb

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgconn"
)

// The settings a [Config] from [ParseURL] has when its URL does not say.
const (
	DefaultMaxConns        = 10
	DefaultConnectTimeout  = 10 * time.Second
	DefaultApplicationName = "fieldbook-hub"
)

// maxMaxConns bounds pool_max_conns: PostgreSQL's own default limit is 100
// connections for all clients together.
const maxMaxConns = 1000

// Config is how [Open] connects to a database.
type Config struct {
	// URL is the database's postgres:// URL, without the parameters that
	// have fields below.
	URL string
	// MaxConns is how many connections the pool holds at most (URL
	// parameter pool_max_conns); idle ones are kept.
	MaxConns int
	// ConnectTimeout bounds making one connection (connect_timeout, in
	// seconds as libpq reads it, or a Go duration such as 1500ms).
	ConnectTimeout time.Duration
	// StatementTimeout, when not 0, makes the server cancel any statement
	// that runs longer (statement_timeout, in milliseconds as PostgreSQL
	// reads it, or a Go duration such as 30s).
	StatementTimeout time.Duration
	// ApplicationName names the connections in pg_stat_activity and the
	// server's log (application_name).
	ApplicationName string
}

// ParseURL reads a postgres:// or postgresql:// URL into a [Config]: the
// parameters pool_max_conns, connect_timeout, statement_timeout and
// application_name into their fields (the defaults when absent), the rest
// left in Config.URL for pgx, which reads host, port, user, sslmode and
// the other libpq parameters. A bad parameter is an error that names it;
// no error repeats the URL's password.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password and all
		}
		return Config{}, fmt.Errorf("pgdb: the database URL cannot be read: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" || u.Opaque != "" {
		return Config{}, errors.New("pgdb: the database URL must start with postgres:// or postgresql://")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("pgdb: the database URL's parameters cannot be read: %w", err)
	}
	c := Config{MaxConns: DefaultMaxConns, ConnectTimeout: DefaultConnectTimeout, ApplicationName: DefaultApplicationName}
	for _, p := range []struct {
		name  string
		parse func(string) error
	}{
		{"pool_max_conns", func(v string) (err error) { c.MaxConns, err = strconv.Atoi(v); return err }},
		{"connect_timeout", func(v string) (err error) { c.ConnectTimeout, err = duration(v, time.Second); return err }},
		{"statement_timeout", func(v string) (err error) { c.StatementTimeout, err = duration(v, time.Millisecond); return err }},
		{"application_name", func(v string) error { c.ApplicationName = v; return nil }},
	} {
		vs, ok := q[p.name]
		if !ok {
			continue
		}
		if len(vs) != 1 {
			return Config{}, fmt.Errorf("pgdb: the database URL gives %s %d times", p.name, len(vs))
		}
		if err := p.parse(vs[0]); err != nil {
			return Config{}, fmt.Errorf("pgdb: the database URL's %s %q: %w", p.name, vs[0], err)
		}
		q.Del(p.name)
	}
	if err := c.check(); err != nil {
		return Config{}, err
	}
	u.RawQuery = q.Encode()
	c.URL = u.String()
	return c, nil
}

// duration reads a whole number of unit, or a Go duration ("1500ms").
func duration(v string, unit time.Duration) (time.Duration, error) {
	if n, err := strconv.ParseInt(v, 10, 32); err == nil {
		return time.Duration(n) * unit, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, errors.New("not a whole number nor a duration such as 30s")
	}
	return d, nil
}

// check says which setting of c is out of bounds.
func (c Config) check() error {
	switch {
	case c.MaxConns < 1 || c.MaxConns > maxMaxConns:
		return fmt.Errorf("pgdb: the pool's connections (pool_max_conns) must be from 1 to %d, not %d", maxMaxConns, c.MaxConns)
	case c.ConnectTimeout < time.Millisecond || c.ConnectTimeout > time.Hour:
		return fmt.Errorf("pgdb: the connect timeout (connect_timeout) must be from 1ms to 1h, not %v", c.ConnectTimeout)
	case c.StatementTimeout < 0 || c.StatementTimeout%time.Millisecond != 0 || c.StatementTimeout > 24*time.Hour:
		return fmt.Errorf("pgdb: the statement timeout (statement_timeout) must be whole milliseconds from 0 (none) to 24h, not %v", c.StatementTimeout)
	case len(c.ApplicationName) > 63 || strings.ContainsFunc(c.ApplicationName, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsPrint(r) }):
		return errors.New("pgdb: the application name (application_name) must be at most 63 printable ASCII characters")
	}
	return nil
}

// Redacted is c's URL with any password replaced by xxxxx, for messages.
func (c Config) Redacted() string { return redact(c.URL) }

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a database URL that cannot be read)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// Flags are command-line flags that override a URL's connection
// settings; a flag left at 0 or empty leaves the URL's (or the default).
type Flags struct {
	MaxConns         int
	ConnectTimeout   time.Duration
	StatementTimeout time.Duration
	ApplicationName  string
}

// Register adds the flags -db-max-conns, -db-connect-timeout,
// -db-statement-timeout and -db-application-name to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.IntVar(&f.MaxConns, "db-max-conns", 0, fmt.Sprintf("PostgreSQL: connections in the pool at most (default: the URL's pool_max_conns, else %d)", DefaultMaxConns))
	fs.DurationVar(&f.ConnectTimeout, "db-connect-timeout", 0, fmt.Sprintf("PostgreSQL: time to make a connection (default: the URL's connect_timeout, else %v)", DefaultConnectTimeout))
	fs.DurationVar(&f.StatementTimeout, "db-statement-timeout", 0, "PostgreSQL: cancel statements that run longer (default: the URL's statement_timeout, else none)")
	fs.StringVar(&f.ApplicationName, "db-application-name", "", fmt.Sprintf("PostgreSQL: the name the connections show (default: the URL's application_name, else %s)", DefaultApplicationName))
}

// Apply returns c with the flags that were set in place of its settings,
// or an error naming a setting out of bounds.
func (f Flags) Apply(c Config) (Config, error) {
	if f.MaxConns != 0 {
		c.MaxConns = f.MaxConns
	}
	if f.ConnectTimeout != 0 {
		c.ConnectTimeout = f.ConnectTimeout
	}
	if f.StatementTimeout != 0 {
		c.StatementTimeout = f.StatementTimeout
	}
	if f.ApplicationName != "" {
		c.ApplicationName = f.ApplicationName
	}
	return c, c.check()
}

// Open opens a pool of connections to the database c describes and makes
// one connection, so that a wrong address or password is an error here
// rather than at the first query. The error names the database by its
// redacted URL.
func Open(ctx context.Context, c Config) (*sql.DB, error) {
	return open(ctx, c, false)
}

// Code is the SQLSTATE code of the PostgreSQL error in err's chain, or ""
// if there is none.
func Code(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
