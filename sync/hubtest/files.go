package hubtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/a20-network/fieldbook/sync/client"
	"github.com/a20-network/fieldbook/sync/hub"
	"github.com/a20-network/fieldbook/sync/protocol"
)

var _ client.FileHub = (*Local)(nil)

// FileStatus implements [client.FileHub].
func (l *Local) FileStatus(ctx context.Context, token, hash string) (client.HubFile, error) {
	dev, err := l.Hub.Authenticate(ctx, token)
	if err != nil {
		return client.HubFile{}, err
	}
	st, err := l.Hub.Stat(ctx, dev, hash)
	if err != nil {
		return client.HubFile{}, err
	}
	return client.HubFile{Received: st.Received, Complete: st.Complete}, nil
}

// PutChunk implements [client.FileHub], answering a chunk that does not
// start where the upload stands as the hub's HTTP endpoint does.
func (l *Local) PutChunk(ctx context.Context, token, hash string, offset, size int64, data []byte) (int64, error) {
	dev, err := l.Hub.Authenticate(ctx, token)
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(data)
	st, err := l.Hub.PutChunk(ctx, dev, hash, hub.Chunk{Offset: offset, Size: size, SHA256: hex.EncodeToString(sum[:]), Data: append([]byte(nil), data...)})
	var oe *hub.OffsetError
	if errors.As(err, &oe) {
		return 0, &client.OffsetError{Received: oe.Received, Err: &protocol.Error{Kind: protocol.KindConflict, Status: http.StatusConflict, Message: oe.Error()}}
	}
	if err != nil {
		return 0, err
	}
	return st.Received, nil
}

// GetChunk implements [client.FileHub].
func (l *Local) GetChunk(ctx context.Context, token, hash string, start, end int64) (client.Chunk, error) {
	dev, err := l.Hub.Authenticate(ctx, token)
	if err != nil {
		return client.Chunk{}, err
	}
	data, size, err := l.Hub.ReadChunk(ctx, dev, hash, start, end)
	var re *hub.RangeError
	if errors.As(err, &re) {
		return client.Chunk{}, &protocol.Error{Kind: protocol.KindInvalid, Status: http.StatusRequestedRangeNotSatisfiable, Message: re.Error()}
	}
	if err != nil {
		return client.Chunk{}, err
	}
	sum := sha256.Sum256(data)
	return client.Chunk{Data: data, SHA256: hex.EncodeToString(sum[:]), Size: size}, nil
}

// FileStatus implements [client.FileHub] over the network: lost when the
// link is down or the request or reply is dropped.
func (f *flaky) FileStatus(ctx context.Context, token, hash string) (client.HubFile, error) {
	fh, err := f.fileHub()
	if err != nil {
		return client.HubFile{}, err
	}
	dropReq, dropReply, _ := f.fileFaults()
	if dropReq {
		return client.HubFile{}, ErrDropped
	}
	st, err := fh.FileStatus(ctx, token, hash)
	if err == nil && dropReply {
		return client.HubFile{}, ErrDropped
	}
	return st, err
}

// PutChunk implements [client.FileHub] over the network: a chunk may be
// lost on its way or after the hub kept it (its acknowledgement lost), or
// delivered twice.
func (f *flaky) PutChunk(ctx context.Context, token, hash string, offset, size int64, data []byte) (int64, error) {
	fh, err := f.fileHub()
	if err != nil {
		return 0, err
	}
	dropReq, dropReply, dup := f.fileFaults()
	if dropReq {
		return 0, ErrDropped
	}
	if dup {
		_, _ = fh.PutChunk(ctx, token, hash, offset, size, data)
	}
	n, err := fh.PutChunk(ctx, token, hash, offset, size, data)
	if err == nil && dropReply {
		return 0, ErrDropped
	}
	return n, err
}

// GetChunk implements [client.FileHub] over the network: a chunk may be
// lost, or arrive garbled (one byte changed, the hash the hub sent kept).
func (f *flaky) GetChunk(ctx context.Context, token, hash string, start, end int64) (client.Chunk, error) {
	fh, err := f.fileHub()
	if err != nil {
		return client.Chunk{}, err
	}
	dropReq, dropReply, _ := f.fileFaults()
	if dropReq {
		return client.Chunk{}, ErrDropped
	}
	c, err := fh.GetChunk(ctx, token, hash, start, end)
	if err != nil {
		return c, err
	}
	if dropReply {
		return client.Chunk{}, ErrDropped
	}
	f.net.mu.Lock()
	corrupt := f.net.roll(f.net.faults.Corrupt)
	at := 0
	if len(c.Data) > 0 {
		at = f.net.rng.IntN(len(c.Data))
	}
	f.net.mu.Unlock()
	if corrupt && len(c.Data) > 0 {
		c.Data = append([]byte(nil), c.Data...)
		c.Data[at] ^= 0x5a
	}
	return c, nil
}

// fileHub returns the hub behind the network as a [client.FileHub], or
// [ErrDropped] while the link is down.
func (f *flaky) fileHub() (client.FileHub, error) {
	fh, ok := f.hub.(client.FileHub)
	if !ok {
		return nil, errors.New("hubtest: the hub behind the network moves no files")
	}
	f.net.mu.Lock()
	down := f.net.down
	f.net.mu.Unlock()
	if down {
		return nil, ErrDropped
	}
	return fh, nil
}

// fileFaults draws the faults of one file request.
func (f *flaky) fileFaults() (dropReq, dropReply, dup bool) {
	n := f.net
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.roll(n.faults.DropRequest), n.roll(n.faults.DropReply), n.roll(n.faults.Duplicate)
}
