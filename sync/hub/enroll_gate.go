package hub

import (
	"container/list"
	"math"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

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

// enrollGate admits enrollment attempts: a token bucket per client address
// in a fixed-size table, and a bound on attempts running at once. It is
// safe for concurrent use.
type enrollGate struct {
	burst float64
	every time.Duration
	size  int
	// slots holds one value per enrollment running.
	slots chan struct{}

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

// newEnrollGate returns a gate remembering size addresses, each allowed
// burst attempts and one more per every, with running attempts at once.
func newEnrollGate(size, burst, running int, every time.Duration) *enrollGate {
	return &enrollGate{burst: float64(burst), every: every, size: size, slots: make(chan struct{}, running),
		table: make(map[string]*list.Element, size), lru: list.New()}
}

// admit takes one attempt for client address addr at time now. It returns
// a function to call when the attempt is done, or nil and how long to wait
// when the address is over its allowance or too many attempts run.
func (g *enrollGate) admit(addr string, now time.Time) (release func(), wait time.Duration) {
	g.mu.Lock()
	b := g.bucket(addr, now)
	if b.tokens < 1 {
		wait = time.Duration((1 - b.tokens) * float64(g.every))
		g.mu.Unlock()
		return nil, wait
	}
	b.tokens--
	g.mu.Unlock()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, 0
	default:
		// Busy, not the address's fault: give the attempt back.
		g.mu.Lock()
		if e, ok := g.table[addr]; ok {
			e.Value.(*addrBucket).tokens++
		}
		g.mu.Unlock()
		return nil, time.Second
	}
}

// bucket returns addr's bucket refilled to now, making it (and forgetting
// the address unheard from longest if the table is full) if needed.
func (g *enrollGate) bucket(addr string, now time.Time) *addrBucket {
	if e, ok := g.table[addr]; ok {
		g.lru.MoveToFront(e)
		b := e.Value.(*addrBucket)
		if d := now.Sub(b.at); d > 0 {
			b.tokens = math.Min(g.burst, b.tokens+float64(d)/float64(g.every))
			b.at = now
		}
		return b
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
