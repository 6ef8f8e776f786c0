package errs

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/authwire/authwire/internal/wire"
)

// OAuthError is an OAuth 2.0 error: the error answer of a token or
// device-authorization endpoint (RFC 6749 section 5.2, RFC 8628 section
// 3.5), the error parameters of an authorization redirect (RFC 6749
// section 4.1.2.1), or the error of a Bearer challenge in WWW-Authenticate
// (RFC 6750 section 3). It is the one model of these answers: the cause
// ([Error.Err]) of the *Error that reports one, whichever flow received it
// (client secret, refresh, device, PKCE) and whichever layer read it, so
// errors.As(err, **OAuthError) finds it. [FromOAuth] builds that *Error.
//
// The fields are what the server sent, cleaned by [NewOAuthError] and again
// by Error: one line, no control or bidirectional-formatting characters, of
// bounded length, so a server's text cannot forge lines or hide itself in
// a terminal or log. They never hold a token or a code.
type OAuthError struct {
	// ErrorCode is the "error" parameter ("invalid_client"). It is empty for
	// a Bearer challenge without one (no credentials were sent).
	ErrorCode string
	// ErrorDescription is the "error_description" parameter.
	ErrorDescription string
	// ErrorURI is the "error_uri" parameter.
	ErrorURI string
}

// NewOAuthError returns the OAuth error with the parameters a server sent,
// cleaned as [OAuthError] says.
func NewOAuthError(code, description, uri string) *OAuthError {
	return &OAuthError{ErrorCode: cleanMessage(code), ErrorDescription: cleanMessage(description), ErrorURI: cleanMessage(uri)}
}

// Error formats "oauth2: code: description", leaving out empty parts.
func (e *OAuthError) Error() string {
	s := "oauth2"
	if e.ErrorCode != "" {
		s += ": " + cleanMessage(e.ErrorCode)
	}
	if e.ErrorDescription != "" {
		s += ": " + cleanMessage(e.ErrorDescription)
	}
	return s
}

// Sentinels for errors.Is on the OAuth errors that end an interactive login.
var (
	// ErrLoginDenied matches an [OAuthError] access_denied: the user or the
	// server refused the login (in a redirect or a device-flow answer).
	ErrLoginDenied = errors.New("errs: login denied")
	// ErrDeviceCodeExpired matches an [OAuthError] expired_token: the device
	// code expired before the user approved it. A device login that outlives
	// the code's expires_in holds it too.
	ErrDeviceCodeExpired = errors.New("errs: device code expired")
)

// Is matches [ErrLoginDenied] for access_denied and [ErrDeviceCodeExpired]
// for expired_token.
func (e *OAuthError) Is(target error) bool {
	switch target {
	case ErrLoginDenied:
		return e.ErrorCode == "access_denied"
	case ErrDeviceCodeExpired:
		return e.ErrorCode == "expired_token"
	}
	return false
}

// FromOAuth returns the *Error that reports oe: its code is
// [OAuthCode](oe.ErrorCode), its hint says what to change for that code, and
// oe is its cause. op and message are the *Error's: the layer, and what was
// refused (token request for client "app" rejected).
func FromOAuth(op, message string, oe *OAuthError) *Error {
	return &Error{Code: OAuthCode(oe.ErrorCode), Op: op, Message: message, Err: oe, Hint: oauthHint(oe.ErrorCode)}
}

// OAuthCode returns the code of an OAuth error code: the one mapping of the
// codes of RFC 6749 (sections 4.1.2.1 and 5.2), RFC 6750 (section 3.1) and
// RFC 8628 (section 3.5), used by every flow and layer.
//
//	invalid_request, invalid_scope, unsupported_grant_type,
//	unsupported_response_type                          InvalidArgument
//	invalid_client, invalid_grant, invalid_token,
//	access_denied, and any unknown code                Unauthenticated
//	unauthorized_client, insufficient_scope            PermissionDenied
//	expired_token                                      DeadlineExceeded
//	temporarily_unavailable, authorization_pending,
//	slow_down                                          Unavailable
//	server_error                                       Internal
//
// So a configuration to fix is InvalidArgument (kind InvalidInput), a
// credential or login that did not work is Unauthenticated (kind
// Authentication), a client the identity provider does not allow this grant
// or scope is PermissionDenied; none of these is retried. An unknown code is
// Unauthenticated, the safe reading of a refusal.
func OAuthCode(errorCode string) Code {
	switch errorCode {
	case "invalid_request", "unsupported_grant_type", "unsupported_response_type", "invalid_scope":
		return InvalidArgument
	case "invalid_client", "invalid_grant", "invalid_token", "access_denied":
		return Unauthenticated
	case "unauthorized_client", "insufficient_scope":
		return PermissionDenied
	case "expired_token":
		return DeadlineExceeded
	case "temporarily_unavailable", "authorization_pending", "slow_down":
		return Unavailable
	case "server_error":
		return Internal
	default:
		return Unauthenticated
	}
}

