// Package hlc implements a hybrid logical clock: timestamps that follow the
// wall clock when it behaves, never go backwards when it does not, and stay
// within a bounded distance of local time when a remote clock runs far ahead.
//
// A [Timestamp] orders events across devices: compare wall time, then the
// logical counter, then the node that made it. Its string form sorts the same
// way as the timestamps themselves, so it can be stored in a TEXT column and
// compared with plain string comparison.
package hlc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxDrift is how far ahead of the local wall clock a remote timestamp may be
// before [Clock.Observe] refuses to follow it. A device whose clock is a year
// ahead must not drag every other device's clock forward with it.
const MaxDrift = 5 * time.Minute

// ErrDrift reports a remote timestamp further ahead than [MaxDrift].
var ErrDrift = errors.New("hlc: remote clock too far ahead")

// Timestamp is one reading of a hybrid logical clock.
type Timestamp struct {
	// Wall is milliseconds since the Unix epoch.
	Wall int64
	// Logical orders events within one millisecond.
	Logical uint32
	// Node identifies the clock that made the timestamp; it breaks ties.
	Node string
}

// IsZero reports whether t is the zero timestamp.
func (t Timestamp) IsZero() bool { return t.Wall == 0 && t.Logical == 0 && t.Node == "" }

// Compare returns -1, 0 or +1 as t is before, equal to or after u.
func (t Timestamp) Compare(u Timestamp) int {
	switch {
	case t.Wall < u.Wall:
		return -1
	case t.Wall > u.Wall:
		return 1
	case t.Logical < u.Logical:
		return -1
	case t.Logical > u.Logical:
		return 1
	}
	return strings.Compare(t.Node, u.Node)
}

// Time returns the wall-clock part of t.
func (t Timestamp) Time() time.Time { return time.UnixMilli(t.Wall).UTC() }

// String encodes t as "WWWWWWWWWWWWW.LLLLLLLLLL.node": fixed-width decimal
// fields so that string order equals timestamp order.
func (t Timestamp) String() string {
	return fmt.Sprintf("%013d.%010d.%s", t.Wall, t.Logical, t.Node)
}

// Parse decodes the form written by [Timestamp.String]. It returns an error
// naming the part that is wrong.
func Parse(s string) (Timestamp, error) {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) != 3 || len(parts[0]) != 13 || len(parts[1]) != 10 {
		return Timestamp{}, fmt.Errorf("hlc: parse %q: want WALL.LOGICAL.NODE", s)
	}
	wall, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || wall < 0 {
		return Timestamp{}, fmt.Errorf("hlc: parse %q: bad wall time", s)
	}
	logical, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil {
		return Timestamp{}, fmt.Errorf("hlc: parse %q: bad logical counter", s)
	}
	return Timestamp{Wall: wall, Logical: uint32(logical), Node: parts[2]}, nil
}

// Clock issues timestamps for one node. It is safe for concurrent use.
type Clock struct {
	now func() time.Time

	mu   sync.Mutex // guards node and last
	node string
	last Timestamp
}

// New returns a clock for node that reads wall time from now (time.Now when
// nil). Inject now in tests to simulate clocks that jump.
func New(node string, now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{node: node, now: now}
}

// Node returns the clock's node id.
func (c *Clock) Node() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.node
}

// SetNode makes later timestamps carry node. The clock keeps counting on
// from its last reading, so no timestamp repeats or goes back.
func (c *Clock) SetNode(node string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.node = node
}

// Now returns a timestamp strictly after every timestamp this clock has
// issued or observed, even if the wall clock has moved backwards.
func (c *Clock) Now() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now().UnixMilli()
	if wall > c.last.Wall {
		c.last = Timestamp{Wall: wall, Node: c.node}
	} else {
		c.last = Timestamp{Wall: c.last.Wall, Logical: c.last.Logical + 1, Node: c.node}
	}
	return c.last
}

// Observe merges a timestamp received from another node so that later
// readings of this clock come after it. A remote timestamp more than
// [MaxDrift] ahead of local wall time is not followed and ErrDrift is
// returned; the clock is unchanged in that case.
func (c *Clock) Observe(remote Timestamp) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now().UnixMilli()
	if remote.Wall-wall > MaxDrift.Milliseconds() {
		return fmt.Errorf("%w: %s is %s ahead", ErrDrift, remote, time.Duration(remote.Wall-wall)*time.Millisecond)
	}
	switch {
	case remote.Wall > c.last.Wall:
		c.last = Timestamp{Wall: remote.Wall, Logical: remote.Logical, Node: c.node}
	case remote.Wall == c.last.Wall && remote.Logical > c.last.Logical:
		c.last.Logical = remote.Logical
	}
	return nil
}
