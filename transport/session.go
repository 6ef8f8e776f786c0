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
	proxied, err := proxiedBase(cfg, collect(opts))
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: proxied}, nil
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
