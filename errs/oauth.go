package errs

import (
	"encoding/json"
	"strings"
)

// OAuthError is an OAuth 2.0 error: the JSON error answer of a token or
// device-authorization endpoint (RFC 6749 §5.2, RFC 8628 §3.5) or the error
// of a Bearer challenge in WWW-Authenticate (RFC 6750 §3). It is the cause
// ([Error.Err]) of the *Error that reports such an answer; find it with
// errors.As.
type OAuthError struct {
	// ErrorCode is the "error" parameter ("invalid_client"). It is empty for
	// a Bearer challenge without one (no credentials were sent).
	ErrorCode string
	// ErrorDescription is the "error_description" parameter, cleaned to one
	// line of bounded length.
	ErrorDescription string
	// ErrorURI is the "error_uri" parameter.
	ErrorURI string
}

// Error formats "oauth2: code: description", leaving out empty parts.
func (e *OAuthError) Error() string {
	s := "oauth2"
	if e.ErrorCode != "" {
		s += ": " + e.ErrorCode
	}
	if e.ErrorDescription != "" {
		s += ": " + e.ErrorDescription
	}
	return s
}

// OAuthCode returns the code of an OAuth error code (RFC 6749 §4.1.2.1,
// §5.2; RFC 6750 §3.1; RFC 8628 §3.5). Errors of the client's credentials
// and grants are Unauthenticated, so they are of kind Authentication and
// never retried; an unknown error code is Unauthenticated too, the safe
// reading of a refusal.
func OAuthCode(errorCode string) Code {
	switch errorCode {
	case "invalid_request", "unsupported_grant_type", "unsupported_response_type", "invalid_scope":
		return InvalidArgument
	case "invalid_client", "invalid_grant", "invalid_token":
		return Unauthenticated
	case "unauthorized_client", "access_denied", "insufficient_scope":
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
		for p.pos < len(p.s) && isTokenChar(p.s[p.pos]) {
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
	for p.pos < len(p.s) && isTokenChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *challengeParser) skip(chars string) {
	for p.pos < len(p.s) && strings.IndexByte(chars, p.s[p.pos]) >= 0 {
		p.pos++
	}
}

// isTokenChar reports whether c may appear in an RFC 9110 token (tchar), or
// in a token68 ("/" and "=" excepted, which end it here).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
