package authtest

import (
	"net/http"
	"time"
)

// An Option configures a [Server]. Options are applied in order, after the
// defaults; a later option overrides an earlier one of the same kind.
type Option interface {
	apply(*settings)
}

type settings struct {
	h2c          bool
	proxyAuth    bool
	proxyStatus  int
	tokenTTL     time.Duration
	authKey      string
	trailersOnly bool
	anonymous    bool
	now          func() time.Time

	authorizeDecision func(AuthorizeRequest) AuthorizeDecision
	refreshRotation   bool
	noDeviceFlow      bool
	deviceInterval    time.Duration
	version           Version
	redirectURI       string
	flyte2            bool
	noOAuth2Metadata  bool
	dataplaneDomain   string
}

func defaultSettings() settings {
	return settings{
		proxyStatus:       http.StatusProxyAuthRequired,
		tokenTTL:          time.Hour,
		authKey:           "authorization",
		now:               time.Now,
		authorizeDecision: func(AuthorizeRequest) AuthorizeDecision { return AuthorizeDecision{} },
		refreshRotation:   true,
		deviceInterval:    5 * time.Second,
		version:           defaultVersion,
		redirectURI:       publicRedirectURI,
	}
}

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// WithH2C serves cleartext HTTP/1.1 and HTTP/2 with prior knowledge (h2c)
// instead of TLS: [Server.URL] starts with "http://" and [Server.CAFile] is "".
func WithH2C() Option {
	return optionFunc(func(s *settings) { s.h2c = true })
}

// WithProxyAuth puts an authenticating proxy in front of every route except
// [Server.CommandTokenURL] and [Server.ProxyTokenURL]: a request passes only
// with "Proxy-Authorization: Bearer <token>" carrying a token from
// [Server.IssueProxyToken] or [Server.ProxyTokenURL]. Others get HTTP 407
// with a Proxy-Authenticate challenge and a small HTML body. The header is
// removed from requests that pass, as a proxy would.
func WithProxyAuth() Option {
	return optionFunc(func(s *settings) { s.proxyAuth = true })
}

// WithProxyRejectStatus turns the proxy check on (as [WithProxyAuth]) and
// makes it reject with code instead of 407, e.g. 401 to emulate
// identity-aware proxies. With a code other than 407 no Proxy-Authenticate
// header is sent. Every proxy rejection carries "X-Authtest-Proxy: reject" so
// tests can tell it from the service's own 401.
func WithProxyRejectStatus(code int) Option {
	return optionFunc(func(s *settings) {
		s.proxyAuth = true
		s.proxyStatus = code
	})
}

// WithTokenTTL sets the lifetime (expires_in) of issued access tokens; the
// default is one hour. Tokens past their lifetime are rejected.
func WithTokenTTL(d time.Duration) Option {
	return optionFunc(func(s *settings) { s.tokenTTL = d })
}

// WithAuthorizationMetadataKey sets the header the protected service reads
// the bearer token from and the public client config advertises as
// authorization_metadata_key. The default is "authorization".
func WithAuthorizationMetadataKey(key string) Option {
	return optionFunc(func(s *settings) { s.authKey = key })
}

// WithTrailersOnly makes the protected service answer gRPC and gRPC-Web calls
// it fails before any message as grpc-go does: HTTP 200 with grpc-status and
// grpc-message in the response headers and an empty body. Without it the
// errors take connect-go's natural shape, where a gRPC status arrives in the
// HTTP trailers after an empty body, as from flyteadmin's single-port mode.
func WithTrailersOnly() Option {
	return optionFunc(func(s *settings) { s.trailersOnly = true })
}

// WithAnonymous lets calls without a token through to the protected service,
// as on sandbox clusters. A token that is sent is still checked.
func WithAnonymous() Option {
	return optionFunc(func(s *settings) { s.anonymous = true })
}

// WithClock sets the clock used to stamp and expire access tokens,
// authorization codes and device codes; the default is [time.Now]. now must
// be safe for concurrent use.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(s *settings) {
		if now != nil {
			s.now = now
		}
	})
}

