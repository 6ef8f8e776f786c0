package authtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// codeLifetime is how long an authorization code can be exchanged, the
// maximum RFC 6749 section 4.1.2 recommends.
const codeLifetime = 10 * time.Minute

// authCode is an authorization code and what it is bound to.
type authCode struct {
	clientID      string
	redirectURI   string
	redirectGiven bool // the authorization request carried redirect_uri
	challenge     string
	scope         string
	expiry        time.Time

	used   bool
	reused bool       // presented again after its first exchange began
	grant  *userGrant // the grant its exchange started, if it succeeded
}

// codeStore holds the codes the authorization endpoint issued. It is safe
// for concurrent use.
type codeStore struct {
	mu    sync.Mutex
	codes map[string]*authCode
}

// issue stores c under a new random code and returns the code.
func (s *codeStore) issue(c authCode) string {
	code := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codes == nil {
		s.codes = make(map[string]*authCode)
	}
	s.codes[code] = &c
	return code
}

// take marks code used and returns a copy of what it was bound to before,
// or false for an unknown code. Codes are single-use: the first token
// request that presents a code uses it up, whatever its outcome.
func (s *codeStore) take(code string) (authCode, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	if !ok {
		return authCode{}, false
	}
	before := *c
	c.reused = c.used
	c.used = true
	return before, true
}

// setGrant records the grant a successful exchange of code started. It
// reports false when the code was presented again meanwhile: the caller
// must then revoke g.
func (s *codeStore) setGrant(code string, g *userGrant) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.codes[code]
	c.grant = g
	return !c.reused
}

// authorizationCodeGrant answers grant_type=authorization_code (RFC 6749
// section 4.1.3) with PKCE (RFC 7636 section 4.6): an access token and a
// refresh token. A code presented a second time is refused and, as section
// 4.1.2 asks, every token its first exchange issued is revoked. A wrong or
// malformed code_verifier burns the code, as Ory Hydra does.
func (s *Server) authorizationCodeGrant(w http.ResponseWriter, r *http.Request) {
	clientID, oerr := s.requireClient(r)
	var code string
	if oerr == nil {
		code, oerr = requiredParam(r, "code")
	}
	if oerr != nil {
		oerr.write(w)
		return
	}
	c, ok := s.codes.take(code)
	redirect := r.PostForm.Get("redirect_uri")
	switch {
	case !ok:
		oerr = invalidGrant("unknown authorization code")
	case c.used:
		if c.grant != nil {
			s.tokens.revokeGrant(c.grant)
		}
		oerr = invalidGrant("authorization code was already used")
	case !s.set.now().Before(c.expiry):
		oerr = invalidGrant("authorization code expired")
	case c.clientID != clientID:
		oerr = invalidGrant("authorization code was issued to another client")
	case (c.redirectGiven || redirect != "") && redirect != c.redirectURI:
		oerr = invalidGrant("redirect_uri differs from the authorization request's")
	case !pkceMatch(r.PostForm.Get("code_verifier"), c.challenge):
		oerr = invalidGrant("code_verifier does not match the code_challenge")
	}
	if oerr != nil {
		oerr.write(w)
		return
	}
	g, access, refresh := s.tokens.startGrant(clientID, c.scope)
	if !s.codes.setGrant(code, g) {
		s.tokens.revokeGrant(g)
	}
	s.counters.inc(&s.counters.codeGrants)
	s.writeTokens(w, tokenResponse{AccessToken: access, RefreshToken: refresh, Scope: c.scope})
}

// pkceMatch reports whether verifier is a well-formed code verifier (RFC
// 7636 section 4.1: 43 to 128 unreserved characters) whose S256 transform
// is challenge.
func pkceMatch(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	for i := range len(verifier) {
		if !unreserved(verifier[i]) {
			return false
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// unreserved reports whether c is an unreserved URI character (RFC 3986
// section 2.3).
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
