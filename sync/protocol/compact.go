package protocol

import (
	"encoding/json"

	"github.com/a20-network/fieldbook/internal/hlc"
)

// On the wire, a change in a request leaves out what follows from the one
// before it: its sequence when it is the previous one plus one, and its
// clock when it is the previous clock plus one logical tick. Changes queued
// together (an import, a busy form) are mostly like that, and these two
// values are what compresses worst.

type wireRequest SyncRequest

// MarshalJSON writes r with the implied sequences and clocks left out.
func (r SyncRequest) MarshalJSON() ([]byte, error) {
	w := wireRequest(r)
	if len(r.Push) > 0 {
		w.Push = make([]Change, len(r.Push))
		var prevSeq int64
		var prevHLC string
		for i, c := range r.Push {
			seq, ts := c.Seq, c.HLC
			if c.Seq == prevSeq+1 && c.Seq > 0 {
				c.Seq = 0
			}
			if prevHLC != "" && nextTick(prevHLC) == c.HLC {
				c.HLC = ""
			}
			w.Push[i] = c
			prevSeq, prevHLC = seq, ts
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads r, filling in implied sequences and clocks.
func (r *SyncRequest) UnmarshalJSON(data []byte) error {
	var w wireRequest
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	var prevSeq int64
	var prevHLC string
	for i := range w.Push {
		c := &w.Push[i]
		if c.Seq == 0 {
			c.Seq = prevSeq + 1
		}
		if c.HLC == "" && prevHLC != "" {
			c.HLC = nextTick(prevHLC)
		}
		prevSeq, prevHLC = c.Seq, c.HLC
	}
	*r = SyncRequest(w)
	return nil
}

// nextTick returns the clock one logical tick after s, or "" if s is not
// a clock.
func nextTick(s string) string {
	ts, err := hlc.Parse(s)
	if err != nil || ts.Logical == ^uint32(0) {
		return ""
	}
	ts.Logical++
	return ts.String()
}
