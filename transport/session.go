package transport

import (
	"net/http"
	"time"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/proxyauth"
)

// DefaultSessionTimeout bounds one request of the session, answer included:
// a metadata call, a token, device or refresh request. These answers are
// small; a server that takes longer is hung, and the request is abandoned
// so that the next one starts afresh.
const DefaultSessionTimeout = time.Minute

// WithSessionTimeout bounds one request of [Session] and of the session
// [New] uses for metadata and token calls (default [DefaultSessionTimeout];
// zero or less keeps the default). It does not apply to RPCs.
func WithSessionTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) {
		if d > 0 {
			o.sessionTimeout = d
		}
	})
}

// Session returns the client for token, device, refresh and metadata calls
// (flytekit's get_session): the proxy layer over the base transport, with no
// bearer layer. It applies the same TLS, proxy and timeout policy as RPCs,
// and bounds each request by [WithSessionTimeout].
func Session(cfg *config.Platform, opts ...Option) (*http.Client, error) {
	o := collect(opts)
	proxied, err := proxiedBase(cfg, o)
	if err != nil {
		return nil, err
	}
	return sessionClient(proxied, o), nil
}

// sessionClient is the session over rt: every request bounded.
func sessionClient(rt http.RoundTripper, o options) *http.Client {
	return &http.Client{Transport: rt, Timeout: o.sessionTimeout}
}

// proxiedBase is the session's transport: the proxy layer over the base.
func proxiedBase(cfg *config.Platform, o options) (http.RoundTripper, error) {
	base, err := newBase(cfg, o)
	if err != nil {
		return nil, err
	}
	return proxyLayer(cfg, base, o)
}

// proxyLayer wraps base with the proxy credential of cfg, if any.
func proxyLayer(cfg *config.Platform, base http.RoundTripper, o options) (http.RoundTripper, error) {
	popts := []proxyauth.Option{proxyauth.WithHosts(o.hosts...), proxyauth.WithClock(o.now)}
	var cred *proxyauth.Credential
	if o.proxySource != nil {
		ep, err := config.ParseEndpoint(cfg.Endpoint, cfg.Insecure)
		if err != nil {
			return nil, configError(err, "")
		}
		cred = proxyauth.NewCredential(o.proxySource, append(popts, proxyauth.WithHosts(ep.URL()[len(ep.Scheme)+3:]))...)
	} else {
		var err error
		if cred, err = proxyauth.New(cfg, popts...); err != nil {
			return nil, err
		}
	}
	if cred == nil {
		return base, nil
	}
	return proxyauth.Wrap(base, cred), nil
}
