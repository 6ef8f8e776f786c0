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

// Options are typed by the constructor that reads them, so that an option a
// constructor does not use does not compile there:
//
//	option                     Base  Session  New, NewClient
//	BaseOption                  yes    yes      yes
//	  WithDialTimeout, WithTLSHandshakeTimeout, WithResponseHeaderTimeout,
//	  WithHealthPings, WithDialer, WithRootCAs, WithClientCertificate
//	SessionOption                      yes      yes
//	  WithBaseTransport, WithProxyTokenSource, WithHosts, WithClock,
//	  WithSessionTimeout
//	Option                                      yes
//	  WithTokenSource, WithConfigStore, WithLogger,
//	  WithAuthnOptions, WithRetryPolicy, WithRetryNonIdempotent,
//	  WithIdempotentProcedures
//
// A BaseOption is also a SessionOption and an Option; a SessionOption is
// also an Option.

// Option configures [New] and [NewClient]. Every [SessionOption] and
// [BaseOption] is one too.
type Option interface{ applyToNew(*options) }

// SessionOption configures [Session], [New] and [NewClient]: the proxy
// layer, the credentials' hosts and the session's bounds. Every
// [BaseOption] is one too.
type SessionOption interface {
	Option
	applyToSession(*sessionOptions)
}

// BaseOption configures the base transport that [Base] returns and that
// [Session], [New] and [NewClient] build: dialing, TLS and timeouts.
type BaseOption interface {
	SessionOption
	applyToBase(*baseOptions)
}

// baseOptions is what [Base] reads.
type baseOptions struct {
	dialTimeout           time.Duration
	tlsHandshakeTimeout   time.Duration
	responseHeaderTimeout time.Duration
	pingInterval          time.Duration
	pingTimeout           time.Duration
	idleConnTimeout       time.Duration
	rootCAs               *x509.CertPool
	clientCerts           []tls.Certificate
	dial                  func(ctx context.Context, network, addr string) (net.Conn, error)
	given                 []string // names of the BaseOptions applied, for WithBaseTransport's check
}

// sessionOptions is what [Session] reads.
type sessionOptions struct {
	baseOptions
	base           http.RoundTripper
	proxySource    proxyauth.TokenSource
	hosts          []string
	now            func() time.Time
	sessionTimeout time.Duration
}

// options is what [New] reads.
type options struct {
	sessionOptions
	store       authn.ConfigStore
	tokenSource authn.TokenSource
	log         *slog.Logger
	authnOpts   []authn.FlowOption
	retry       *errs.Policy
	retryAll    bool
	idempotent  []string

	credentialsFrom http.RoundTripper
	cacheDir        *string // nil: no public client config cache; "": ~/.flyte/.cache
}

// baseOption is a BaseOption named for error messages.
type baseOption struct {
	name string
	set  func(*baseOptions)
}

func (b baseOption) applyToBase(o *baseOptions) {
	o.given = append(o.given, b.name)
	b.set(o)
}
func (b baseOption) applyToSession(o *sessionOptions) { b.applyToBase(&o.baseOptions) }
func (b baseOption) applyToNew(o *options)            { b.applyToBase(&o.baseOptions) }

type sessionOption func(*sessionOptions)

func (f sessionOption) applyToSession(o *sessionOptions) { f(o) }
func (f sessionOption) applyToNew(o *options)            { f(&o.sessionOptions) }

type optionFunc func(*options)

func (f optionFunc) applyToNew(o *options) { f(o) }

// Defaults of the base transport.
const (
	DefaultDialTimeout         = 10 * time.Second
	DefaultTLSHandshakeTimeout = 10 * time.Second
	DefaultPingInterval        = 30 * time.Second
	DefaultPingTimeout         = 15 * time.Second
	// DefaultIdleConnTimeout is how long an unused connection stays in the
	// pool: below the idle timeouts of common load balancers and proxies
	// (60 s for AWS ALB, 75 s for nginx's keepalive_timeout).
	DefaultIdleConnTimeout = 50 * time.Second
)

