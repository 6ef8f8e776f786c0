package authn

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/textproto"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcache"
)

// defaultHeader carries the token when neither the configuration nor the
// server names another header.
const defaultHeader = "Authorization"

// Authenticator obtains, caches and invalidates the bearer token of one
// stack. It is flytekit's Authenticator, returned by [New]. It is safe for
// concurrent use; share one per endpoint.
type Authenticator struct {
	mode           config.AuthType
	origins        config.Origins // where tokens may go: the endpoint and WithHosts
	headerKey      string         // configured header, canonical; "" = ask the server
	allowCleartext bool
	store          ConfigStore
	source         TokenSource
	cache          *credcache.Cache[credential]
	activated      atomic.Bool // lazy mode: the server asked for a token
	log            *slog.Logger
}

// credential is the cached form of a token, with its header precomputed so
// the hot path allocates nothing for it.
type credential struct {
	token *oauth2.Token
	key   string // canonical header key
	value string // "Bearer <token>"
}

// New returns the Authenticator for cfg (flytekit's get_authenticator). store
// answers the server's client configuration; session is the client for token
// and metadata calls (the proxy layer over the base transport, no bearer
// layer). Both may be nil for flows that do not need them.
//
// The flow follows cfg.AuthType: ClientSecret, ExternalCommand, None,
// Passthrough (each request's token from its context: [WithPassthroughToken]),
// or AuthUnset, which sends calls without a token until the server rejects one
// and then uses the flow the configuration implies (a command, a client
// secret, else an interactive login). Configuration mistakes are reported
// here, as *errs.Error values with code InvalidArgument.
func New(cfg *config.Platform, store ConfigStore, session *http.Client, opts ...Option) (*Authenticator, error) {
	if cfg == nil {
		return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "nil configuration"}
	}
	o := options{now: time.Now, log: slog.New(slog.DiscardHandler), authStyle: oauth2.AuthStyleInHeader}
	for _, opt := range opts {
		opt.apply(&o)
	}
	ep, err := validEndpoint(cfg, o.endpoint)
	if err != nil {
		return nil, err
	}
	a := &Authenticator{
		mode:           cfg.AuthType,
		allowCleartext: cfg.Insecure,
		store:          store,
		log:            o.log,
	}
	if cfg.AuthorizationHeader != "" {
		a.headerKey = textproto.CanonicalMIMEHeaderKey(cfg.AuthorizationHeader)
	}
	a.origins.AddEndpoint(ep)
	for _, h := range o.hosts {
		if err := a.origins.Add(h, ep.Scheme); err != nil {
			return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "invalid host in WithHosts", Err: err}
		}
	}
	if a.mode == config.AuthPassthrough && o.source != nil {
		return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "authType Passthrough takes each request's token from its context: it cannot have a token source"}
	}
	a.source = o.source
	if a.source != nil {
		a.activated.Store(true) // an explicit source is used from the first call
	} else if a.mode != config.AuthNone && a.mode != config.AuthPassthrough {
		if a.source, err = newFlowSource(cfg, store, session, &o); err != nil {
			return nil, err
		}
	}
	window := o.refreshWindow
	if window == 0 {
		window = refreshWindow(cfg)
	}
	a.cache = credcache.New(a.fetch, credcache.WithRefreshWindow(window), credcache.WithClock(o.now),
		credcache.WithFlightTimeout(fetchTimeout(cfg, &o)))
	return a, nil
}

// Token returns a valid access token, fetching one if needed. It is what
// "authwire token" prints. It fails with FailedPrecondition in None mode;
// in Passthrough mode it returns the token of ctx (see
// [WithPassthroughToken]).
func (a *Authenticator) Token(ctx context.Context) (*oauth2.Token, error) {
	if a.mode == config.AuthNone {
		return nil, &errs.Error{Code: errs.FailedPrecondition, Op: "authn", Message: "authType None obtains no tokens"}
	}
	if a.mode == config.AuthPassthrough {
		return passthroughToken(ctx)
	}
	e, err := a.cache.Get(ctx)
	if err != nil {
		return nil, err
	}
	return e.Value.token, nil
}

// fetch is the cache's fetch function: the header key and a fresh token.
func (a *Authenticator) fetch(ctx context.Context) (credential, time.Time, error) {
	key, err := a.resolveHeaderKey(ctx)
	if err != nil {
		return credential{}, time.Time{}, err
	}
	tok, err := a.source.Token(ctx)
	if err != nil {
		a.log.LogAttrs(ctx, slog.LevelWarn, "authn: token fetch failed", slog.String("error", err.Error()))
		if tokenRequestRefused(err) {
			a.distrustServerConfig()
		}
		return credential{}, time.Time{}, err
	}
	if tok == nil || tok.AccessToken == "" {
		return credential{}, time.Time{}, &errs.Error{Code: errs.Unauthenticated, Op: "authn", Message: "token source returned an empty token"}
	}
	if err := checkTokenType(tok); err != nil {
		return credential{}, time.Time{}, err
	}
	expiry := tok.Expiry
	if tok.ExpiresIn < 0 { // unknown, not expired: x/oauth2 made it a past expiry
		expiry = time.Time{}
	}
	if expiry.IsZero() {
		expiry, _ = credcache.JWTExpiry(tok.AccessToken)
	}
	a.log.LogAttrs(ctx, slog.LevelDebug, "authn: token obtained", slog.Time("expiry", expiry))
	return credential{token: tok, key: key, value: "Bearer " + tok.AccessToken}, expiry, nil
}

