package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// Traffic counts the bytes one round trip put on the wire, compressed.
type Traffic struct {
	Up, Down int64
}

// Hub is the hub as the device sees it. The real implementation speaks
// HTTP ([NewHTTPHub]); tests use an in-process one. Every method waits on
// the network and honours ctx. Errors the hub sent are [*protocol.Error]s;
// any other error (a broken link, a timeout) is transient.
type Hub interface {
	// Enroll trades a one-time code for a device token.
	Enroll(ctx context.Context, req protocol.EnrollRequest) (protocol.EnrollResponse, error)
	// Sync runs one round trip with the device token.
	Sync(ctx context.Context, token string, req *protocol.SyncRequest) (*protocol.SyncResponse, Traffic, error)
	// Health reports whether the hub answers.
	Health(ctx context.Context) error
	// Fork asks the hub, with the device token, to make this database a
	// device of its own after the hub found it diverged from its device.
	Fork(ctx context.Context, token string, req protocol.ForkRequest) (protocol.ForkResponse, error)
}

// httpHub is a [Hub] over HTTP(S).
type httpHub struct {
	base   string
	client *http.Client
}

var _ Hub = (*httpHub)(nil)

// errNotAHub marks a reply no Fieldbook hub would send ([ProblemNotAHub]).
var errNotAHub = errors.New("the reply is not a Fieldbook hub's")

// MaxResponse is the largest reply body the client reads (decompressed).
const MaxResponse = 64 << 20

// NewHTTPHub returns a [Hub] that talks to the hub at base (such as
// "https://hub.example.org") with client (http.DefaultClient when nil).
func NewHTTPHub(base string, client *http.Client) Hub {
	if client == nil {
		client = http.DefaultClient
	}
	return &httpHub{base: strings.TrimRight(base, "/"), client: client}
}

func (h *httpHub) post(ctx context.Context, path, token string, in, out any) (Traffic, error) {
	var tr Traffic
	raw, err := json.Marshal(in)
	if err != nil {
		return tr, fmt.Errorf("client: encode request: %w", err)
	}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = gz.Write(raw)
	if err := gz.Close(); err != nil {
		return tr, fmt.Errorf("client: compress request: %w", err)
	}
	tr.Up = int64(buf.Len())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+path, &buf)
	if err != nil {
		return tr, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	// Set explicitly so that the transport leaves the body compressed and
	// the bytes on the wire can be counted.
	req.Header.Set("Accept-Encoding", "gzip")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return tr, fmt.Errorf("client: %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	tr.Down = int64(len(body))
	if err != nil {
		return tr, fmt.Errorf("client: %s: read reply: %w", path, err)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return tr, fmt.Errorf("client: %s: %w: reply is not gzip: %w", path, errNotAHub, err)
		}
		if body, err = io.ReadAll(io.LimitReader(zr, MaxResponse+1)); err != nil {
			return tr, fmt.Errorf("client: %s: read reply: %w", path, err)
		}
	}
	if len(body) > MaxResponse {
		return tr, fmt.Errorf("client: %s: reply larger than %d bytes", path, MaxResponse)
	}
	if resp.StatusCode != http.StatusOK {
		return tr, replyError(resp, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return tr, fmt.Errorf("client: %s: %w: reply is not valid: %w", path, errNotAHub, err)
	}
	return tr, nil
}

// replyError is the [*protocol.Error] of a reply that is not a success,
// from its JSON body or, without one, from its status.
func replyError(resp *http.Response, body []byte) *protocol.Error {
	pe := &protocol.Error{}
	if json.Unmarshal(body, pe) != nil || pe.Kind == "" {
		pe = &protocol.Error{Kind: kindForStatus(resp.StatusCode), Message: fmt.Sprintf("hub answered %s", resp.Status)}
	}
	pe.Status = resp.StatusCode
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		pe.RetryAfter = s
	}
	return pe
}

// kindForStatus guesses the kind of an error reply without a JSON body,
// such as one from a proxy in front of the hub.
func kindForStatus(code int) protocol.Kind {
	switch code {
	case http.StatusUnauthorized:
		return protocol.KindUnauthenticated
	case http.StatusForbidden:
		return protocol.KindForbidden
	case http.StatusNotFound:
		return protocol.KindNotFound
	case http.StatusUpgradeRequired:
		return protocol.KindTooOld
	case http.StatusRequestEntityTooLarge:
		return protocol.KindTooLarge
	case http.StatusBadRequest:
		return protocol.KindInvalid
	}
	return protocol.KindTransient
}

// Enroll implements [Hub].
func (h *httpHub) Enroll(ctx context.Context, req protocol.EnrollRequest) (protocol.EnrollResponse, error) {
	var resp protocol.EnrollResponse
	_, err := h.post(ctx, protocol.PathEnroll, "", req, &resp)
	return resp, err
}

// Fork implements [Hub].
func (h *httpHub) Fork(ctx context.Context, token string, req protocol.ForkRequest) (protocol.ForkResponse, error) {
	var resp protocol.ForkResponse
	_, err := h.post(ctx, protocol.PathFork, token, req, &resp)
	return resp, err
}

// Sync implements [Hub]; Traffic counts compressed body bytes.
func (h *httpHub) Sync(ctx context.Context, token string, req *protocol.SyncRequest) (*protocol.SyncResponse, Traffic, error) {
	resp := &protocol.SyncResponse{}
	tr, err := h.post(ctx, protocol.PathSync, token, req, resp)
	if err != nil {
		return nil, tr, err
	}
	return resp, tr, nil
}

// Health implements [Hub] with GET /healthz.
func (h *httpHub) Health(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+protocol.PathHealthz, nil)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return fmt.Errorf("client: health: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return errors.New("client: health: hub answered " + resp.Status)
	}
	return nil
}
