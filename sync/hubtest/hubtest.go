// Package hubtest runs a hub in-process for tests of the sync engine: a
// [client.Hub] that calls a [hub.Hub] directly (through the same JSON
// encoding as the wire), and a simulated network in front of any
// [client.Hub] that drops, duplicates and delays messages.
package hubtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Local is a [client.Hub] that calls a hub in the same process. Requests
// and replies go through JSON, as on the wire, so that nothing is shared
// between the two sides.
type Local struct {
	Hub *hub.Hub
}

var _ client.Hub = (*Local)(nil)

func roundTripJSON(in, out any) (int64, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return 0, err
	}
	return int64(len(b)), json.Unmarshal(b, out)
}

// Enroll implements [client.Hub].
func (l *Local) Enroll(ctx context.Context, req protocol.EnrollRequest) (protocol.EnrollResponse, error) {
	return l.Hub.Enroll(ctx, req)
}

// Sync implements [client.Hub]. Traffic counts uncompressed JSON bytes.
func (l *Local) Sync(ctx context.Context, token string, req *protocol.SyncRequest) (*protocol.SyncResponse, client.Traffic, error) {
	var tr client.Traffic
	var in protocol.SyncRequest
	n, err := roundTripJSON(req, &in)
	tr.Up = n
	if err != nil {
		return nil, tr, fmt.Errorf("hubtest: encode request: %w", err)
	}
	dev, err := l.Hub.Authenticate(ctx, token)
	if err != nil {
		return nil, tr, err
	}
	resp, err := l.Hub.Sync(ctx, dev, &in)
	if err != nil {
		return nil, tr, err
	}
	out := &protocol.SyncResponse{}
	n, err = roundTripJSON(resp, out)
	tr.Down = n
	if err != nil {
		return nil, tr, fmt.Errorf("hubtest: encode reply: %w", err)
	}
	return out, tr, nil
}

// Health implements [client.Hub].
func (l *Local) Health(context.Context) error { return nil }

// Fork implements [client.Hub].
func (l *Local) Fork(ctx context.Context, token string, req protocol.ForkRequest) (protocol.ForkResponse, error) {
	dev, err := l.Hub.Authenticate(ctx, token)
	if err != nil {
		return protocol.ForkResponse{}, err
	}
	return l.Hub.Fork(ctx, dev, req)
}

// ErrDropped is what a device sees when the simulated network loses a
// request or its reply.
var ErrDropped = errors.New("hubtest: message lost on the network")

// Faults are the odds, each in [0, 1], of what the simulated network does
// to one round trip.
type Faults struct {
	// DropRequest loses the request: the hub never sees it.
	DropRequest float64
	// DropReply delivers the request but loses the reply.
	DropReply float64
	// Duplicate delivers the request twice.
	Duplicate float64
	// Delay keeps a copy of the request and delivers it again later,
	// after other requests: a late, reordered duplicate.
	Delay float64
	// Corrupt garbles one record of the reply (its clock or a field) on
	// its way to the device.
	Corrupt float64
}

// Network is a simulated, unreliable network in front of a hub. It is
// safe for concurrent use.
type Network struct {
	mu      sync.Mutex // guards all fields
	rng     *rand.Rand
	faults  Faults
	down    bool
	delayed []delayed
	// Delivered counts requests that reached the hub.
	delivered int
}

type delayed struct {
	token string
	req   protocol.SyncRequest
}

// NewNetwork returns a network with the given faults, its randomness from
// seed so that a failing run can be replayed.
func NewNetwork(seed uint64, f Faults) *Network {
	return &Network{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), faults: f}
}

// SetFaults changes the odds; Faults{} heals the network (delayed
// messages are still delivered).
func (n *Network) SetFaults(f Faults) { n.mu.Lock(); n.faults = f; n.mu.Unlock() }

// SetDown cuts (true) or restores the link entirely.
func (n *Network) SetDown(down bool) { n.mu.Lock(); n.down = down; n.mu.Unlock() }

