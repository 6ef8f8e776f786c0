package authn

import "errors"

// Sentinels for errors.Is on the errors of interactive logins. A failed
// login returns an *errs.Error with Op "authn" (code Unauthenticated, or
// DeadlineExceeded for an expired device code) whose chain holds a
// [*LoginError] or ErrStateMismatch; their texts read as part of it.
var (
	// ErrLoginDenied: the user or the server refused the login
	// (access_denied, in a redirect or a device-flow answer).
	ErrLoginDenied = errors.New("login denied")
	// ErrDeviceCodeExpired: the device code expired before the user
	// approved it (expired_token).
	ErrDeviceCodeExpired = errors.New("device code expired")
	// ErrStateMismatch: a browser login timed out after its callback had
	// received answers with a state other than the one this login sent (a
	// stale tab, or a forged request); such answers are ignored.
	ErrStateMismatch = errors.New("login callback state mismatch")
)

// LoginError is an OAuth2 error answer that ended an interactive login: the
// error parameters of an authorization redirect (RFC 6749 section 4.1.2.1) or
// of a device-flow token response (RFC 8628 section 3.5). The fields are what
// the server sent; they never hold a token or a code.
type LoginError struct {
	// Code is the error code, e.g. "access_denied" or "expired_token".
	Code string
	// Description is the human-readable error_description, if any.
	Description string
	// URI is the error_uri, if any.
	URI string
}

// Error formats "login refused: code: description".
func (e *LoginError) Error() string {
	s := "login refused: " + truncate(e.Code, 100)
	if e.Description != "" {
		s += ": " + truncate(e.Description, 200)
	}
	return s
}

// Is matches [ErrLoginDenied] for access_denied and [ErrDeviceCodeExpired] for
// expired_token.
func (e *LoginError) Is(target error) bool {
	switch target {
	case ErrLoginDenied:
		return e.Code == "access_denied"
	case ErrDeviceCodeExpired:
		return e.Code == "expired_token"
	}
	return false
}