// oauthHint says what to change for an OAuth error code.
func oauthHint(errorCode string) string {
	switch errorCode {
	case "invalid_client":
		return "check clientId and the client secret (clientSecretLocation or clientSecretEnvVar)"
	case "unauthorized_client":
		return "the identity provider does not allow this client this grant; check authType and the client's registration"
	case "invalid_grant":
		return "the refresh token or authorization code is no longer valid; log in again"
	case "invalid_scope":
		return "check scopes"
	case "invalid_token":
		return "the token was rejected; it is refreshed on the next call"
	case "insufficient_scope":
		return "the token lacks a scope this call needs; check scopes"
	case "expired_token":
		return "the login was not completed in time; start it again"
	case "access_denied":
		return "the login was denied"
	}
	return ""
}

// ParseOAuthError reads an OAuth 2.0 JSON error body
// ({"error":"invalid_client","error_description":…,"error_uri":…}). ok is
// false when body is not a JSON object with a non-empty string "error".
func ParseOAuthError(body []byte) (e *OAuthError, ok bool) {
	var f jsonErrorBody
	if json.Unmarshal(body, &f) != nil {
		return nil, false
	}
	return f.oauth()
}

// ParseBearerChallenge reads one WWW-Authenticate header value (RFC 9110
// §11.6.1; it may hold several challenges) and returns the parameters of its
// Bearer challenge (RFC 6750 §3). ok is false when there is no Bearer
// challenge.
func ParseBearerChallenge(header string) (e *OAuthError, ok bool) {
	p := challengeParser{s: header}
	var scheme string
	for {
		tok, isParam, val, more := p.next()
		if !more {
			break
		}
		if !isParam {
			scheme = tok
			if strings.EqualFold(scheme, "Bearer") && e == nil {
				e = &OAuthError{}
			}
			continue
		}
		if !strings.EqualFold(scheme, "Bearer") || e == nil {
			continue
		}
		switch strings.ToLower(tok) {
		case "error":
			e.ErrorCode = cleanMessage(val)
		case "error_description":
			e.ErrorDescription = cleanMessage(val)
		case "error_uri":
			e.ErrorURI = cleanMessage(val)
		}
	}
	return e, e != nil
}

// challengeParser walks the items of a WWW-Authenticate value: scheme names
// and name=value parameters. It skips what it does not understand.
type challengeParser struct {
	s   string
	pos int
}

func (p *challengeParser) next() (tok string, isParam bool, val string, ok bool) {
	for p.pos < len(p.s) {
		p.skip(" \t,")
		start := p.pos
		for p.pos < len(p.s) && wire.IsTokenChar(p.s[p.pos]) {
			p.pos++
		}
		if p.pos == start {
			if p.pos < len(p.s) {
				p.pos++ // a stray character
			}
			continue
		}
		tok = p.s[start:p.pos]
		save := p.pos
		p.skip(" \t")
		if p.pos < len(p.s) && p.s[p.pos] == '=' {
			p.pos++
			p.skip(" \t")
			return tok, true, p.value(), true
		}
		p.pos = save
		return tok, false, "", true
	}
	return "", false, "", false
}

func (p *challengeParser) value() string {
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		p.pos++
		var b strings.Builder
		for p.pos < len(p.s) {
			c := p.s[p.pos]
			p.pos++
			switch {
			case c == '"':
				return b.String()
			case c == '\\' && p.pos < len(p.s):
				b.WriteByte(p.s[p.pos])
				p.pos++
			default:
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	start := p.pos
	for p.pos < len(p.s) && wire.IsTokenChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *challengeParser) skip(chars string) {
	for p.pos < len(p.s) && strings.IndexByte(chars, p.s[p.pos]) >= 0 {
		p.pos++
	}
}
