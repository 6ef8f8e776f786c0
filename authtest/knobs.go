package authtest

import (
	"sync"
	"time"

	"connectrpc.com/connect"
)

// knobs holds the fault settings tests turn at run time.
type knobs struct {
	mu          sync.Mutex
	failCalls   int
	failCode    connect.Code
	failTokens  int
	tokenStatus int
	tokenBody   string
	latency     time.Duration
}

// takeCallFailure consumes one pending service failure, if any.
func (k *knobs) takeCallFailure() (connect.Code, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failCalls <= 0 {
		return 0, false
	}
	k.failCalls--
	return k.failCode, true
}

// takeTokenFailure consumes one pending token endpoint failure, if any.
func (k *knobs) takeTokenFailure() (status int, body string, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.failTokens <= 0 {
		return 0, "", false
	}
	k.failTokens--
	return k.tokenStatus, k.tokenBody, true
}

func (k *knobs) getLatency() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.latency
}

// RevokeAll invalidates every access token issued so far, by any route.
// Tokens issued afterwards are valid, and so are refresh tokens (see
// [Server.RevokeRefreshTokens]). Safe for concurrent use.
func (s *Server) RevokeAll() { s.tokens.revokeAccess() }

// RevokeProxyTokens invalidates every proxy token issued so far. Safe for
// concurrent use.
func (s *Server) RevokeProxyTokens() { s.tokens.revokeProxy() }

// RejectAll makes the protected service reject every access token, including
// ones issued later, while on is true. Calls without a token still pass with
// [WithAnonymous]. Safe for concurrent use.
func (s *Server) RejectAll(on bool) { s.tokens.setRejectAll(on) }

// FailNext makes the next n calls to the protected service (RPC or REST)
// that pass the auth check fail with code; REST calls get the HTTP status the
// Connect protocol maps code to. n <= 0 cancels pending failures. Safe for
// concurrent use.
func (s *Server) FailNext(n int, code connect.Code) {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	s.knobs.failCalls, s.knobs.failCode = n, code
}

// FailTokenRequests makes the next n token endpoint requests get the raw
// answer status and body, whatever they ask: for garbage, 5xx and
// invalid_client tests. The body is served as application/json when it
// starts with "{", else as text/plain. n <= 0 cancels pending failures. Safe
// for concurrent use.
func (s *Server) FailTokenRequests(n int, status int, body string) {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	s.knobs.failTokens, s.knobs.tokenStatus, s.knobs.tokenBody = n, status, body
}

// SetLatency delays every answer of the protected service (RPC or REST) by
// d; a call whose context ends first fails at once and counts as
// [Counters].Abandoned, without the auth check or a [Server.FailNext]
// failure. Zero removes the delay; a call already waiting keeps its delay.
// Tests that abandon a call wait with [Server.Await] until the server holds
// it (Attempts) before they give up, and until it is Abandoned before they
// change the knobs, since a request can reach the server well after its
// client has given up. Safe for concurrent use.
func (s *Server) SetLatency(d time.Duration) {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	s.knobs.latency = d
}
