package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"syscall"

	"github.com/a20-network/fieldbook/sync/protocol"
)

// Problem is what went wrong talking to the hub, in terms a person can act
// on: the screens switch on it to say what to do, and keep the error's own
// text for the log and for support. The list is append-only.
type Problem int

// Problems, from [ProblemOf].
const (
	// ProblemOther is anything not listed below.
	ProblemOther Problem = iota
	// ProblemAddress: what was typed cannot be a hub address ([AddressError]).
	ProblemAddress
	// ProblemNoSuchHost: the hub's name is not found (DNS): a typing
	// mistake, or no internet at all.
	ProblemNoSuchHost
	// ProblemUnreachable: nothing answers at the address (connection
	// refused, no route, reset).
	ProblemUnreachable
	// ProblemTimeout: the link is too slow, or the hub too long to answer.
	ProblemTimeout
	// ProblemUntrusted: the hub's certificate is not trusted by this
	// computer (self-signed, expired, for another name).
	ProblemUntrusted
	// ProblemNotAHub: something answers, but not as a Fieldbook hub does
	// (a web page, plain HTTP where HTTPS was asked, an unknown path).
	ProblemNotAHub
	// ProblemSignIn: the hub refused the enrollment code or the device
	// token (wrong, used, expired or revoked).
	ProblemSignIn
	// ProblemVersion: the hub and this app speak different protocol
	// versions.
	ProblemVersion
	// ProblemBusy: the hub is busy or down for a moment; try again later.
	ProblemBusy
	// ProblemRefused: the hub understood and refused the request for
	// another reason (its kind and words say which).
	ProblemRefused
)

// ProblemOf classifies err, an error of [Engine.Enroll], [Engine.Sync] or
// [NormalizeHubURL]. A nil err is [ProblemOther].
func ProblemOf(err error) Problem {
	if err == nil {
		return ProblemOther
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return problemOfKind(pe)
	}
	var ae *AddressError
	var dns *net.DNSError
	var rec tls.RecordHeaderError
	switch {
	case errors.As(err, &ae):
		return ProblemAddress
	case errors.As(err, &dns):
		if dns.IsTimeout {
			return ProblemTimeout
		}
		return ProblemNoSuchHost
	case untrusted(err):
		return ProblemUntrusted
	case errors.As(err, &rec), errors.Is(err, errNotAHub):
		return ProblemNotAHub
	case timedOut(err):
		return ProblemTimeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return ProblemUnreachable
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return ProblemUnreachable
	}
	return ProblemOther
}

// problemOfKind classifies a reply of the hub (or of a proxy before it).
func problemOfKind(pe *protocol.Error) Problem {
	switch pe.Kind {
	case protocol.KindUnauthenticated:
		return ProblemSignIn
	case protocol.KindTooOld:
		return ProblemVersion
	case protocol.KindNotFound:
		if pe.Status == http.StatusNotFound || pe.Status == http.StatusMethodNotAllowed {
			return ProblemNotAHub
		}
	case protocol.KindTransient:
		return ProblemBusy
	}
	return ProblemRefused
}

// untrusted reports whether err is a refused certificate.
func untrusted(err error) bool {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var hn x509.HostnameError
	var cv *tls.CertificateVerificationError
	return errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &hn) || errors.As(err, &cv)
}

// timedOut reports whether err is a deadline passed on the way.
func timedOut(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
