// Package dashboard is the hub's web dashboard for coordinators: what the
// whole network did in a period — activities by country, theme, kind and
// month, children reached by sex and age band — and the records that
// organizations chose to share, with CSV and Excel downloads; the resources
// they shared, and the files attached to resources and activities, which
// people download through the hub's own rule of who may read a file
// ([FileSource]).
//
// Pages are rendered on the server with inline SVG charts: no scripts, no
// external fonts, no requests to anywhere else. Users sign in with a name and
// password (argon2id); sessions are random tokens in an HttpOnly,
// SameSite=Strict cookie, stored hashed, that expire. Sign-in attempts are
// counted before the password is checked: five for a name, or twenty from
// one address, within fifteen minutes lock further tries (HTTP 429), counted
// in the database so that every hub process on it shares them; at
// most a few passwords are hashed at once, so a flood of sign-ins cannot
// exhaust memory (HTTP 503 beyond a short wait). A form posted from
// another site is refused (HTTP 403). Every request checks the session and
// the user's role.
//
// Privacy: a record an organization kept to itself ("org" visibility) counts
// in every figure, but its text — title, summary, place, partners — is never
// shown or downloaded, except to an orgadmin of the organization that owns
// it; nor are its files. Records shared with the network are listed in
// full.
package dashboard

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/a20-network/fieldbook/internal/report"
	"github.com/a20-network/fieldbook/locales"
)

// CookieName is the session cookie's name.
const CookieName = "fieldbook_dashboard"

// Options configure [New].
type Options struct {
	// DB is the hub database, migrated by the hub: the activities, the
	// organization directory, the report rollup, and the dashboard's users,
	// sessions and sign-in counts. On PostgreSQL it is a pool made by
	// pgdb.OpenPortable, which takes the dashboard's ? placeholders;
	// every dashboard on one database shares its sessions and sign-in
	// limits.
	DB *sql.DB
	// Bundle holds the languages pages are shown in.
	Bundle *locales.Bundle
	// Prefix is the path the handler is mounted at; "" means "/dashboard".
	Prefix string
	// SessionTTL is how long a sign-in lasts; 0 means 12 hours.
	SessionTTL time.Duration
	// Secure marks the cookie Secure; set it when the hub is served over
	// TLS.
	Secure bool
	// Now reads the clock; nil means time.Now. Tests inject it.
	Now func() time.Time
	// Log receives errors; nil means slog.Default().
	Log *slog.Logger
	// Files opens the attached files people download from the pages; nil
	// lists files without links. The hub sets it to its own store of
	// files.
	Files FileSource
}

// Handler serves the dashboard. It is safe for concurrent use.
type Handler struct {
	db       *sql.DB
	bundle   *locales.Bundle
	prefix   string
	secure   bool
	now      func() time.Time
	log      *slog.Logger
	sessions *sessions
	mux      *http.ServeMux

	guard *signInGuard
	gate  *hashGate
	files FileSource
}

