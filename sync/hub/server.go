package hub

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// api serves the hub's HTTP endpoints.
type api struct {
	hub *Hub
	log *slog.Logger
}

// Handler returns the hub's HTTP handler, the sync protocol's endpoints:
// POST /v1/sync, POST /v1/enroll, POST /v1/fork, the file endpoints under
// [protocol.PathFiles] (HEAD, PUT, GET) and GET /healthz, with panic
// recovery; anything else is not found. The program serving it adds
// request logs, Strict-Transport-Security and the dashboard's pages.
func (h *Hub) Handler() http.Handler {
	a := &api{hub: h, log: h.log}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+protocol.PathSync, a.sync)
	mux.HandleFunc("POST "+protocol.PathEnroll, a.enroll)
	mux.HandleFunc("POST "+protocol.PathFork, a.fork)
	mux.HandleFunc("GET "+protocol.PathHealthz, a.healthz)
	mux.HandleFunc("HEAD "+protocol.PathFiles+"{hash}", a.fileHead)
	mux.HandleFunc("PUT "+protocol.PathFiles+"{hash}", a.filePut)
	mux.HandleFunc("GET "+protocol.PathFiles+"{hash}", a.fileGet)
	return a.recover(mux)
}

func (a *api) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.Error("handler panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
				a.writeError(w, protocol.Errorf(protocol.KindTransient, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// writeError answers with err's kind, status and message as JSON: the
// kind's status unless the error sets its own Status, and its RetryAfter as
// Retry-After. Errors that are not [*protocol.Error] are logged and sent as
// transient.
func (a *api) writeError(w http.ResponseWriter, err error) {
	var pe *protocol.Error
	if !errors.As(err, &pe) {
		a.log.Error("request failed", "err", err)
		pe = protocol.Errorf(protocol.KindTransient, "the hub could not complete the request; try again later")
		pe.RetryAfter = 5
	}
	status := pe.Kind.HTTPStatus()
	if pe.Status != 0 {
		status = pe.Status
	}
	if pe.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(pe.RetryAfter))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(pe)
}

// gzipWriters reuses compressors: each holds about a megabyte of state.
var gzipWriters = sync.Pool{New: func() any {
	gz, _ := gzip.NewWriterLevel(io.Discard, gzip.BestCompression)
	return gz
}}

// writeJSON sends v, gzip-compressed when the client accepts it.
func (a *api) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	var out io.Writer = w
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzipWriters.Get().(*gzip.Writer)
		gz.Reset(w)
		defer func() {
			if err := gz.Close(); err != nil {
				a.log.Warn("write response", "err", err)
			}
			gzipWriters.Put(gz)
		}()
		out = gz
	}
	if err := json.NewEncoder(out).Encode(v); err != nil {
		a.log.Warn("write response", "err", err)
	}
}

// readBody decodes a JSON request body into v within the documented limits:
// at most [protocol.MaxBody] bytes on the wire and [protocol.MaxDecoded]
// after gzip decompression. Unknown fields are ignored.
func readBody(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength > protocol.MaxBody {
		return protocol.Errorf(protocol.KindTooLarge, "request body of %d bytes exceeds %d", r.ContentLength, protocol.MaxBody)
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, protocol.MaxBody)
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
	case "gzip":
		gz, err := gzip.NewReader(body)
		if err != nil {
			return bodyError(err, "request body is not gzip")
		}
		defer gz.Close()
		body = gz
	default:
		return protocol.Errorf(protocol.KindInvalid, "content encoding %q is not supported (want gzip)", enc)
	}
	data, err := io.ReadAll(io.LimitReader(body, protocol.MaxDecoded+1))
	if err != nil {
		return bodyError(err, "request body could not be read")
	}
	if len(data) > protocol.MaxDecoded {
		return protocol.Errorf(protocol.KindTooLarge, "request body exceeds %d bytes once decompressed", protocol.MaxDecoded)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return protocol.Errorf(protocol.KindInvalid, "request body is not valid JSON: %v", err)
	}
	return nil
}

func bodyError(err error, msg string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return protocol.Errorf(protocol.KindTooLarge, "request body exceeds %d bytes", protocol.MaxBody)
	}
	return protocol.Errorf(protocol.KindInvalid, "%s: %v", msg, err)
}

func bearer(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(auth, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

// versionOf reads just the protocol version, so that a too-old client is
// told to upgrade even if the rest of its message no longer parses.
func versionOf(v int) error {
	if v < protocol.MinVersion {
		return tooOld(v)
	}
	return nil
}

func (a *api) sync(w http.ResponseWriter, r *http.Request) {
	dev, err := a.hub.Authenticate(r.Context(), bearer(r))
	if err != nil {
		a.writeError(w, err)
		return
	}
	var req protocol.SyncRequest
	if err := readBody(w, r, &req); err != nil {
		a.writeError(w, err)
		return
	}
	if err := versionOf(req.V); err != nil {
		a.writeError(w, err)
		return
	}
	start := time.Now()
	resp, err := a.hub.Sync(r.Context(), dev, &req)
	if err != nil {
		a.log.Info("sync refused", "device", dev.ID, "org", dev.Org, "err", err)
		a.writeError(w, err)
		return
	}
	a.log.Info("sync", "device", dev.ID, "org", dev.Org, "pushed", len(req.Push), "rejected", len(resp.Rejected),
		"pulled", len(resp.Records)+len(resp.Conflicts), "more", resp.More, "duration", time.Since(start))
	a.writeJSON(w, r, resp)
}

func (a *api) enroll(w http.ResponseWriter, r *http.Request) {
	release, wait, err := a.hub.enrollGate.admit(r.Context(), clientAddr(r), a.hub.now())
	if err != nil {
		a.writeError(w, err)
		return
	}
	if release == nil {
		a.log.Warn("enrollment refused: too many attempts", "addr", clientAddr(r))
		a.writeError(w, tooManyEnrollments(wait))
		return
	}
	defer release()
	var req protocol.EnrollRequest
	if err := readBody(w, r, &req); err != nil {
		a.writeError(w, err)
		return
	}
	resp, err := a.hub.Enroll(r.Context(), req)
	if err != nil {
		a.writeError(w, err)
		return
	}
	a.writeJSON(w, r, resp)
}

func (a *api) fork(w http.ResponseWriter, r *http.Request) {
	dev, err := a.hub.Authenticate(r.Context(), bearer(r))
	if err != nil {
		a.writeError(w, err)
		return
	}
	var req protocol.ForkRequest
	if err := readBody(w, r, &req); err != nil {
		a.writeError(w, err)
		return
	}
	resp, err := a.hub.Fork(r.Context(), dev, req)
	if err != nil {
		a.writeError(w, err)
		return
	}
	a.writeJSON(w, r, resp)
}

func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	if err := a.hub.reader.PingContext(r.Context()); err != nil {
		a.writeError(w, fmt.Errorf("hub: health: %w", err))
		return
	}
	a.writeJSON(w, r, map[string]string{"status": "ok", "epoch": a.hub.epoch, "protocol": strconv.Itoa(protocol.Version)})
}
