package client

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// AddressReason says why a text cannot be a hub address.
type AddressReason int

// Reasons of an [AddressError].
const (
	// AddressEmpty: nothing was typed.
	AddressEmpty AddressReason = iota + 1
	// AddressScheme: it starts with something other than http:// or https://.
	AddressScheme
	// AddressHost: the server name holds characters no name or IP address has.
	AddressHost
	// AddressPort: the port is not a number from 1 to 65535.
	AddressPort
	// AddressExtra: it holds a user name, a query (?…) or a fragment (#…).
	AddressExtra
)

// AddressError is what [NormalizeHubURL] returns for a text that cannot be
// a hub address, with the reason.
type AddressError struct {
	Input  string
	Reason AddressReason
}

// Error says what was typed and why it is refused.
func (e *AddressError) Error() string {
	why := map[AddressReason]string{AddressEmpty: "it is empty", AddressScheme: "it must start with https:// or http://",
		AddressHost: "the server name is not valid", AddressPort: "the port must be a number from 1 to 65535",
		AddressExtra: "it may not hold a user name, ? or #"}[e.Reason]
	return fmt.Sprintf("client: hub address %q: %s", e.Input, why)
}

// NormalizeHubURL completes what a person typed as a hub address:
// "hub.example.org" and "hub.example.org:8080" become https:// addresses,
// an explicit http:// or https:// is kept, the scheme and server name are
// lowercased and a trailing "/" is dropped. A path is kept (a hub behind
// a proxy). Text that cannot be an address yields an [*AddressError].
func NormalizeHubURL(s string) (string, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return "", &AddressError{Input: s, Reason: AddressEmpty}
	}
	bad := func(r AddressReason) (string, error) { return "", &AddressError{Input: in, Reason: r} }
	raw := in
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme := strings.ToLower(raw[:i])
		if scheme != "http" && scheme != "https" {
			return bad(AddressScheme)
		}
		raw = scheme + raw[i:]
	} else {
		raw = "https://" + raw
	}
	if !portIsNumber(raw) {
		return bad(AddressPort)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return bad(AddressHost)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#"):
		return bad(AddressExtra)
	}
	if r := checkHost(u); r != 0 {
		return bad(r)
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	if strings.ContainsFunc(u.Path, unicode.IsSpace) {
		return bad(AddressHost)
	}
	// Built by hand: url.URL.String would percent-encode a server name
	// in another script, which a person would not recognise.
	return u.Scheme + "://" + strings.ToLower(u.Host) + path, nil
}

// portIsNumber reports whether the port in raw (scheme://host:port/…), if
// any, is made of digits only.
func portIsNumber(raw string) bool {
	auth := raw[strings.Index(raw, "://")+3:]
	if i := strings.IndexAny(auth, "/?#"); i >= 0 {
		auth = auth[:i]
	}
	if j := strings.LastIndex(auth, "@"); j >= 0 {
		auth = auth[j+1:]
	}
	i := strings.LastIndex(auth, ":")
	if i < 0 || strings.LastIndex(auth, "]") > i {
		return true
	}
	return strings.Trim(auth[i+1:], "0123456789") == ""
}

// checkHost returns why u's server name or port cannot be, or 0.
func checkHost(u *url.URL) AddressReason {
	host, port := u.Hostname(), u.Port()
	if strings.HasSuffix(u.Host, ":") {
		return AddressPort
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return AddressPort
		}
	}
	if host == "" {
		return AddressHost
	}
	if strings.Contains(u.Host, "[") {
		if _, err := netip.ParseAddr(host); err != nil {
			return AddressHost
		}
		return 0
	}
	for _, label := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return AddressHost
		}
		for _, r := range label {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
				return AddressHost
			}
		}
	}
	return 0
}

// PlainOverInternet reports whether hubURL (as [NormalizeHubURL] returns
// it) is unencrypted http:// to a server that is not on this computer or
// a private network: what is sent could be read on the way.
func PlainOverInternet(hubURL string) bool {
	u, err := url.Parse(hubURL)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".lan") {
		return false
	}
	if ip := net.ParseIP(host); ip != nil {
		return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast())
	}
	return true
}