// Delivered returns how many requests reached a hub.
func (n *Network) Delivered() int { n.mu.Lock(); defer n.mu.Unlock(); return n.delivered }

func (n *Network) roll(p float64) bool { return p > 0 && n.rng.Float64() < p }

// Hub returns h seen through the network.
func (n *Network) Hub(h client.Hub) client.Hub { return &flaky{net: n, hub: h} }

type flaky struct {
	net *Network
	hub client.Hub
}

// Enroll passes through: enrollment is not what the faults test.
func (f *flaky) Enroll(ctx context.Context, req protocol.EnrollRequest) (protocol.EnrollResponse, error) {
	return f.hub.Enroll(ctx, req)
}

// Fork passes through unless the link is down.
func (f *flaky) Fork(ctx context.Context, token string, req protocol.ForkRequest) (protocol.ForkResponse, error) {
	f.net.mu.Lock()
	down := f.net.down
	f.net.mu.Unlock()
	if down {
		return protocol.ForkResponse{}, ErrDropped
	}
	return f.hub.Fork(ctx, token, req)
}

// Health fails while the link is down.
func (f *flaky) Health(ctx context.Context) error {
	f.net.mu.Lock()
	down := f.net.down
	f.net.mu.Unlock()
	if down {
		return ErrDropped
	}
	return f.hub.Health(ctx)
}

// Sync delivers, drops, duplicates or delays the round trip.
func (f *flaky) Sync(ctx context.Context, token string, req *protocol.SyncRequest) (*protocol.SyncResponse, client.Traffic, error) {
	n := f.net
	n.mu.Lock()
	if n.down {
		n.mu.Unlock()
		return nil, client.Traffic{}, ErrDropped
	}
	// Late copies of earlier requests arrive first, in random order.
	var late []delayed
	if len(n.delayed) > 0 && n.roll(0.5) {
		n.rng.Shuffle(len(n.delayed), func(i, j int) { n.delayed[i], n.delayed[j] = n.delayed[j], n.delayed[i] })
		late, n.delayed = n.delayed, nil
	}
	dropReq, dropReply := n.roll(n.faults.DropRequest), n.roll(n.faults.DropReply)
	dup, corrupt := n.roll(n.faults.Duplicate), n.roll(n.faults.Corrupt)
	garble := n.rng.IntN(3)
	if n.roll(n.faults.Delay) {
		var cp protocol.SyncRequest
		if _, err := roundTripJSON(req, &cp); err == nil {
			n.delayed = append(n.delayed, delayed{token: token, req: cp})
		}
	}
	n.mu.Unlock()
	for _, d := range late {
		f.deliver(ctx, d.token, &d.req) // their replies go nowhere
	}
	if dropReq {
		return nil, client.Traffic{}, ErrDropped
	}
	if dup {
		f.deliver(ctx, token, req)
	}
	resp, tr, err := f.deliver(ctx, token, req)
	if err != nil {
		return nil, tr, err
	}
	if dropReply {
		return nil, tr, ErrDropped
	}
	if corrupt && len(resp.Records) > 0 {
		r := &resp.Records[garble%len(resp.Records)]
		switch garble {
		case 0:
			r.HLC = "not a clock"
		default:
			fields := make(map[string]json.RawMessage, len(r.Fields)+1)
			for k, v := range r.Fields {
				fields[k] = v
			}
			fields["deleted"] = json.RawMessage(`"yes"`)
			r.Fields = fields
		}
	}
	return resp, tr, nil
}

func (f *flaky) deliver(ctx context.Context, token string, req *protocol.SyncRequest) (*protocol.SyncResponse, client.Traffic, error) {
	f.net.mu.Lock()
	f.net.delivered++
	f.net.mu.Unlock()
	return f.hub.Sync(ctx, token, req)
}

// Flush delivers every delayed request now; their replies are dropped.
func (n *Network) Flush(ctx context.Context, h client.Hub) {
	n.mu.Lock()
	late := n.delayed
	n.delayed = nil
	n.mu.Unlock()
	for _, d := range late {
		_, _, _ = h.Sync(ctx, d.token, &d.req)
	}
}
