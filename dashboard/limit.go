package dashboard

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Sign-in limits. Every attempt is counted before its password is checked,
// so parallel guesses cannot all slip past the check: at most
// nameAttempts per account name and addrAttempts per client address are
// tried within attemptWindow; a successful sign-in clears its name's count.
// Unknown names are counted like real ones, so a refusal never tells which
// names exist.
const (
	nameAttempts  = 5
	addrAttempts  = 20
	attemptWindow = 15 * time.Minute
	// attemptKeys bounds each table: past it the least recently tried key
	// is forgotten, never the whole table.
	attemptKeys = 10000
)

// attemptTable counts recent attempts per key in a fixed number of
// entries, evicting the least recently tried key when full. Keys are
// stored as SHA-256 sums so a long made-up name costs no more memory than
// a short one. It is not safe for concurrent use: [signInGuard] holds its
// lock around every call.
type attemptTable struct {
	limit    int
	window   time.Duration
	capacity int
	order    *list.List // of *attemptEntry, most recently tried first
	byKey    map[[sha256.Size]byte]*list.Element
}

type attemptEntry struct {
	key   [sha256.Size]byte
	times []int64 // Unix nanoseconds, oldest first, at most limit
}

func newAttemptTable(limit int, window time.Duration, capacity int) *attemptTable {
	return &attemptTable{limit: limit, window: window, capacity: capacity, order: list.New(),
		byKey: make(map[[sha256.Size]byte]*list.Element, capacity)}
}

// recent returns key's entry with attempts older than the window dropped,
// or nil when it has none.
func (t *attemptTable) recent(key [sha256.Size]byte, now time.Time) *attemptEntry {
	el, ok := t.byKey[key]
	if !ok {
		return nil
	}
	e := el.Value.(*attemptEntry)
	cut := now.Add(-t.window).UnixNano()
	i := 0
	for i < len(e.times) && e.times[i] <= cut {
		i++
	}
	e.times = append(e.times[:0], e.times[i:]...)
	if len(e.times) == 0 {
		t.order.Remove(el)
		delete(t.byKey, key)
		return nil
	}
	return e
}

// full reports whether key may not be tried now, and when it may again.
// Asking keeps key's entry fresh: an account that is still being guessed
// is the last one a flood of other names evicts.
func (t *attemptTable) full(key [sha256.Size]byte, now time.Time) (bool, time.Duration) {
	e := t.recent(key, now)
	if e == nil {
		return false, 0
	}
	t.order.MoveToFront(t.byKey[key])
	if len(e.times) < t.limit {
		return false, 0
	}
	return true, time.Unix(0, e.times[0]).Add(t.window).Sub(now)
}

// add counts an attempt for key at now, evicting the least recently tried
// key if the table is full. The caller has checked [attemptTable.full].
func (t *attemptTable) add(key [sha256.Size]byte, now time.Time) {
	if el, ok := t.byKey[key]; ok {
		e := el.Value.(*attemptEntry)
		e.times = append(e.times, now.UnixNano())
		t.order.MoveToFront(el)
		return
	}
	if t.order.Len() >= t.capacity {
		oldest := t.order.Back()
		t.order.Remove(oldest)
		delete(t.byKey, oldest.Value.(*attemptEntry).key)
	}
	e := &attemptEntry{key: key, times: []int64{now.UnixNano()}}
	t.byKey[key] = t.order.PushFront(e)
}

// remove takes back one attempt counted at at, if still there.
func (t *attemptTable) remove(key [sha256.Size]byte, at time.Time) {
	el, ok := t.byKey[key]
	if !ok {
		return
	}
	e := el.Value.(*attemptEntry)
	for i, ts := range e.times {
		if ts == at.UnixNano() {
			e.times = append(e.times[:i], e.times[i+1:]...)
			break
		}
	}
	if len(e.times) == 0 {
		t.order.Remove(el)
		delete(t.byKey, key)
	}
}

// clear forgets key.
func (t *attemptTable) clear(key [sha256.Size]byte) {
	if el, ok := t.byKey[key]; ok {
		t.order.Remove(el)
		delete(t.byKey, key)
	}
}

func (t *attemptTable) len() int { return t.order.Len() }

// signInGuard counts sign-in attempts per name and per client address. It
// is safe for concurrent use.
type signInGuard struct {
	mu    sync.Mutex // guards names and addrs
	names *attemptTable
	addrs *attemptTable
}

func newSignInGuard() *signInGuard {
	return &signInGuard{
		names: newAttemptTable(nameAttempts, attemptWindow, attemptKeys),
		addrs: newAttemptTable(addrAttempts, attemptWindow, attemptKeys),
	}
}

func nameKey(name string) [sha256.Size]byte { return sha256.Sum256([]byte("name\x00" + name)) }
func addrKey(addr string) [sha256.Size]byte { return sha256.Sum256([]byte("addr\x00" + addr)) }

// begin counts an attempt for name from addr at now, or refuses it when
// either has had too many lately, saying how long to wait. Both counts
// change together or not at all.
func (g *signInGuard) begin(name, addr string, now time.Time) (bool, time.Duration) {
	nk, ak := nameKey(name), addrKey(addr)
	g.mu.Lock()
	defer g.mu.Unlock()
	nFull, nWait := g.names.full(nk, now)
	aFull, aWait := g.addrs.full(ak, now)
	if nFull || aFull {
		return false, max(nWait, aWait)
	}
	g.names.add(nk, now)
	g.addrs.add(ak, now)
	return true, 0
}

// cancel takes back an attempt begun at at whose password was never
// checked.
func (g *signInGuard) cancel(name, addr string, at time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.names.remove(nameKey(name), at)
	g.addrs.remove(addrKey(addr), at)
}

// succeeded clears name's count after a right password and takes back the
// address's attempt begun at at.
func (g *signInGuard) succeeded(name, addr string, at time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.names.clear(nameKey(name))
	g.addrs.remove(addrKey(addr), at)
}

// size returns how many names and addresses are counted.
func (g *signInGuard) size() (names, addrs int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.names.len(), g.addrs.len()
}

// clientAddr names the client a sign-in comes from: its IP address, the
// /64 network for IPv6 (one host usually holds a whole /64). Behind a
// reverse proxy on the same machine (a loopback peer), the last address of
// X-Forwarded-For — the one the proxy saw — is used instead.
func clientAddr(r *http.Request) string {
	host, ip := peer(r)
	if ip != nil && ip.IsLoopback() {
		if fwd := r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
			parts := strings.Split(fwd[len(fwd)-1], ",")
			if p := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); p != nil {
				ip = p
			}
		}
	}
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// errBusy is returned when no password-hashing slot came free in time.
var errBusy = errors.New("dashboard: too many sign-ins at once")

// hashWait is how long a sign-in waits for a hashing slot before it is
// answered 503.
const hashWait = 3 * time.Second

// hashGate runs at most cap(slots) password hashes at once: each argon2id
// hash takes 19 MiB, so an unbounded number of parallel sign-ins would
// exhaust memory. It is safe for concurrent use.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
}

// newHashGate sizes the gate to the processors, between 2 and 4 slots.
func newHashGate() *hashGate {
	return &hashGate{slots: make(chan struct{}, min(4, max(2, runtime.NumCPU()))), wait: hashWait}
}

// hash hashes password with salt in a free slot, or fails with errBusy
// after the gate's wait, or with ctx's error.
func (g *hashGate) hash(ctx context.Context, password string, salt []byte) ([]byte, error) {
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-timer.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-g.slots }()
	return hashPassword(password, salt), nil
}
