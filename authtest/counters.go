package authtest

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
)

// Counters is a snapshot of what a [Server] has seen since it started or
// since the last [Server.Reset].
type Counters struct {
	TokenRequests         int64 // hits on the token endpoint, answered or failed
	TokensIssued          int64 // access tokens issued by the token endpoint
	CommandTokens         int64 // tokens handed out by CommandTokenURL
	ProxyTokens           int64 // proxy tokens handed out by ProxyTokenURL
	GetOAuth2Metadata     int64 // GetOAuth2Metadata RPCs, any protocol
	GetPublicClientConfig int64 // GetPublicClientConfig RPCs, any protocol
	WellKnown             int64 // GETs of /.well-known/oauth-authorization-server
	FlyteClient           int64 // GETs of /config/v1/flyte_client
	Attempts              int64 // requests that reached the protected service or REST route, counted before the auth check
	Abandoned             int64 // of those, calls whose context ended while SetLatency delayed them: they reach neither the auth check nor FailNext
	Unauthenticated       int64 // requests the protected service or REST route rejected for auth
	ProxyRejected         int64 // requests the proxy check turned away
	ProxyAuthorized       int64 // requests that passed the proxy check
	Authorizations        int64 // hits on the authorization endpoint, valid or not
	DeviceAuthorizations  int64 // hits on the device authorization endpoint, valid or not
	DevicePolls           int64 // device_code grant requests that reached the grant (not those FailTokenRequests answered)
	CodeGrants            int64 // successful authorization_code grants
	DeviceGrants          int64 // successful device_code grants
	RefreshGrants         int64 // successful refresh_token grants

	// ProxyAuthorizedByPath splits ProxyAuthorized by URL path; nil when no
	// request passed the proxy check.
	ProxyAuthorizedByPath map[string]int64
}

// ProxyAuthorizedPath reports how many requests for the URL path passed the
// proxy check.
func (c Counters) ProxyAuthorizedPath(path string) int64 { return c.ProxyAuthorizedByPath[path] }

// counters is the live, concurrency-safe form of Counters.
type counters struct {
	tokenRequests, tokensIssued, commandTokens, proxyTokens    atomic.Int64
	oauth2Metadata, publicClientConfig, wellKnown, flyteClient atomic.Int64
	attempts, abandoned, unauthenticated                       atomic.Int64
	proxyRejected, proxyAuthorizedHits                         atomic.Int64
	authorizations, deviceAuthorizations, devicePolls          atomic.Int64
	codeGrants, deviceGrants, refreshGrants                    atomic.Int64

	mu            sync.Mutex
	proxyPaths    map[string]int64
	metadataPaths map[string]int64
	changed       chan struct{} // closed at the next change, then replaced; nil while nobody waits
}

func (c *counters) metadataRequest(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.metadataPaths == nil {
		c.metadataPaths = make(map[string]int64)
	}
	c.metadataPaths[path]++
}

// inc adds one to v, a field of c, and wakes every [Server.Await].
func (c *counters) inc(v *atomic.Int64) {
	v.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notifyLocked()
}

func (c *counters) proxyAuthorized(path string) {
	c.proxyAuthorizedHits.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proxyPaths == nil {
		c.proxyPaths = make(map[string]int64)
	}
	c.proxyPaths[path]++
	c.notifyLocked()
}

// notifyLocked wakes the waiters of the current change; c.mu is held.
func (c *counters) notifyLocked() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}

// nextChange returns a channel closed at the next change of any counter.
func (c *counters) nextChange() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

func (c *counters) all() []*atomic.Int64 {
	return []*atomic.Int64{
		&c.tokenRequests, &c.tokensIssued, &c.commandTokens, &c.proxyTokens,
		&c.oauth2Metadata, &c.publicClientConfig, &c.wellKnown, &c.flyteClient,
		&c.attempts, &c.abandoned, &c.unauthenticated, &c.proxyRejected, &c.proxyAuthorizedHits,
		&c.authorizations, &c.deviceAuthorizations, &c.devicePolls,
		&c.codeGrants, &c.deviceGrants, &c.refreshGrants,
	}
}

func (c *counters) snapshot() Counters {
	c.mu.Lock()
	paths := maps.Clone(c.proxyPaths)
	c.mu.Unlock()
	return Counters{
		TokenRequests:         c.tokenRequests.Load(),
		TokensIssued:          c.tokensIssued.Load(),
		CommandTokens:         c.commandTokens.Load(),
		ProxyTokens:           c.proxyTokens.Load(),
		GetOAuth2Metadata:     c.oauth2Metadata.Load(),
		GetPublicClientConfig: c.publicClientConfig.Load(),
		WellKnown:             c.wellKnown.Load(),
		FlyteClient:           c.flyteClient.Load(),
		Attempts:              c.attempts.Load(),
		Abandoned:             c.abandoned.Load(),
		Unauthenticated:       c.unauthenticated.Load(),
		ProxyRejected:         c.proxyRejected.Load(),
		ProxyAuthorized:       c.proxyAuthorizedHits.Load(),
		Authorizations:        c.authorizations.Load(),
		DeviceAuthorizations:  c.deviceAuthorizations.Load(),
		DevicePolls:           c.devicePolls.Load(),
		CodeGrants:            c.codeGrants.Load(),
		DeviceGrants:          c.deviceGrants.Load(),
		RefreshGrants:         c.refreshGrants.Load(),
		ProxyAuthorizedByPath: paths,
	}
}

func (c *counters) reset() {
	for _, v := range c.all() {
		v.Store(0)
	}
	c.mu.Lock()
	c.proxyPaths = nil
	c.metadataPaths = nil
	c.notifyLocked()
	c.mu.Unlock()
}

// Reset sets every counter to zero; tokens and knobs are left as they are.
// Safe for concurrent use.
func (s *Server) Reset() { s.counters.reset() }

// Counters returns a snapshot of the counters. Each field is read atomically;
// the snapshot as a whole is not, while requests are in flight.
func (s *Server) Counters() Counters { return s.counters.snapshot() }

// MetadataRequests reports how many requests for path reached the server
// since it started or since the last [Server.Reset], for the paths of both
// generations of the AuthMetadataService and its REST routes, whether the
// server serves the path or answers 404. Other paths count zero.
func (s *Server) MetadataRequests(path string) int64 {
	s.counters.mu.Lock()
	defer s.counters.mu.Unlock()
	return s.counters.metadataPaths[path]
}

// Await blocks until ready reports true for a snapshot of the counters,
// checked at once and again after every change, or until ctx ends, when it
// returns ctx.Err(). Tests use it to wait, without sleeping, for the server
// to have seen a request: that a call is held by [Server.SetLatency]
// (Attempts), or that it gave up there (Abandoned). ready runs on the
// caller's goroutine. Safe for concurrent use.
func (s *Server) Await(ctx context.Context, ready func(Counters) bool) error {
	for {
		// Take the channel before the snapshot, so a change in between
		// closes it rather than being missed.
		changed := s.counters.nextChange()
		if ready(s.counters.snapshot()) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
