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
	sc, err := parseConfig(cfg, false)
	if err != nil {
		return nil, err
	}
	o := collect(opts)
	proxied, err := proxiedBase(sc, o)
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
