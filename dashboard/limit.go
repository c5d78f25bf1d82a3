package dashboard

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/a20-network/fieldbook/internal/pgdb"
	"github.com/a20-network/fieldbook/internal/sqlitedb"
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
	// attemptKeys bounds how many names, and how many addresses, are
	// counted: past it the least recently tried key is forgotten, never
	// all of them.
	attemptKeys = 10000
)

// Kinds of key in the sign_in_limits table.
const (
	kindName = "name"
	kindAddr = "addr"
)

// signInGuard counts sign-in attempts per name and per client address in
// the hub database's sign_in_limits table, so that every dashboard on one
// database — several hub processes on one PostgreSQL database — counts
// the same attempts. Each call is one transaction that first locks the
// rows of its name and then its address (an upsert, which PostgreSQL
// holds a row lock for and SQLite a write lock), so attempts for one name
// or address are counted one after another whichever process serves them.
// Keys are stored as SHA-256 sums, so a long made-up name costs no more
// than a short one. It is safe for concurrent use.
type signInGuard struct {
	db *sql.DB
	pg bool // db is PostgreSQL: transactions retry as pgdb.InTx does
	// capacity is how many keys of each kind are kept at most.
	capacity int
}

func newSignInGuard(db *sql.DB) *signInGuard {
	return &signInGuard{db: db, pg: pgdb.IsPostgres(db), capacity: attemptKeys}
}

// nameKey and addrKey are the table's keys of a name and an address.
func nameKey(name string) string { return limitKey("name\x00" + name) }
func addrKey(addr string) string { return limitKey("addr\x00" + addr) }

func limitKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// inTx runs fn in one transaction, run again by pgdb.InTx when PostgreSQL
// ends it with a deadlock or serialization failure.
func (g *signInGuard) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if g.pg {
		return pgdb.InTx(ctx, g.db, nil, fn)
	}
	return sqlitedb.InTx(ctx, g.db, fn)
}

// limitRow is one key's row, locked for the transaction.
type limitRow struct {
	kind, key string
	limit     int
	times     []int64 // Unix nanoseconds within the window, oldest first
	isNew     bool    // the lock made the row
}

// lock locks key's row (making it when there is none), marks it tried at
// now, and reads its attempts within the window before now.
func lock(ctx context.Context, tx *sql.Tx, kind, key string, limit int, now time.Time) (*limitRow, error) {
	var times string
	err := tx.QueryRowContext(ctx, `INSERT INTO sign_in_limits (key, kind, times, touched) VALUES (?, ?, '[]', ?)
		ON CONFLICT (key) DO UPDATE SET touched = excluded.touched RETURNING times`, key, kind, now.UnixNano()).Scan(&times)
	if err != nil {
		return nil, fmt.Errorf("dashboard: count sign-in attempts: %w", err)
	}
	r := &limitRow{kind: kind, key: key, limit: limit, isNew: times == "[]"}
	if err := json.Unmarshal([]byte(times), &r.times); err != nil {
		// A row that cannot be read counts as full rather than as empty.
		r.times = make([]int64, limit)
		for i := range r.times {
			r.times[i] = now.UnixNano()
		}
	}
	cut := now.Add(-attemptWindow).UnixNano()
	i := 0
	for i < len(r.times) && r.times[i] <= cut {
		i++
	}
	r.times = r.times[i:]
	return r, nil
}

// full reports whether r's key may not be tried now, and when it may
// again.
func (r *limitRow) full(now time.Time) (bool, time.Duration) {
	if len(r.times) < r.limit {
		return false, 0
	}
	return true, time.Unix(0, r.times[0]).Add(attemptWindow).Sub(now)
}

// remove takes back one attempt counted at at, if still there.
func (r *limitRow) remove(at time.Time) {
	for i, ts := range r.times {
		if ts == at.UnixNano() {
			r.times = append(r.times[:i], r.times[i+1:]...)
			return
		}
	}
}