// WithAuthorizeDecision sets the user behind the authorization endpoint:
// decide is called with each valid authorization request and its answer is
// sent to the redirect URI, a code for the zero [AuthorizeDecision] or the
// decision's error. The default approves every request at once. decide may
// block (on a channel, say) to model a slow user; it is called concurrently
// when requests are, and a nil decide keeps the default.
func WithAuthorizeDecision(decide func(AuthorizeRequest) AuthorizeDecision) Option {
	return optionFunc(func(s *settings) {
		if decide != nil {
			s.authorizeDecision = decide
		}
	})
}

// WithRefreshRotation sets whether the refresh_token grant rotates refresh
// tokens (the default, true): each refresh answers a new refresh token and
// the one presented stops working. With false the answer carries no
// refresh_token and the client keeps the one it has.
func WithRefreshRotation(rotate bool) Option {
	return optionFunc(func(s *settings) { s.refreshRotation = rotate })
}

// WithoutDeviceFlow turns the device flow off: the metadata advertises no
// device_authorization_endpoint and no device_code grant, the device
// authorization endpoint answers 404 and the grant unsupported_grant_type.
func WithoutDeviceFlow() Option {
	return optionFunc(func(s *settings) { s.noDeviceFlow = true })
}

// WithDeviceInterval sets the polling interval the device authorization
// endpoint advertises, rounded up to whole seconds; the default is 5
// seconds, and 0 omits the interval (clients then use 5). The server does
// not enforce it: only [Server.SlowDownDevicePolls] and
// [Server.SetDeviceScript] answer slow_down.
func WithDeviceInterval(d time.Duration) Option {
	return optionFunc(func(s *settings) { s.deviceInterval = d })
}

// WithVersion sets the version [GetVersionProcedure] and [VersionPath]
// answer. The default is Build "authtest", Version "v0.0.0-authtest" and
// BuildTime "1970-01-01T00:00:00Z".
func WithVersion(v Version) Option {
	return optionFunc(func(s *settings) { s.version = v })
}

// WithRedirectURI sets the redirect_uri the public client config advertises
// (default "http://localhost:53593/callback"). A loopback URI with port 0,
// such as "http://127.0.0.1:0/callback", lets a PKCE client pick a free port,
// so tests never depend on a fixed one. The authorize endpoint accepts any
// loopback redirect with the same path.
func WithRedirectURI(uri string) Option {
	return optionFunc(func(s *settings) { s.redirectURI = uri })
}

// WithFlyte2 makes the server a Flyte 2 control plane: the AuthMetadataService
// is served only under flyteidl2.auth.AuthMetadataService (Connect, gRPC and
// gRPC-Web, from one connect-go handler), the flyteidl.service paths and
// /config/v1/flyte_client answer 404, the well-known route answers protojson
// with lowerCamelCase keys, and the public client config carries
// dataplane_domain (see [WithDataplaneDomain]) and no service_http_endpoint.
// The token endpoint and the protected services are the same as without it.
func WithFlyte2() Option {
	return optionFunc(func(s *settings) { s.flyte2 = true })
}

// WithoutOAuth2Metadata models a server that has no authorization server
// configured (Flyte 2 without runs.authMetadata.externalAuthServerBaseUrl):
// GetOAuth2Metadata answers a wire Unimplemented, "oauth2 metadata is not
// configured; set runs.authMetadata.externalAuthServerBaseUrl", and the
// well-known route answers 501. The token endpoint still works, for clients
// configured with [Server.TokenURL].
func WithoutOAuth2Metadata() Option {
	return optionFunc(func(s *settings) { s.noOAuth2Metadata = true })
}

// WithDataplaneDomain sets the dataplane_domain of the public client config
// in [WithFlyte2] mode; the default is [Server.URL], as a single-cluster
// Flyte 2 deployment answers.
func WithDataplaneDomain(domain string) Option {
	return optionFunc(func(s *settings) { s.dataplaneDomain = domain })
}
