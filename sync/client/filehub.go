package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// FileHub is a [Hub] that also moves files' bytes over the file
// endpoints ([protocol.PathFiles]); the hub of [NewHTTPHub] is one. An
// engine whose hub is not a FileHub syncs records only.
type FileHub interface {
	Hub
	// FileStatus asks how much of file hash the hub holds (HEAD).
	FileStatus(ctx context.Context, token, hash string) (HubFile, error)
	// PutChunk sends data, the bytes of file hash (of size bytes) from
	// offset on, and returns how many bytes of it the hub holds after. A
	// hub that holds another count answers with an [*OffsetError].
	PutChunk(ctx context.Context, token, hash string, offset, size int64, data []byte) (int64, error)
	// GetChunk fetches the bytes start to end (inclusive) of file hash.
	GetChunk(ctx context.Context, token, hash string, start, end int64) (Chunk, error)
}

// HubFile is how much of a file the hub holds.
type HubFile struct {
	// Received is how many bytes the hub holds, from 0.
	Received int64
	// Complete says the file is whole on the hub.
	Complete bool
}

// Chunk is one chunk of a download as the hub sent it.
type Chunk struct {
	// Data is the chunk's bytes, SHA256 the hash the hub sent with them
	// (lowercase hex), to be checked before the bytes are kept.
	Data   []byte
	SHA256 string
	// Size is the whole file's size.
	Size int64
}

// OffsetError is the hub's answer to a chunk that does not start where
// its upload stands (409): it holds Received bytes; send from there.
type OffsetError struct {
	Received int64
	Err      *protocol.Error
}

// Error says where the upload stands.
func (e *OffsetError) Error() string {
	return fmt.Sprintf("client: the hub holds %d bytes of this file: %v", e.Received, e.Err)
}

// Unwrap returns the hub's error.
func (e *OffsetError) Unwrap() error { return e.Err }

var _ FileHub = (*httpHub)(nil)

// fileRequest sends one request to the file endpoint of hash and returns
// the reply with its body read (at most limit bytes), or the hub's error
// for a status other than ok.
func (h *httpHub) fileRequest(ctx context.Context, req *http.Request, token string, ok int, limit int64) (*http.Response, []byte, error) {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, nil, fmt.Errorf("client: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("client: %s %s: read reply: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != ok {
		pe := replyError(resp, body)
		if n, err := strconv.ParseInt(resp.Header.Get(protocol.HeaderReceived), 10, 64); err == nil && resp.StatusCode == http.StatusConflict {
			return nil, nil, &OffsetError{Received: n, Err: pe}
		}
		return nil, nil, pe
	}
	if int64(len(body)) > limit {
		return nil, nil, fmt.Errorf("client: %s %s: %w: reply larger than %d bytes", req.Method, req.URL.Path, errNotAHub, limit)
	}
	return resp, body, nil
}

// received reads the hub's [protocol.HeaderReceived].
func received(resp *http.Response) (int64, error) {
	n, err := strconv.ParseInt(resp.Header.Get(protocol.HeaderReceived), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("client: %s: %w: no %s", resp.Request.URL.Path, errNotAHub, protocol.HeaderReceived)
	}
	return n, nil
}

// FileStatus implements [FileHub].
func (h *httpHub) FileStatus(ctx context.Context, token, hash string) (HubFile, error) {
	req, err := http.NewRequest(http.MethodHead, h.base+protocol.PathFiles+hash, nil)
	if err != nil {
		return HubFile{}, fmt.Errorf("client: %w", err)
	}
	resp, _, err := h.fileRequest(ctx, req, token, http.StatusOK, 0)
	if err != nil {
		return HubFile{}, err
	}
	n, err := received(resp)
	return HubFile{Received: n, Complete: resp.Header.Get(protocol.HeaderSize) != ""}, err
}

// PutChunk implements [FileHub].
func (h *httpHub) PutChunk(ctx context.Context, token, hash string, offset, size int64, data []byte) (int64, error) {
	req, err := http.NewRequest(http.MethodPut, h.base+protocol.PathFiles+hash+"?offset="+strconv.FormatInt(offset, 10), bytes.NewReader(data))
	if err != nil {
		return 0, fmt.Errorf("client: %w", err)
	}
	sum := sha256.Sum256(data)
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set(protocol.HeaderChunkSHA256, hex.EncodeToString(sum[:]))
	req.Header.Set(protocol.HeaderSize, strconv.FormatInt(size, 10))
	resp, _, err := h.fileRequest(ctx, req, token, http.StatusNoContent, 4096)
	if err != nil {
		return 0, err
	}
	return received(resp)
}

// GetChunk implements [FileHub].
func (h *httpHub) GetChunk(ctx context.Context, token, hash string, start, end int64) (Chunk, error) {
	req, err := http.NewRequest(http.MethodGet, h.base+protocol.PathFiles+hash, nil)
	if err != nil {
		return Chunk{}, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", start, end))
	// The bytes as they are: a chunk's hash is of its raw bytes.
	req.Header.Set("Accept-Encoding", "identity")
	resp, body, err := h.fileRequest(ctx, req, token, http.StatusPartialContent, protocol.MaxChunk)
	if err != nil {
		return Chunk{}, err
	}
	c := Chunk{Data: body, SHA256: resp.Header.Get(protocol.HeaderChunkSHA256)}
	if c.Size, err = strconv.ParseInt(resp.Header.Get(protocol.HeaderSize), 10, 64); err != nil {
		return Chunk{}, fmt.Errorf("client: GET %s: %w: no %s", req.URL.Path, errNotAHub, protocol.HeaderSize)
	}
	if len(body) == 0 {
		return Chunk{}, errors.New("client: GET " + req.URL.Path + ": empty chunk")
	}
	return c, nil
}