func defaultBaseOptions() baseOptions {
	return baseOptions{
		dialTimeout:         DefaultDialTimeout,
		tlsHandshakeTimeout: DefaultTLSHandshakeTimeout,
		pingInterval:        DefaultPingInterval,
		pingTimeout:         DefaultPingTimeout,
		idleConnTimeout:     DefaultIdleConnTimeout,
	}
}

func defaultSessionOptions() sessionOptions {
	return sessionOptions{baseOptions: defaultBaseOptions(), sessionTimeout: DefaultSessionTimeout, now: time.Now}
}

func collectBase(opts []BaseOption) baseOptions {
	o := defaultBaseOptions()
	for _, opt := range opts {
		opt.applyToBase(&o)
	}
	return o
}

func collectSession(opts []SessionOption) (sessionOptions, error) {
	o := defaultSessionOptions()
	for _, opt := range opts {
		opt.applyToSession(&o)
	}
	return o, o.check()
}

func collect(opts []Option) (options, error) {
	o := options{sessionOptions: defaultSessionOptions(), log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt.applyToNew(&o)
	}
	return o, o.check()
}

// check rejects base options given with WithBaseTransport, which replaces
// the transport they configure.
func (o *sessionOptions) check() error {
	if o.base != nil && len(o.given) > 0 {
		return configError(nil, "WithBaseTransport replaces the base transport that "+o.given[0]+" configures; give one or the other")
	}
	return nil
}

// WithDialTimeout bounds establishing a TCP connection (default 10 s).
func WithDialTimeout(d time.Duration) BaseOption {
	return baseOption{"WithDialTimeout", func(o *baseOptions) { o.dialTimeout = d }}
}

// WithTLSHandshakeTimeout bounds the TLS handshake (default 10 s).
func WithTLSHandshakeTimeout(d time.Duration) BaseOption {
	return baseOption{"WithTLSHandshakeTimeout", func(o *baseOptions) { o.tlsHandshakeTimeout = d }}
}

// WithResponseHeaderTimeout bounds the wait for response headers after the
// request is written. It is off by default: streaming servers may send
// headers only with their first message, minutes later. Bound unary calls
// with a context deadline instead.
func WithResponseHeaderTimeout(d time.Duration) BaseOption {
	return baseOption{"WithResponseHeaderTimeout", func(o *baseOptions) { o.responseHeaderTimeout = d }}
}

// WithHealthPings sends an HTTP/2 ping on a connection idle for interval and
// closes it when no answer comes within timeout, so long streams over dead
// connections fail instead of hanging (defaults 30 s and 15 s; zero interval
// disables).
func WithHealthPings(interval, timeout time.Duration) BaseOption {
	return baseOption{"WithHealthPings", func(o *baseOptions) { o.pingInterval, o.pingTimeout = interval, timeout }}
}

// WithIdleConnTimeout is how long an unused connection stays in the pool
// (default [DefaultIdleConnTimeout]; zero or less keeps it until the server
// closes it). Keep it below the idle timeout of the server and of every
// proxy in front of it: over HTTP/1.1, a call sent on a connection the
// server is closing at that moment fails with Unavailable, and a call whose
// body cannot be replayed (a stream, a POST not marked idempotent) is not
// sent again. HTTP/2 servers normally announce their close (GOAWAY), so
// mostly HTTP/1.1 calls are at risk.
func WithIdleConnTimeout(d time.Duration) BaseOption {
	return baseOption{"WithIdleConnTimeout", func(o *baseOptions) { o.idleConnTimeout = d }}
}

// WithDialer replaces the base transport's dialer (a net.Dialer with the
// dial timeout and a 30 s keepalive) with dial, for custom name resolution or
// instrumentation. dial receives the request's context, so httptrace hooks
// in it still see the connection; it also dials the HTTP proxy when one is
// used. The dial timeout then is dial's concern.
func WithDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) BaseOption {
	return baseOption{"WithDialer", func(o *baseOptions) { o.dial = dial }}
}

