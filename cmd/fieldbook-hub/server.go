package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/a20-network/fieldbook/dashboard"
	"github.com/a20-network/fieldbook/internal/sqlitedb"
	"github.com/a20-network/fieldbook/locales"
	"github.com/a20-network/fieldbook/sync/hub"
)

// dashboardPath is where the hub program serves the coordinators'
// dashboard.
const dashboardPath = "/dashboard/"

// openDashboardDB returns the dashboard's connection pool on the database
// of h, which h has migrated: it reads reports and writes sign-ins. On
// SQLite it is a pool of its own; on PostgreSQL it is h's own pool
// ([hub.ReportDB]), which h closes. Call done when finished with it.
func openDashboardDB(h *hub.Hub) (db *sql.DB, done func() error, err error) {
	if h.Postgres() {
		return hub.ReportDB(h), func() error { return nil }, nil
	}
	db, err = sqlitedb.Open(h.Path(), sqlitedb.Shared, 4, sqlitedb.Config{})
	if err != nil {
		return nil, nil, fmt.Errorf("dashboard: %w", err)
	}
	return db, db.Close, nil
}

// newDashboard returns the dashboard over db (the database of h, whose
// files it serves by h's rules) in the languages built into
// Fieldbook; secure marks its cookie for a hub served over TLS.
func newDashboard(ctx context.Context, h *hub.Hub, db *sql.DB, secure bool, log *slog.Logger) (*dashboard.Handler, error) {
	bundle, errs := locales.Load("")
	if len(errs) > 0 {
		return nil, fmt.Errorf("load languages: %w", errors.Join(errs...))
	}
	return dashboard.New(ctx, dashboard.Options{DB: db, Bundle: bundle, Secure: secure, Log: log, Files: dashboardFiles{h}})
}

// dashboardFiles opens files for the people signed in to the dashboard,
// by the rule of a device's download ([hub.Hub.OpenFile]).
type dashboardFiles struct{ h *hub.Hub }

var _ dashboard.FileSource = dashboardFiles{}

// OpenFile opens file hash for a reader of organization org ("" for one
// who reads only what is shared with the network).
func (d dashboardFiles) OpenFile(ctx context.Context, org, hash string) (dashboard.File, error) {
	b, err := d.h.OpenFile(ctx, org, hash)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// newHandler serves the hub's sync endpoints and the dashboard's pages
// under [dashboardPath] (GET / leads there), logging every request at
// debug level. Over TLS every response carries Strict-Transport-Security.
func newHandler(h *hub.Hub, pages http.Handler, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", h.Handler())
	mux.Handle(dashboardPath, pages)
	mux.Handle("GET /{$}", http.RedirectHandler(dashboardPath, http.StatusSeeOther))
	return logRequests(log, hsts(mux))
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

func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"bytesIn", r.ContentLength, "bytesOut", sw.bytes, "duration", time.Since(start))
	})
}

// newServer returns an HTTP server for handler on addr with timeouts
// suited to slow links: a 256 KiB page at 64 kbit/s takes about 35
// seconds.
func newServer(addr string, handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           handler,
		ReadHeaderTimeout: 20 * time.Second,
		ReadTimeout:       3 * time.Minute,
		WriteTimeout:      3 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serveUntil runs srv until ctx is done, then shuts it down gracefully,
// giving running requests up to grace to finish.
func serveUntil(ctx context.Context, srv *http.Server, grace time.Duration, listen func() error) error {
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
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