// New returns the dashboard handler over a hub database the hub has
// migrated; for another database it returns an error wrapping
// [ErrNotMigrated] that names what it lacks. Mount it at opts.Prefix with a
// trailing slash, e.g. mux.Handle("/dashboard/", h).
func New(ctx context.Context, opts Options) (*Handler, error) {
	if opts.DB == nil || opts.Bundle == nil {
		return nil, errors.New("dashboard: DB and Bundle are required")
	}
	if err := checkMigrated(ctx, opts.DB); err != nil {
		return nil, err
	}
	h := &Handler{db: opts.DB, bundle: opts.Bundle, prefix: strings.TrimSuffix(opts.Prefix, "/"), secure: opts.Secure,
		now: opts.Now, log: opts.Log, guard: newSignInGuard(opts.DB), gate: newHashGate(), files: opts.Files}
	if h.prefix == "" {
		h.prefix = "/dashboard"
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	ttl := opts.SessionTTL
	if ttl <= 0 {
		ttl = 12 * time.Hour
	}
	h.sessions = &sessions{db: opts.DB, ttl: ttl, now: h.now}
	p := h.prefix
	m := http.NewServeMux()
	m.HandleFunc("GET "+p+"/login", h.loginForm)
	m.HandleFunc("POST "+p+"/login", h.login)
	m.HandleFunc("POST "+p+"/logout", h.logout)
	m.Handle("GET "+p+"/{$}", h.require(h.home, RoleCoordinator, RoleOrgAdmin))
	m.Handle("GET "+p+"/activity/{id}", h.require(h.activity, RoleCoordinator, RoleOrgAdmin))
	m.Handle("GET "+p+"/resources/{$}", h.require(h.resourceList, RoleCoordinator, RoleOrgAdmin))
	m.Handle("GET "+p+"/resource/{id}", h.require(h.resource, RoleCoordinator, RoleOrgAdmin))
	m.Handle("GET "+p+"/file/{hash}", h.require(h.fileDownload, RoleCoordinator, RoleOrgAdmin))
	m.Handle("GET "+p+"/report.csv", h.require(h.reportDownload("csv"), RoleCoordinator, RoleOrgAdmin))
	m.Handle("GET "+p+"/report.xlsx", h.require(h.reportDownload("xlsx"), RoleCoordinator, RoleOrgAdmin))
	m.Handle("GET "+p+"/shared.csv", h.require(h.listDownload(false), RoleCoordinator, RoleOrgAdmin))
	m.Handle("GET "+p+"/own.csv", h.require(h.listDownload(true), RoleOrgAdmin))
	m.Handle("GET "+p+"/organizations.csv", h.require(h.orgDownload, RoleCoordinator))
	h.mux = m
	return h, nil
}

// ServeHTTP serves a dashboard request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: under no-referrer browsers send
	// "Origin: null" with the dashboard's own forms, which [sameOrigin]
	// could not tell from a forged post.
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	hd.Add("Vary", "Accept-Encoding")
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
		h.log.Warn("dashboardCrossOriginRefused", "path", r.URL.Path, "origin", r.Header.Get("Origin"),
			"secFetchSite", r.Header.Get("Sec-Fetch-Site"))
		http.Error(w, h.localizer(r).T("dashboard.cross_site"), http.StatusForbidden)
		return
	}
	h.mux.ServeHTTP(w, r)
}

type userKey struct{}

// require wraps next so that it runs only for a signed-in user with one of
// roles. Signed-out page requests are sent to the sign-in form; signed-out
// downloads get 401; a signed-in user without the role gets 403.
func (h *Handler) require(next http.HandlerFunc, roles ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u User
		ok := false
		if c, err := r.Cookie(CookieName); err == nil {
			var serr error
			u, ok, serr = h.sessions.user(r.Context(), c.Value)
			if serr != nil {
				h.fail(w, r, serr)
				return
			}
		}
		if !ok {
			if strings.HasSuffix(r.URL.Path, "/") {
				http.Redirect(w, r, h.prefix+"/login?lang="+url.QueryEscape(r.URL.Query().Get("lang")), http.StatusSeeOther)
				return
			}
			http.Error(w, h.localizer(r).T("dashboard.sign_in_first"), http.StatusUnauthorized)
			return
		}
		allowed := false
		for _, role := range roles {
			allowed = allowed || u.Role == role
		}
		if !allowed || (u.Role == RoleOrgAdmin && u.OrgID == "") {
			http.Error(w, h.localizer(r).T("dashboard.forbidden"), http.StatusForbidden)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

func userOf(r *http.Request) User { return r.Context().Value(userKey{}).(User) }

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("dashboardRequestFailed", "path", r.URL.Path, "err", err)
	http.Error(w, h.localizer(r).T("dashboard.internal_error"), http.StatusInternalServerError)
}

// localizer picks the page language: ?lang= first, then Accept-Language.
func (h *Handler) localizer(r *http.Request) *locales.Localizer {
	var prefs []string
	if l := r.URL.Query().Get("lang"); l != "" {
		prefs = append(prefs, l)
	} else if l := r.PostFormValue("lang"); l != "" {
		prefs = append(prefs, l)
	}
	if tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
		for _, t := range tags {
			prefs = append(prefs, t.String())
		}
	}
	return h.bundle.Localizer(prefs...)
}

