package transport

import (
	"net/http"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/proxyauth"
)

// Session returns the client for token, device, refresh and metadata calls
// (flytekit's get_session): the proxy layer over the base transport, with no
// bearer layer. It applies the same TLS, proxy and timeout policy as RPCs.
func Session(cfg *config.Platform, opts ...Option) (*http.Client, error) {
	sc, err := parseConfig(cfg, false)
	if err != nil {
		return nil, err
	}
	proxied, err := proxiedBase(sc, collect(opts))
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: proxied}, nil
}

// proxiedBase is the session's transport: the proxy layer over the base.
func proxiedBase(sc *stackConfig, o options) (http.RoundTripper, error) {
	base, err := newBase(sc, o)
	if err != nil {
		return nil, err
	}
	return proxyLayer(sc, base, o), nil
}

// proxyLayer wraps base with the proxy credential for the endpoint's host:
// WithProxyTokenSource's source, else proxyCommand's, else none.
func proxyLayer(sc *stackConfig, base http.RoundTripper, o options) http.RoundTripper {
	src := o.proxySource
	if src == nil && len(sc.cfg.ProxyCommand) > 0 {
		src = proxyauth.Command(sc.cfg.ProxyCommand, 0)
	}
	if src == nil {
		return base
	}
	cred := proxyauth.NewCredential(src, proxyauth.WithHosts(o.hosts...), proxyauth.WithClock(o.now), proxyauth.WithHosts(sc.host()))
	return proxyauth.Wrap(base, cred)
}