// store writes r's attempts back, or deletes its row when none is left.
func (r *limitRow) store(ctx context.Context, tx *sql.Tx) error {
	var err error
	if len(r.times) == 0 {
		_, err = tx.ExecContext(ctx, "DELETE FROM sign_in_limits WHERE key = ?", r.key)
	} else {
		b, _ := json.Marshal(r.times)
		_, err = tx.ExecContext(ctx, "UPDATE sign_in_limits SET times = ? WHERE key = ?", string(b), r.key)
	}
	if err != nil {
		return fmt.Errorf("dashboard: count sign-in attempts: %w", err)
	}
	return nil
}

// bound forgets r's kind's keys last tried before the window, then, past
// the guard's capacity, those least recently tried. It runs when r's key
// is new, the only time the count of keys grows.
func (g *signInGuard) bound(ctx context.Context, tx *sql.Tx, r *limitRow, now time.Time) error {
	if !r.isNew {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_limits WHERE kind = ? AND touched <= ?",
		r.kind, now.Add(-attemptWindow).UnixNano()); err != nil {
		return fmt.Errorf("dashboard: forget old sign-in attempts: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sign_in_limits WHERE kind = ?", r.kind).Scan(&n); err != nil {
		return fmt.Errorf("dashboard: forget old sign-in attempts: %w", err)
	}
	if n <= g.capacity {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_limits WHERE key IN
		(SELECT key FROM sign_in_limits WHERE kind = ? ORDER BY touched, key LIMIT ?)`, r.kind, n-g.capacity); err != nil {
		return fmt.Errorf("dashboard: forget old sign-in attempts: %w", err)
	}
	return nil
}

// both locks name's row, then addr's (always in that order, so two
// sign-ins never wait on each other in a circle), runs fn on them and
// writes them back.
func (g *signInGuard) both(ctx context.Context, name, addr string, now time.Time, fn func(n, a *limitRow) error) error {
	return g.inTx(ctx, func(tx *sql.Tx) error {
		n, err := lock(ctx, tx, kindName, nameKey(name), nameAttempts, now)
		if err != nil {
			return err
		}
		a, err := lock(ctx, tx, kindAddr, addrKey(addr), addrAttempts, now)
		if err != nil {
			return err
		}
		if err := fn(n, a); err != nil {
			return err
		}
		for _, r := range []*limitRow{n, a} {
			if err := r.store(ctx, tx); err != nil {
				return err
			}
			if len(r.times) > 0 {
				if err := g.bound(ctx, tx, r, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// begin counts an attempt for name from addr at now, or refuses it when
// either has had too many lately, saying how long to wait. Both counts
// change together or not at all. Asking keeps both keys fresh: an account
// that is still being guessed is the last one a flood of other names
// makes the guard forget.
func (g *signInGuard) begin(ctx context.Context, name, addr string, now time.Time) (ok bool, wait time.Duration, err error) {
	err = g.both(ctx, name, addr, now, func(n, a *limitRow) error {
		nFull, nWait := n.full(now)
		aFull, aWait := a.full(now)
		if ok = !nFull && !aFull; !ok {
			wait = max(nWait, aWait)
			return nil
		}
		n.times = append(n.times, now.UnixNano())
		a.times = append(a.times, now.UnixNano())
		return nil
	})
	return ok, wait, err
}

// cancel takes back an attempt begun at at whose password was never
// checked.
func (g *signInGuard) cancel(ctx context.Context, name, addr string, at time.Time) error {
	return g.both(ctx, name, addr, at, func(n, a *limitRow) error {
		n.remove(at)
		a.remove(at)
		return nil
	})
}

// succeeded clears name's count after a right password and takes back the
// address's attempt begun at at.
func (g *signInGuard) succeeded(ctx context.Context, name, addr string, at time.Time) error {
	return g.both(ctx, name, addr, at, func(n, a *limitRow) error {
		n.times = nil
		a.remove(at)
		return nil
	})
}

// size returns how many names and addresses are counted.
func (g *signInGuard) size(ctx context.Context) (names, addrs int, err error) {
	err = g.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM sign_in_limits WHERE kind = 'name'),
		(SELECT count(*) FROM sign_in_limits WHERE kind = 'addr')`).Scan(&names, &addrs)
	if err != nil {
		err = fmt.Errorf("dashboard: count sign-in keys: %w", err)
	}
	return names, addrs, err
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