// HeaderKey returns the header the bearer layer sends the token in, in
// canonical form: authorizationHeader when configured, else the server's
// authorization_metadata_key, else Authorization. It may ask the server
// (once per stack; the store caches the answer).
func (a *Authenticator) HeaderKey(ctx context.Context) (string, error) {
	return a.resolveHeaderKey(ctx)
}

// resolveHeaderKey returns the configured header, else the server's
// authorization_metadata_key, else Authorization. A server that publishes no
// client configuration (Unimplemented, NotFound) gets the default.
func (a *Authenticator) resolveHeaderKey(ctx context.Context) (string, error) {
	if a.headerKey != "" || a.store == nil {
		return cmp.Or(a.headerKey, defaultHeader), nil
	}
	cc, err := a.store.ClientConfig(ctx)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Unimplemented || c == errs.NotFound {
			return defaultHeader, nil
		}
		return "", err
	}
	if cc.AuthorizationMetadataKey == "" {
		return defaultHeader, nil
	}
	return textproto.CanonicalMIMEHeaderKey(cc.AuthorizationMetadataKey), nil
}

// credential returns the credential for a request, or ok=false when the
// request goes out without one (lazy mode before the first rejection).
func (a *Authenticator) credential(ctx context.Context) (e credcache.Entry[credential], ok bool, err error) {
	if a.mode == config.AuthUnset && !a.activated.Load() {
		return e, false, nil
	}
	if a.mode == config.AuthPassthrough {
		e, err = a.passthroughCredential(ctx)
		return e, err == nil, err
	}
	e, err = a.cache.Get(ctx)
	return e, err == nil, err
}

// reject records that the server rejected a request sent with e (ok=false:
// sent without a credential). Only that credential is dropped.
func (a *Authenticator) reject(e credcache.Entry[credential], ok bool) {
	if ok {
		a.cache.Invalidate(e.Gen)
		a.distrustServerConfig()
		return
	}
	a.activated.Store(true)
}

// appliesTo reports whether the layer should authenticate req: a request to
// one of the token's hosts that carries no authorization of its own.
func (a *Authenticator) appliesTo(req *http.Request) bool {
	if a.mode == config.AuthNone {
		return false
	}
	if !a.origins.Contains(req.URL) {
		return false
	}
	if _, set := req.Header[defaultHeader]; set {
		return false
	}
	if a.headerKey != "" {
		if _, set := req.Header[a.headerKey]; set {
			return false
		}
	}
	return true
}

// checkCleartext refuses to send a token in cleartext to a non-loopback host
// unless the configuration says insecure: true.
func (a *Authenticator) checkCleartext(req *http.Request) error {
	if req.URL.Scheme != "http" || a.allowCleartext || config.IsLoopback(req.URL.Hostname()) {
		return nil
	}
	return &errs.Error{
		Code:    errs.FailedPrecondition,
		Op:      "authn",
		Message: "refusing to send a bearer token over cleartext http to " + req.URL.Hostname(),
		Hint:    "use an https endpoint, or set insecure: true if the network is trusted",
	}
}

func refreshWindow(cfg *config.Platform) time.Duration {
	switch {
	case cfg.AuthType == config.AuthPKCE && cfg.PKCE.RefreshTime > 0:
		return cfg.PKCE.RefreshTime
	case cfg.AuthType == config.AuthDeviceFlow && cfg.DeviceFlow.RefreshTime > 0:
		return cfg.DeviceFlow.RefreshTime
	case cfg.TokenRefreshWindow > 0:
		return cfg.TokenRefreshWindow
	}
	return DefaultRefreshWindow
}

// validEndpoint validates cfg and returns its parsed endpoint, unless
// transport.New, which did both, handed the endpoint over.
func validEndpoint(cfg *config.Platform, parsed *config.Endpoint) (config.Endpoint, error) {
	if parsed != nil {
		return *parsed, nil
	}
	if err := cfg.Validate(); err != nil {
		return config.Endpoint{}, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "invalid configuration", Err: err}
	}
	ep, err := config.ParseEndpoint(cfg.Endpoint, cfg.Insecure)
	if err != nil {
		return config.Endpoint{}, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "invalid configuration", Err: err}
	}
	return ep, nil
}
