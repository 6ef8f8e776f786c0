package authtest

import (
	"crypto/rand"
	"sync"
	"time"
)

// tokenStore holds the access and proxy tokens a server has issued. Tokens
// are opaque random strings; the store is safe for concurrent use.
type tokenStore struct {
	now func() time.Time
	ttl time.Duration

	mu        sync.Mutex
	access    map[string]time.Time // token → expiry
	proxy     map[string]struct{}
	rejectAll bool
}

func newTokenStore(now func() time.Time, ttl time.Duration) *tokenStore {
	return &tokenStore{
		now:    now,
		ttl:    ttl,
		access: make(map[string]time.Time),
		proxy:  make(map[string]struct{}),
	}
}

// issueAccess mints an access token valid for the configured TTL.
func (s *tokenStore) issueAccess() string {
	tok := randomToken()
	expiry := s.now().Add(s.ttl)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[tok] = expiry
	return tok
}

// validAccess reports whether tok was issued, has not expired or been
// revoked, and the server is not rejecting every token.
func (s *tokenStore) validAccess(tok string) bool {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	expiry, ok := s.access[tok]
	return ok && !s.rejectAll && now.Before(expiry)
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
