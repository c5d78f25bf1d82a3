package protocol

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error so the other side knows what to do about it.
// The list is append-only: never renumber or reuse a kind.
type Kind string

// Error kinds.
const (
	// KindTransient: try again later; nothing is wrong with the request.
	KindTransient Kind = "transient"
	// KindConflict: the change collides with another one.
	KindConflict Kind = "conflict"
	// KindNotFound: the thing named does not exist.
	KindNotFound Kind = "not_found"
	// KindForbidden: the device may not do this.
	KindForbidden Kind = "forbidden"
	// KindInvalid: the request or record is malformed; retrying the same
	// thing will fail the same way.
	KindInvalid Kind = "invalid"
	// KindUnauthenticated: no valid device token (missing, unknown,
	// revoked or expired); enroll again.
	KindUnauthenticated Kind = "unauthenticated"
	// KindTooOld: the client's protocol version is no longer served;
	// upgrade Fieldbook.
	KindTooOld Kind = "too_old"
	// KindTooLarge: the request body exceeds the documented limits.
	KindTooLarge Kind = "too_large"
)

// Error is an error that crosses the wire: a kind and a message for people.
type Error struct {
	Kind    Kind   `json:"kind"`
	Message string `json:"error"`
	// Status is the HTTP status it travelled with; 0 if none.
	Status int `json:"-"`
	// RetryAfter is the hub's Retry-After in seconds, 0 if none.
	RetryAfter int `json:"-"`
}

// Error returns the kind and the message.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Kind, e.Message) }

// Errorf returns an [*Error] of kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err if it is or wraps an [*Error], else
// [KindTransient] for any other error (a broken link, a timeout).
func KindOf(err error) Kind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return KindTransient
}

// HTTPStatus is the status code an error of kind travels with.
func (k Kind) HTTPStatus() int {
	switch k {
	case KindConflict:
		return http.StatusConflict
	case KindNotFound:
		return http.StatusNotFound
	case KindForbidden:
		return http.StatusForbidden
	case KindInvalid:
		return http.StatusBadRequest
	case KindUnauthenticated:
		return http.StatusUnauthorized
	case KindTooOld:
		return http.StatusUpgradeRequired
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusServiceUnavailable
}

// Retryable reports whether a request that failed with kind may succeed if
// sent again unchanged.
func (k Kind) Retryable() bool { return k == KindTransient }
