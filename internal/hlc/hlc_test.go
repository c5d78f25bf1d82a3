package hlc

import (
	"errors"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"
)

type fakeWall struct{ t time.Time }

func (f *fakeWall) now() time.Time { return f.t }

func TestNowMonotonicWhenWallGoesBack(t *testing.T) {
	t.Parallel()
	w := &fakeWall{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	c := New("dev-a", w.now)
	a := c.Now()
	w.t = w.t.Add(-time.Hour) // NTP correction, dead RTC battery…
	b := c.Now()
	d := c.Now()
	if a.Compare(b) >= 0 || b.Compare(d) >= 0 {
		t.Fatalf("not monotonic: %s %s %s", a, b, d)
	}
	w.t = w.t.Add(2 * time.Hour)
	e := c.Now()
	if e.Logical != 0 || e.Wall != w.t.UnixMilli() {
		t.Fatalf("clock did not rejoin wall time: %s", e)
	}
}

func TestObserveBoundedDrift(t *testing.T) {
	t.Parallel()
	w := &fakeWall{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	c := New("dev-a", w.now)
	before := c.Now()
	far := Timestamp{Wall: w.t.Add(24 * time.Hour).UnixMilli(), Node: "dev-b"}
	if err := c.Observe(far); !errors.Is(err, ErrDrift) {
		t.Fatalf("Observe(far ahead) = %v, want ErrDrift", err)
	}
	if got := c.Now(); got.Wall-before.Wall > MaxDrift.Milliseconds() {
		t.Fatalf("clock followed a remote clock beyond MaxDrift: %s", got)
	}
	near := Timestamp{Wall: w.t.Add(time.Minute).UnixMilli(), Logical: 7, Node: "dev-b"}
	if err := c.Observe(near); err != nil {
		t.Fatalf("Observe(near) = %v", err)
	}
	if got := c.Now(); got.Compare(near) <= 0 {
		t.Fatalf("Now %s not after observed %s", got, near)
	}
}

func TestStringOrderMatchesCompare(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		gen := rapid.Custom(func(t *rapid.T) Timestamp {
			return Timestamp{
				Wall:    rapid.Int64Range(0, 1<<42).Draw(t, "wall"),
				Logical: rapid.Uint32().Draw(t, "logical"),
				Node:    rapid.StringMatching(`[a-z0-9-]{1,8}`).Draw(t, "node"),
			}
		})
		ts := rapid.SliceOfN(gen, 2, 20).Draw(t, "ts")
		byString := append([]Timestamp(nil), ts...)
		sort.Slice(byString, func(i, j int) bool { return byString[i].String() < byString[j].String() })
		for i := 1; i < len(byString); i++ {
			if byString[i-1].Compare(byString[i]) > 0 {
				t.Fatalf("string order disagrees with Compare: %s before %s", byString[i-1], byString[i])
			}
		}
		for _, x := range ts {
			back, err := Parse(x.String())
			if err != nil || back != x {
				t.Fatalf("Parse(%s) = %v, %v", x, back, err)
			}
		}
	})
}

func TestClockNeverRepeats(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		w := &fakeWall{t: time.Unix(1_700_000_000, 0)}
		c := New("n", w.now)
		var last Timestamp
		for i := range rapid.IntRange(1, 200).Draw(t, "steps") {
			w.t = w.t.Add(time.Duration(rapid.IntRange(-5000, 5000).Draw(t, "jump")) * time.Millisecond)
			if rapid.Bool().Draw(t, "observe") {
				_ = c.Observe(Timestamp{Wall: w.t.UnixMilli() + int64(rapid.IntRange(-10000, 10000).Draw(t, "rw")), Node: "r"})
			}
			now := c.Now()
			if i > 0 && now.Compare(last) <= 0 {
				t.Fatalf("step %d: %s not after %s", i, now, last)
			}
			last = now
		}
	})
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "abc", "1.2.x", "000000000000a.0000000000.n", "0000000000001.000000000x.n"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded", s)
		}
	}
}
