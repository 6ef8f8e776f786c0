package transport

import (
	"context"
	"net/http"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// New builds the whole stack for cfg (flytekit's get_authenticated_channel):
// connect bridge over errs layer over bearer layer over proxy layer over
// base, in that fixed order (drawn in the package doc). It reads the CA file, the client secret and the command settings
// now, and rejects contradictory or incomplete settings here, with an
// *errs.Error of code InvalidArgument — not at the first call. It makes no
// network call: metadata and tokens are fetched on first use, once, and
// shared by every caller of the returned RoundTripper, which is safe for
// concurrent use. ctx is for future eager setup and is not retained.
func New(ctx context.Context, cfg *config.Platform, opts ...Option) (http.RoundTripper, error) {
	_ = ctx
	sc, err := parseConfig(cfg, true)
	if err != nil {
		return nil, err
	}
	o, err := collect(opts)
	if err != nil {
		return nil, err
	}
	proxied, err := proxiedBase(sc, o.sessionOptions)
	if err != nil {
		return nil, err
	}
	rt, err := bearerLayer(sc, proxied, o)
	if err != nil {
		return nil, err
	}
	return &connectBridge{next: errs.NewRetryTransport(rt, retryPolicy(cfg, o))}, nil
}

// retryPolicy is the errs layer's policy: WithRetryPolicy, else the
// configuration's retry settings, with WithRetryNonIdempotent and
// WithIdempotentProcedures added to it.
func retryPolicy(cfg *config.Platform, o options) errs.Policy {
	p := errs.Policy{
		MaxRetries:    cfg.MaxRetries,
		MaxBackoff:    cfg.MaxBackoffDelay,
		PerTryTimeout: cfg.PerRetryTimeout,
		Logger:        o.log,
	}
	if o.retry != nil {
		p = *o.retry
		if p.Logger == nil {
			p.Logger = o.log
		}
	}
	if o.retryAll {
		p.RetryNonIdempotent = true
	}
	if len(o.idempotent) > 0 {
		listed := errs.IdempotentProcedures(o.idempotent...)
		if given := p.IsIdempotent; given != nil {
			p.IsIdempotent = func(req *http.Request) bool { return given(req) || listed(req) }
		} else {
			p.IsIdempotent = listed
		}
	}
	return p
}

// NewClient returns an *http.Client over [New]'s stack, for connect clients
// (as their HTTPClient) and REST calls alike.
func NewClient(ctx context.Context, cfg *config.Platform, opts ...Option) (*http.Client, error) {
	rt, err := New(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: rt}, nil
}

// AuthenticatorOf returns the Authenticator of the bearer layer in rt, a
// stack [New] built (or any chain of layers that expose Unwrap() and hold an
// *authn.Transport), so that a program can ask the stack for its current
// token and header key (Token, HeaderKey) — what "authwire token" prints. It
// returns nil when rt has no bearer layer (authType None).
func AuthenticatorOf(rt http.RoundTripper) *authn.Authenticator {
	for rt != nil {
		if t, ok := rt.(*authn.Transport); ok {
			return t.Auth
		}
		u, ok := rt.(interface{ Unwrap() http.RoundTripper })
		if !ok {
			return nil
		}
		rt = u.Unwrap()
	}
	return nil
}

// BaseURL returns the base URL of cfg's endpoint ("https://host:port"), the
// form connect clients take and REST paths are appended to.
func BaseURL(cfg *config.Platform) (string, error) {
	u, err := cfg.BaseURL()
	if err != nil {
		return "", configError(err, "")
	}
	return u, nil
}

// bearerLayer wraps proxied with the bearer layer: the Authenticator of
// WithCredentialsFrom's stack, shared, or one of the configuration's own,
// whose metadata and token calls go through the session over proxied. With
// authType None there is no bearer layer.
func bearerLayer(sc *stackConfig, proxied http.RoundTripper, o options) (http.RoundTripper, error) {
	cfg := sc.cfg
	if o.credentialsFrom != nil {
		shared := AuthenticatorOf(o.credentialsFrom)
		if shared == nil {
			return nil, configError(nil, "WithCredentialsFrom: the stack given does not authenticate")
		}
		auth, err := shared.ForEndpoint(cfg.Endpoint, cfg.Insecure, o.hosts...)
		if err != nil {
			return nil, err
		}
		return authn.Wrap(proxied, auth), nil
	}
	if cfg.AuthType == config.AuthNone {
		return proxied, nil
	}
	session := sessionClient(proxied, o.sessionOptions)
	store := o.store
	if store == nil {
		api, err := authn.ParseAPI(cfg.AuthMetadataAPI)
		if err != nil {
			return nil, configError(err, "")
		}
		sopts := []authn.StoreOption{authn.WithAPI(api)}
		if c := publicConfigCache(cfg, o); c != nil {
			sopts = append(sopts, c)
		}
		store = authn.NewRemoteConfigStore(session, sc.baseURL(), sopts...)
	}
	aopts := make([]authn.Option, 0, len(o.authnOpts)+5)
	for _, opt := range o.authnOpts {
		aopts = append(aopts, opt)
	}
	aopts = append(aopts, sc.authnOption(), authn.WithClock(o.now), authn.WithLogger(o.log), authn.WithHosts(o.hosts...))
	if o.tokenSource != nil {
		aopts = append(aopts, authn.WithTokenSource(o.tokenSource))
	}
	auth, err := authn.New(cfg, store, session, aopts...)
	if err != nil {
		return nil, err
	}
	return authn.Wrap(proxied, auth), nil
}