// WithRootCAs replaces the system roots (caCertFilePath is still added).
func WithRootCAs(pool *x509.CertPool) BaseOption {
	return baseOption{"WithRootCAs", func(o *baseOptions) { o.rootCAs = pool }}
}

// WithClientCertificate presents cert to servers that ask for one (mTLS).
func WithClientCertificate(cert tls.Certificate) BaseOption {
	return baseOption{"WithClientCertificate", func(o *baseOptions) { o.clientCerts = append(o.clientCerts, cert) }}
}

// WithConfigStore replaces the remote client-config store, which asks the
// server's AuthMetadataService. [authn.StaticConfigStore] gives a fixed
// client configuration instead (flytekit's StaticClientConfigStore).
func WithConfigStore(store authn.ConfigStore) Option {
	return optionFunc(func(o *options) { o.store = store })
}

// WithTokenSource replaces the configured flow with src.
func WithTokenSource(src authn.TokenSource) Option {
	return optionFunc(func(o *options) { o.tokenSource = src })
}

// WithProxyTokenSource supplies the proxy token from src instead of
// proxyCommand.
func WithProxyTokenSource(src proxyauth.TokenSource) SessionOption {
	return sessionOption(func(o *sessionOptions) { o.proxySource = src })
}

// WithHosts adds hosts that receive the bearer and proxy tokens besides the
// endpoint's own: "host", "host:port" (with the endpoint's scheme) or
// "https://host:port". A token goes only to a request whose scheme and host
// both match. The proxy layer and, in New's stack, the bearer layer use
// them; a malformed entry is an InvalidArgument error at construction.
func WithHosts(hosts ...string) SessionOption {
	return sessionOption(func(o *sessionOptions) { o.hosts = append(o.hosts, hosts...) })
}

// WithLogger sets the logger for the stack's events (never credentials): the
// bearer layer's, and the retry layer's unless a WithRetryPolicy sets its own.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) {
		if l != nil {
			o.log = l
		}
	})
}

// WithClock replaces time.Now for the expiry of bearer and proxy tokens: the
// stack's one clock, which New passes to every layer.
func WithClock(now func() time.Time) SessionOption {
	return sessionOption(func(o *sessionOptions) {
		if now != nil {
			o.now = now
		}
	})
}

// WithAuthnOptions passes flow options to the bearer layer's [authn.New]:
// the prompt, browser, keyring, token store, client-secret style, refresh
// window and timeouts. What the stack shares across its layers is set with
// this package's options instead (WithTokenSource, WithClock, WithLogger,
// WithHosts); authn's options of the same names are not FlowOptions and do
// not compile here.
func WithAuthnOptions(opts ...authn.FlowOption) Option {
	return optionFunc(func(o *options) { o.authnOpts = append(o.authnOpts, opts...) })
}

// WithBaseTransport replaces the base transport that [New] and [Session]
// build from the configuration (TLS, proxy, timeouts) with rt, for
// instrumentation or tests. The proxy, bearer and errs layers still apply.
// A [BaseOption] configures the transport rt replaces, so giving one with
// WithBaseTransport is an InvalidArgument error.
func WithBaseTransport(rt http.RoundTripper) SessionOption {
	return sessionOption(func(o *sessionOptions) { o.base = rt })
}

// WithRetryPolicy replaces the retry policy [New] builds from maxRetries,
// maxBackoffDelay and perRetryTimeout. A nil p.Logger takes WithLogger's;
// WithRetryNonIdempotent and WithIdempotentProcedures add to p.
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
// those whose failure provably happened before the server saw them. It adds
// to a WithRetryPolicy's IsIdempotent.
func WithIdempotentProcedures(procedures ...string) Option {
	return optionFunc(func(o *options) { o.idempotent = append(o.idempotent, procedures...) })
}