// period reads the period from the query; a bad one is a 400 with the
// reason.
func (h *Handler) period(w http.ResponseWriter, r *http.Request, l *locales.Localizer) (report.Period, report.Filter, bool) {
	q := r.URL.Query()
	p, err := report.ParsePeriod(q.Get("period"), q.Get("from"), q.Get("to"))
	var f report.Filter
	if err == nil {
		f, err = p.Filter(h.now(), report.Filter{})
	}
	if err != nil {
		http.Error(w, l.T("report.error.period")+" ("+err.Error()+")", http.StatusBadRequest)
		return p, f, false
	}
	return p, f, true
}

func (h *Handler) setCookie(w http.ResponseWriter, value string, expires time.Time) {
	c := &http.Cookie{Name: CookieName, Value: value, Path: h.prefix + "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteStrictMode}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
		c.MaxAge = int(expires.Sub(h.now()).Seconds())
	}
	http.SetCookie(w, c)
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	h.renderLogin(w, r, h.localizer(r), http.StatusOK, "")
}

// login signs a user in. The attempt is counted before the password is
// checked ([signInGuard]); the check waits for a hashing slot
// ([hashGate]) and is answered 503 when none comes free in time.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, h.localizer(r).T("dashboard.bad_form"), http.StatusBadRequest)
		return
	}
	l := h.localizer(r)
	name := strings.TrimSpace(r.PostForm.Get("name"))
	addr := clientAddr(r)
	at := h.now()
	ok, wait, err := h.guard.begin(r.Context(), name, addr, at)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		h.log.Warn("dashboardLoginThrottled", "name", name, "addr", addr)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
		h.renderLogin(w, r, l, http.StatusTooManyRequests, l.T("dashboard.too_many"))
		return
	}
	u, err := authenticate(r.Context(), h.db, name, r.PostForm.Get("password"), h.gate.hash)
	switch {
	case errors.Is(err, ErrBadLogin):
		h.log.Info("dashboardBadLogin", "name", name, "addr", addr)
		h.renderLogin(w, r, l, http.StatusUnauthorized, l.T("dashboard.bad_login"))
		return
	case errors.Is(err, errBusy):
		// The password was never checked: the attempt does not count.
		if err := h.guard.cancel(r.Context(), name, addr, at); err != nil {
			h.fail(w, r, err)
			return
		}
		h.log.Warn("dashboardLoginBusy", "addr", addr)
		w.Header().Set("Retry-After", "5")
		h.renderLogin(w, r, l, http.StatusServiceUnavailable, l.T("dashboard.busy"))
		return
	case err != nil:
		if cerr := h.guard.cancel(r.Context(), name, addr, at); cerr != nil {
			h.log.Error("dashboardSignInCancelFailed", "err", cerr)
		}
		h.fail(w, r, err)
		return
	}
	if err := h.guard.succeeded(r.Context(), name, addr, at); err != nil {
		h.fail(w, r, err)
		return
	}
	token, exp, err := h.sessions.create(r.Context(), u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.setCookie(w, token, exp)
	http.Redirect(w, r, h.prefix+"/?lang="+url.QueryEscape(langTag(l)), http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		if err := h.sessions.end(r.Context(), c.Value); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.setCookie(w, "", time.Time{})
	http.Redirect(w, r, h.prefix+"/login", http.StatusSeeOther)
}

// attachment sets the headers of a download named name (see
// [contentDisposition]).
func attachment(w http.ResponseWriter, name, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", contentDisposition(name))
}
