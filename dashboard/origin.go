package dashboard

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// sameOrigin reports whether a state-changing request (any method but GET
// and HEAD) was sent by one of the dashboard's own pages. Browsers say
// where a POST comes from: Sec-Fetch-Site, and Origin (and, under the
// dashboard's same-origin referrer policy, Referer). A request from
// another site, one whose origin is "null", and one that names no origin
// at all is refused: every browser of the last years sends Origin on a
// POST, and the session cookie is SameSite=Strict besides.
//
// The expected host is the request's Host or, behind a reverse proxy on
// the same machine (a loopback peer), its X-Forwarded-Host.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	from := r.Header.Get("Origin")
	if from == "" {
		from = r.Header.Get("Referer")
	}
	if from == "" || from == "null" {
		return false
	}
	u, err := url.Parse(from)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if r.TLS != nil && u.Scheme != "https" {
		return false
	}
	got := hostPort(u.Host, u.Scheme)
	if got == hostPort(r.Host, u.Scheme) {
		return true
	}
	if fwd := r.Header.Get("X-Forwarded-Host"); fwd != "" && loopbackPeer(r) {
		return got == hostPort(strings.TrimSpace(strings.Split(fwd, ",")[0]), u.Scheme)
	}
	return false
}

// hostPort lowercases host and drops the scheme's default port, so that
// "Hub.example.org:443" and "hub.example.org" compare equal over https.
func hostPort(host, scheme string) string {
	host = strings.ToLower(host)
	if (scheme == "https" && strings.HasSuffix(host, ":443")) || (scheme == "http" && strings.HasSuffix(host, ":80")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return host
}

// loopbackPeer reports whether the request came over a loopback
// connection, as from a reverse proxy on the same machine.
func loopbackPeer(r *http.Request) bool {
	_, ip := peer(r)
	return ip != nil && ip.IsLoopback()
}

// peer returns the connection's remote host and, when it is one, its IP
// address.
func peer(r *http.Request) (string, net.IP) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host, net.ParseIP(host)
}
