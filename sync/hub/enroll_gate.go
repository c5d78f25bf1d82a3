package hub

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Enrollment is unauthenticated, so the hub bounds it: each client address
// may try [enrollBurst] enrollments at once and one more every
// [enrollEvery] after that, and at most [enrollConcurrent] enrollments run
// at a time. Beyond either, the hub answers 429 with Retry-After.
const (
	enrollBurst      = 10
	enrollEvery      = 6 * time.Second
	enrollConcurrent = 4
	// enrollAddrs is how many client addresses the hub remembers; beyond
	// it, the one unheard from longest is forgotten.
	enrollAddrs = 4096
)

// enrollGate admits enrollment attempts: a token bucket per client address,
// and a bound on attempts running at once in this process. The buckets are
// kept in a fixed-size table in memory, or, on PostgreSQL, where several hub
// processes serve one network, in the database's enroll_allowance table,
// so that an address has one allowance whichever process it reaches. It is
// safe for concurrent use.
type enrollGate struct {
	burst float64
	every time.Duration
	size  int
	// slots holds one value per enrollment running.
	slots chan struct{}
	// db, when set, keeps the buckets (PostgreSQL).
	db *sql.DB

	mu sync.Mutex // guards table and lru
	// table maps a client address to its element in lru.
	table map[string]*list.Element
	// lru holds *addrBucket, the most recently heard address first.
	lru *list.List
}

// addrBucket is one client address's allowance.
type addrBucket struct {
	addr   string
	tokens float64
	at     time.Time
}

// refill adds to b the attempts earned from its time to now, up to burst.
func (b *addrBucket) refill(now time.Time, burst float64, every time.Duration) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = math.Min(burst, b.tokens+float64(d)/float64(every))
		b.at = now
	}
}

// newEnrollGate returns a gate remembering size addresses, each allowed
// burst attempts and one more per every, with running attempts at once.
func newEnrollGate(size, burst, running int, every time.Duration) *enrollGate {
	return &enrollGate{burst: float64(burst), every: every, size: size, slots: make(chan struct{}, running),
		table: make(map[string]*list.Element, size), lru: list.New()}
}

// admit takes one attempt for client address addr at time now. It returns
// a function to call when the attempt is done, or nil and how long to wait
// when the address is over its allowance or too many attempts run. An
// error reading the allowances in the database refuses the attempt.
func (g *enrollGate) admit(ctx context.Context, addr string, now time.Time) (release func(), wait time.Duration, err error) {
	if wait, err := g.take(ctx, addr, now, -1); err != nil || wait > 0 {
		return nil, wait, err
	}
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, 0, nil
	default:
		// Busy, not the address's fault: give the attempt back.
		_, err := g.take(ctx, addr, now, +1)
		return nil, time.Second, err
	}
}

// take adds delta (-1 or +1) to addr's allowance refilled to now, and
// returns how long to wait instead when taking would leave less than none.
func (g *enrollGate) take(ctx context.Context, addr string, now time.Time, delta float64) (wait time.Duration, err error) {
	if g.db != nil {
		return g.takeDB(ctx, addr, now, delta)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	b := g.bucket(addr, now, delta > 0)
	if b == nil {
		return 0, nil
	}
	if b.tokens+delta < 0 {
		return time.Duration((1 - b.tokens) * float64(g.every)), nil
	}
	b.tokens = math.Min(g.burst, b.tokens+delta)
	return 0, nil
}

// bucket returns addr's bucket refilled to now, making it (and forgetting
// the address unheard from longest if the table is full) if needed, unless
// known is set: then a forgotten address's bucket is nil.
func (g *enrollGate) bucket(addr string, now time.Time, known bool) *addrBucket {
	if e, ok := g.table[addr]; ok {
		g.lru.MoveToFront(e)
		b := e.Value.(*addrBucket)
		b.refill(now, g.burst, g.every)
		return b
	}
	if known {
		return nil
	}
	if g.lru.Len() >= g.size {
		old := g.lru.Back()
		g.lru.Remove(old)
		delete(g.table, old.Value.(*addrBucket).addr)
	}
	b := &addrBucket{addr: addr, tokens: g.burst, at: now}
	g.table[addr] = g.lru.PushFront(b)
	return b
}

// takeDB is take on the database's allowances: the address's row is
// locked while it is read and written, so two processes taking at once
// take one after the other.
func (g *enrollGate) takeDB(ctx context.Context, addr string, now time.Time, delta float64) (wait time.Duration, err error) {
	err = pgdb.InTx(ctx, g.db, nil, func(tx *sql.Tx) error {
		wait = 0
		b := addrBucket{addr: addr, tokens: g.burst, at: now}
		var at int64
		err := tx.QueryRowContext(ctx, "SELECT tokens, at FROM enroll_allowance WHERE addr = $1 FOR UPDATE", addr).Scan(&b.tokens, &at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// A new address, or one whose bucket refilled: forget those
			// full again, which is what keeps the table small.
			full := now.Add(-time.Duration(g.burst * float64(g.every))).UnixMilli()
			if _, err := tx.ExecContext(ctx, "DELETE FROM enroll_allowance WHERE at < $1", full); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			b.at = time.UnixMilli(at)
			b.refill(now, g.burst, g.every)
		}
		if b.tokens+delta < 0 {
			wait = time.Duration((1 - b.tokens) * float64(g.every))
			return nil
		}
		b.tokens = math.Min(g.burst, b.tokens+delta)
		_, err = tx.ExecContext(ctx, `INSERT INTO enroll_allowance (addr, tokens, at) VALUES ($1, $2, $3)
			ON CONFLICT (addr) DO UPDATE SET tokens = excluded.tokens, at = excluded.at`, addr, b.tokens, b.at.UnixMilli())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("hub: enrollment allowance of %s: %w", addr, err)
	}
	return wait, nil
}

// clientAddr is the address a request's allowance is kept under: the
// peer's IP address, or its /64 network for IPv6, where one client
// commonly holds a whole /64. Behind a reverse proxy every request comes
// from the proxy and shares one allowance.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// tooManyEnrollments is the refusal of an attempt the gate did not admit:
// kind transient, HTTP 429, Retry-After in whole seconds.
func tooManyEnrollments(wait time.Duration) *protocol.Error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	pe := protocol.Errorf(protocol.KindTransient, "too many enrollment attempts; try again in %d seconds", secs)
	pe.Status, pe.RetryAfter = http.StatusTooManyRequests, secs
	return pe
}
