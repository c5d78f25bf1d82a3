package hub

import (
	"compress/gzip"
	"context"
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

// DashboardPath is where the hub serves the coordinators' dashboard.
const DashboardPath = "/dashboard/"

// Handler returns the hub's HTTP handler: POST /v1/sync, POST /v1/enroll,
// the file endpoints under [protocol.PathFiles] (HEAD, PUT, GET), GET /healthz and the coordinators' dashboard under [DashboardPath] (GET /
// leads there), with request logging and panic recovery. Over TLS every
// response carries Strict-Transport-Security.
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
	mux.Handle(DashboardPath, h.dashboard)
	mux.Handle("GET /{$}", http.RedirectHandler(DashboardPath, http.StatusSeeOther))
	return a.recover(a.logRequests(hsts(mux)))
}

// hsts tells browsers that reached the hub over TLS to use nothing else for
// a year. A hub behind a TLS proxy sees plain HTTP: the proxy sends it.
func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// NewServer returns an HTTP server for h on addr with timeouts suited to
// slow links: a 256 KiB page at 64 kbit/s takes about 35 seconds.
func NewServer(h *Hub, addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h.Handler(),
		ReadHeaderTimeout: 20 * time.Second,
		ReadTimeout:       3 * time.Minute,
		WriteTimeout:      3 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelWarn),
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// WriteHeader records the status.
func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// Write counts the bytes written.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (a *api) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		a.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"bytesIn", r.ContentLength, "bytesOut", sw.bytes, "duration", time.Since(start))
	})
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
	release, wait := a.hub.enrollGate.admit(clientAddr(r), a.hub.now())
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

// Serve runs srv until ctx is done, then shuts it down gracefully, giving
// running requests up to grace to finish.
func Serve(ctx context.Context, srv *http.Server, grace time.Duration, listen func() error) error {
	errc := make(chan error, 1)
	go func() { errc <- listen() }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("hub: shutdown: %w", err)
	}
	return nil
}
