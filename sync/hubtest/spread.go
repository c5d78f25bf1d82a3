package hubtest

import (
	"context"
	"math/rand/v2"
	"sync"

	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

// Spread is a [client.Hub] and [client.FileHub] in front of several hubs
// on one database, as several hub processes behind a load balancer are:
// each request goes, as a [Local] one, to a hub drawn at random.
type Spread struct {
	hubs []*hub.Hub
	mu   sync.Mutex // guards rng
	rng  *rand.Rand
}

var (
	_ client.Hub     = (*Spread)(nil)
	_ client.FileHub = (*Spread)(nil)
)

// NewSpread returns a Spread over hubs that draws with seed.
func NewSpread(seed uint64, hubs ...*hub.Hub) *Spread {
	return &Spread{hubs: hubs, rng: rand.New(rand.NewPCG(seed, seed>>1|1))}
}

// pick draws the hub of one request.
func (s *Spread) pick() *Local {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &Local{Hub: s.hubs[s.rng.IntN(len(s.hubs))]}
}

// Enroll implements [client.Hub].
func (s *Spread) Enroll(ctx context.Context, req protocol.EnrollRequest) (protocol.EnrollResponse, error) {
	return s.pick().Enroll(ctx, req)
}

// Sync implements [client.Hub].
func (s *Spread) Sync(ctx context.Context, token string, req *protocol.SyncRequest) (*protocol.SyncResponse, client.Traffic, error) {
	return s.pick().Sync(ctx, token, req)
}

// Health implements [client.Hub].
func (s *Spread) Health(ctx context.Context) error { return s.pick().Health(ctx) }

// Fork implements [client.Hub].
func (s *Spread) Fork(ctx context.Context, token string, req protocol.ForkRequest) (protocol.ForkResponse, error) {
	return s.pick().Fork(ctx, token, req)
}

// FileStatus implements [client.FileHub].
func (s *Spread) FileStatus(ctx context.Context, token, hash string) (client.HubFile, error) {
	return s.pick().FileStatus(ctx, token, hash)
}

// PutChunk implements [client.FileHub].
func (s *Spread) PutChunk(ctx context.Context, token, hash string, offset, size int64, data []byte) (int64, error) {
	return s.pick().PutChunk(ctx, token, hash, offset, size, data)
}

// GetChunk implements [client.FileHub].
func (s *Spread) GetChunk(ctx context.Context, token, hash string, start, end int64) (client.Chunk, error) {
	return s.pick().GetChunk(ctx, token, hash, start, end)
}
