package pgdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenPortable is [Open] for code written once for SQLite and PostgreSQL:
// every query given to the pool it returns, through a *sql.DB, *sql.Tx or
// prepared statement, is rewritten by [Rebind] first, so ? and ?NNN stand
// for PostgreSQL's $NNN. A query with no ? (PostgreSQL's own $1 style) goes
// through as it is. The rewriting is done once per distinct query text.
func OpenPortable(ctx context.Context, c Config) (*sql.DB, error) {
	return open(ctx, c, true)
}

// IsPostgres says whether db is a pool made by [Open] or [OpenPortable],
// so that code shared by both databases can pick the few statements that
// differ.
func IsPostgres(db *sql.DB) bool {
	switch db.Driver().(type) {
	case *stdlib.Driver, portableDriver:
		return true
	}
	return false
}

// IsPortable says whether db rewrites ? placeholders ([OpenPortable]).
func IsPortable(db *sql.DB) bool {
	_, ok := db.Driver().(portableDriver)
	return ok
}

func open(ctx context.Context, c Config, portable bool) (*sql.DB, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	cc, err := pgx.ParseConfig(c.URL)
	if err != nil {
		return nil, fmt.Errorf("pgdb: %w", err) // pgx's message leaves the password out
	}
	cc.ConnectTimeout = c.ConnectTimeout
	cc.RuntimeParams["application_name"] = c.ApplicationName
	if c.StatementTimeout > 0 {
		cc.RuntimeParams["statement_timeout"] = strconv.FormatInt(c.StatementTimeout.Milliseconds(), 10)
	}
	var db *sql.DB
	if portable {
		db = sql.OpenDB(portableConnector{stdlib.GetConnector(*cc)})
	} else {
		db = stdlib.OpenDB(*cc)
	}
	db.SetMaxOpenConns(c.MaxConns)
	db.SetMaxIdleConns(c.MaxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("pgdb: connect to %s: %w", c.Redacted(), err)
	}
	return db, nil
}

// rebound caches [Rebind]'s answers: the hub's queries are a few hundred
// texts, most of them constant (the batched inserts too, at their few
// sizes); reboundN counts them.
var (
	rebound  sync.Map // string → string
	reboundN atomic.Int64
)

// maxCached bounds the cache: queries built with a varying number of
// values (a report filtered by a list of organizations) could otherwise
// fill memory; past the bound, a query is rewritten each time.
const maxCached = 4096

func rebindCached(q string) (string, error) {
	if v, ok := rebound.Load(q); ok {
		return v.(string), nil
	}
	out, err := Rebind(q)
	if err != nil {
		return "", err
	}
	if reboundN.Load() < maxCached {
		if _, loaded := rebound.LoadOrStore(q, out); !loaded {
			reboundN.Add(1)
		}
	}
	return out, nil
}

// portableConnector makes [portableConn]s.
type portableConnector struct{ driver.Connector }

// Connect makes one connection that rewrites its queries.
func (c portableConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("pgdb: the driver made a %T, not a pgx connection", conn)
	}
	return portableConn{pc}, nil
}

// Driver is the driver of the connections, told apart by [IsPostgres].
func (c portableConnector) Driver() driver.Driver { return portableDriver{c.Connector.Driver()} }

// portableDriver marks a pool of [portableConn]s.
type portableDriver struct{ driver.Driver }

// portableConn is a pgx connection whose queries are rewritten by
// [Rebind]; every other method is pgx's own.
type portableConn struct{ *stdlib.Conn }

// Prepare prepares the rewritten query.
func (c portableConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext prepares the rewritten query.
func (c portableConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	q, err := rebindCached(query)
	if err != nil {
		return nil, err
	}
	return c.Conn.PrepareContext(ctx, q)
}

// ExecContext runs the rewritten query.
func (c portableConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	q, err := rebindCached(query)
	if err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, q, args)
}

// QueryContext runs the rewritten query.
func (c portableConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, err := rebindCached(query)
	if err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, q, args)
}
