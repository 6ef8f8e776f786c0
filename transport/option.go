package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/proxyauth"
)

// Option configures [Base], [Session], [New] and [NewClient]. Options that
// do not apply to a constructor are ignored by it.
type Option interface{ apply(*options) }

type options struct {
	dialTimeout           time.Duration
	tlsHandshakeTimeout   time.Duration
	responseHeaderTimeout time.Duration
	pingInterval          time.Duration
	pingTimeout           time.Duration
	sessionTimeout        time.Duration
	rootCAs               *x509.CertPool
	clientCerts           []tls.Certificate
	dial                  func(ctx context.Context, network, addr string) (net.Conn, error)

	store       authn.ConfigStore
	tokenSource authn.TokenSource
	proxySource proxyauth.TokenSource
	hosts       []string
	log         *slog.Logger
	now         func() time.Time
	authnOpts   []authn.Option
	base        http.RoundTripper
	retry       *errs.Policy
	retryAll    bool
	idempotent  []string

	credentialsFrom http.RoundTripper
	cacheDir        *string // nil: no public client config cache; "": ~/.flyte/.cache
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// Defaults of the base transport.
const (
	DefaultDialTimeout         = 10 * time.Second
	DefaultTLSHandshakeTimeout = 10 * time.Second
	DefaultPingInterval        = 30 * time.Second
	DefaultPingTimeout         = 15 * time.Second
)

func defaultOptions() options {
	return options{
		dialTimeout:         DefaultDialTimeout,
		tlsHandshakeTimeout: DefaultTLSHandshakeTimeout,
		pingInterval:        DefaultPingInterval,
		pingTimeout:         DefaultPingTimeout,
		sessionTimeout:      DefaultSessionTimeout,
		log:                 slog.New(slog.DiscardHandler),
		now:                 time.Now,
	}
}

func collect(opts []Option) options {
	o := defaultOptions()
	for _, opt := range opts {
		opt.apply(&o)
	}
	return o
}

// WithDialTimeout bounds establishing a TCP connection (default 10 s).
func WithDialTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.dialTimeout = d })
}

// WithTLSHandshakeTimeout bounds the TLS handshake (default 10 s).
func WithTLSHandshakeTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.tlsHandshakeTimeout = d })
}

// WithResponseHeaderTimeout bounds the wait for response headers after the
// request is written. It is off by default: streaming servers may send
// headers only with their first message, minutes later. Bound unary calls
// with a context deadline instead.
func WithResponseHeaderTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.responseHeaderTimeout = d })
}

// WithHealthPings sends an HTTP/2 ping on a connection idle for interval and
// closes it when no answer comes within timeout, so long streams over dead
// connections fail instead of hanging (defaults 30 s and 15 s; zero interval
// disables).
func WithHealthPings(interval, timeout time.Duration) Option {
	return optionFunc(func(o *options) { o.pingInterval, o.pingTimeout = interval, timeout })
}

// WithDialer replaces the base transport's dialer (a net.Dialer with the
// dial timeout and a 30 s keepalive) with dial, for custom name resolution or
// instrumentation. dial receives the request's context, so httptrace hooks
// in it still see the connection; it also dials the HTTP proxy when one is
// used. The dial timeout then is dial's concern.
func WithDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) Option {
	return optionFunc(func(o *options) { o.dial = dial })
}

// WithRootCAs replaces the system roots (caCertFilePath is still added).
func WithRootCAs(pool *x509.CertPool) Option {
	return optionFunc(func(o *options) { o.rootCAs = pool })
}

// WithClientCertificate presents cert to servers that ask for one (mTLS).
func WithClientCertificate(cert tls.Certificate) Option {
	return optionFunc(func(o *options) { o.clientCerts = append(o.clientCerts, cert) })
}

// WithClientConfig uses cc instead of asking the server's
// AuthMetadataService (flytekit's StaticClientConfigStore).
func WithClientConfig(cc authn.ClientConfig) Option {
	return optionFunc(func(o *options) { o.store = authn.StaticConfigStore(cc) })
}

// WithConfigStore replaces the remote client-config store.
func WithConfigStore(store authn.ConfigStore) Option {
	return optionFunc(func(o *options) { o.store = store })
}

// WithTokenSource replaces the configured flow with src.
func WithTokenSource(src authn.TokenSource) Option {
	return optionFunc(func(o *options) { o.tokenSource = src })
}

// WithProxyTokenSource supplies the proxy token from src instead of
// proxyCommand.
func WithProxyTokenSource(src proxyauth.TokenSource) Option {
	return optionFunc(func(o *options) { o.proxySource = src })
}

// WithHosts adds hosts that receive the bearer and proxy tokens besides the
// endpoint's own: "host", "host:port" (with the endpoint's scheme) or
// "https://host:port". A token goes only to a request whose scheme and host
// both match.
func WithHosts(hosts ...string) Option {
	return optionFunc(func(o *options) { o.hosts = append(o.hosts, hosts...) })
}

// WithLogger sets the logger for the stack's events (never credentials).
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) {
		if l != nil {
			o.log = l
		}
	})
}

// WithClock replaces time.Now for token expiry.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *options) {
		if now != nil {
			o.now = now
		}
	})
}

// WithAuthnOptions passes options to the bearer layer's [authn.New].
func WithAuthnOptions(opts ...authn.Option) Option {
	return optionFunc(func(o *options) { o.authnOpts = append(o.authnOpts, opts...) })
}

// WithBaseTransport replaces the base transport that [New] and [Session]
// build from the configuration (TLS, proxy, timeouts) with rt, for
// instrumentation or tests. The proxy, bearer and errs layers still apply.
func WithBaseTransport(rt http.RoundTripper) Option {
	return optionFunc(func(o *options) { o.base = rt })
}

// WithRetryPolicy replaces the retry policy [New] builds from maxRetries,
// maxBackoffDelay and perRetryTimeout.
func WithRetryPolicy(p errs.Policy) Option {
	return optionFunc(func(o *options) { o.retry = &p })
}

// WithRetryNonIdempotent makes the retry layer resend every call after a
// transient failure, calls with side effects included: flytekit's
// behaviour ([errs.Policy].RetryNonIdempotent, which states the risk: a call
// the server acted on before its answer was lost runs twice). It applies
// over WithRetryPolicy too.
func WithRetryNonIdempotent() Option {
	return optionFunc(func(o *options) { o.retryAll = true })
}

// WithIdempotentProcedures lets the retry layer resend calls of these
// procedures ("/flyteidl.service.AdminService/GetTask") after a transient
// failure. Connect and gRPC calls are POSTs, so by default the layer
// resends only Flyte's read-only procedures (a built-in table), the calls
// [Interceptor] marks from the client's declared idempotency level, and
// those whose failure provably happened before the server saw them.
func WithIdempotentProcedures(procedures ...string) Option {
	return optionFunc(func(o *options) { o.idempotent = append(o.idempotent, procedures...) })
}
