package authtest

import (
	"crypto/rand"
	"sync"
	"time"
)

// tokenStore holds the access, refresh and proxy tokens a server has issued.
// Tokens are opaque random strings; the store is safe for concurrent use.
type tokenStore struct {
	now func() time.Time
	ttl time.Duration

	mu        sync.Mutex
	access    map[string]accessToken
	refresh   map[string]refreshToken
	proxy     map[string]struct{}
	rejectAll bool
}

// accessToken is an issued access token: its expiry and, when a user
// approved it, the grant it belongs to.
type accessToken struct {
	expiry time.Time
	grant  *userGrant // nil for client_credentials and minted tokens
}

// refreshToken is an issued refresh token. A rotated one stays in the store,
// spent, so that presenting it again can be told from an unknown token.
type refreshToken struct {
	grant *userGrant
	spent bool
}

// userGrant is what a user approved, through the authorization endpoint or
// the device flow: the client and scope, fixed for every token issued under
// it. Revoking it (a reused code or refresh token) invalidates every access
// and refresh token it issued. Its fields are guarded by tokenStore.mu.
type userGrant struct {
	clientID string
	scope    string
	revoked  bool
}

func newTokenStore(now func() time.Time, ttl time.Duration) *tokenStore {
	return &tokenStore{
		now:     now,
		ttl:     ttl,
		access:  make(map[string]accessToken),
		refresh: make(map[string]refreshToken),
		proxy:   make(map[string]struct{}),
	}
}

// issueAccess mints an access token valid for the configured TTL.
func (s *tokenStore) issueAccess() string {
	tok := randomToken()
	expiry := s.now().Add(s.ttl)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[tok] = accessToken{expiry: expiry}
	return tok
}

// validAccess reports whether tok was issued, has not expired or been
// revoked, and the server is not rejecting every token.
func (s *tokenStore) validAccess(tok string) bool {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.access[tok]
	return ok && !s.rejectAll && now.Before(at.expiry) && (at.grant == nil || !at.grant.revoked)
}

func (s *tokenStore) revokeAccess() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

func (s *tokenStore) setRejectAll(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectAll = on
}

// startGrant records a user's approval for clientID and scope and issues
// its first access and refresh tokens.
func (s *tokenStore) startGrant(clientID, scope string) (g *userGrant, access, refresh string) {
	g = &userGrant{clientID: clientID, scope: scope}
	access, refresh = randomToken(), randomToken()
	expiry := s.now().Add(s.ttl)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[access] = accessToken{expiry: expiry, grant: g}
	s.refresh[refresh] = refreshToken{grant: g}
	return g, access, refresh
}

// refreshResult is what redeemRefresh answers: the grant the refresh token
// belongs to, a new access token and, when rotating, the refresh token that
// replaces the one presented.
type refreshResult struct {
	grant   *userGrant
	access  string
	refresh string // "" without rotation
}

// redeemRefresh exchanges a live refresh token for a new access token, in
// one step so that concurrent uses of a rotating token succeed once. check
// sees the grant before anything is issued and may refuse; its error is
// returned as is. An unknown, revoked or spent token fails with
// invalid_grant; a spent one (already rotated away) also revokes its grant,
// as RFC 9700 section 4.14.2 recommends for a replayed refresh token.
func (s *tokenStore) redeemRefresh(tok string, rotate bool, check func(*userGrant) *oauthError) (refreshResult, *oauthError) {
	access, next := randomToken(), randomToken()
	expiry := s.now().Add(s.ttl)
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refresh[tok]
	switch {
	case !ok || rt.grant.revoked:
		return refreshResult{}, invalidGrant("unknown or revoked refresh token")
	case rt.spent:
		rt.grant.revoked = true
		return refreshResult{}, invalidGrant("refresh token was already used; its grant is revoked")
	}
	if oerr := check(rt.grant); oerr != nil {
		return refreshResult{}, oerr
	}
	s.access[access] = accessToken{expiry: expiry, grant: rt.grant}
	res := refreshResult{grant: rt.grant, access: access}
	if rotate {
		s.refresh[tok] = refreshToken{grant: rt.grant, spent: true}
		s.refresh[next] = refreshToken{grant: rt.grant}
		res.refresh = next
	}
	return res, nil
}

// revokeGrant invalidates every token issued under g.
func (s *tokenStore) revokeGrant(g *userGrant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g.revoked = true
}

// revokeRefresh forgets every refresh token issued so far.
func (s *tokenStore) revokeRefresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// issueProxy mints a proxy token; proxy tokens live until revoked.
func (s *tokenStore) issueProxy() string {
	tok := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.proxy[tok] = struct{}{}
	return tok
}

func (s *tokenStore) validProxy(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.proxy[tok]
	return ok
}

func (s *tokenStore) revokeProxy() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.proxy)
}

// randomToken returns an opaque token of at least 256 random bits in
// base32 text.
func randomToken() string {
	return rand.Text() + rand.Text()
}
