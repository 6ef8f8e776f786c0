package transport

import (
	"net/http"
	"time"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
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
func WithSessionTimeout(d time.Duration) SessionOption {
	return sessionOption(func(o *sessionOptions) {
		if d > 0 {
			o.sessionTimeout = d
		}
	})
}

// Session returns the client for token, device, refresh and metadata calls
// (flytekit's get_session): the proxy layer over the base transport, with no
// bearer layer. It applies the same TLS, proxy and timeout policy as RPCs,
// and bounds each request by [WithSessionTimeout]. It follows a redirect
// only to the same host without a downgrade to cleartext (see
// [ErrRedirectRefused]): these calls carry the client secret, codes,
// refresh tokens and the proxy token.
func Session(cfg *config.Platform, opts ...SessionOption) (*http.Client, error) {
	sc, err := parseConfig(cfg, false)
	if err != nil {
		return nil, err
	}
	o, err := collectSession(opts)
	if err != nil {
		return nil, err
	}
	proxied, err := proxiedBase(sc, o)
	if err != nil {
		return nil, err
	}
	return sessionClient(proxied, o), nil
}

// sessionClient is the session's client over rt: every request bounded by
// the session timeout, the redirect policy, and transport failures as
// *errs.Error values with the stack's hints (an unknown certificate names
// caCertFilePath), as the errs layer gives them for RPCs.
func sessionClient(rt http.RoundTripper, o sessionOptions) *http.Client {
	return &http.Client{Transport: sessionErrors{rt}, CheckRedirect: checkRedirect, Timeout: o.sessionTimeout}
}

// sessionErrors classifies the transport failures of the session's calls.
type sessionErrors struct{ next http.RoundTripper }

func (s sessionErrors) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil {
		return nil, errs.FromTransportError(req, err)
	}
	return resp, nil
}

// CloseIdleConnections forwards to the next hop.
func (s sessionErrors) CloseIdleConnections() {
	if c, ok := s.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// proxiedBase is the session's transport: the proxy layer over the base.
func proxiedBase(sc *stackConfig, o sessionOptions) (http.RoundTripper, error) {
	if o.base != nil {
		return proxyLayer(sc, o.base, o)
	}
	base, err := newBase(sc, o.baseOptions)
	if err != nil {
		return nil, err
	}
	return proxyLayer(sc, base, o)
}

// proxyLayer wraps base with the proxy credential for the endpoint's origin
// and WithHosts' (which take the endpoint's scheme when they name none):
// WithProxyTokenSource's source, else proxyCommand's, else none.
func proxyLayer(sc *stackConfig, base http.RoundTripper, o sessionOptions) (http.RoundTripper, error) {
	hosts, err := sc.origins(o.hosts) // checked with or without a proxy credential
	if err != nil {
		return nil, err
	}
	src := o.proxySource
	if src == nil && len(sc.cfg.ProxyCommand) > 0 {
		src = proxyauth.Command(sc.cfg.ProxyCommand, 0)
	}
	if src == nil {
		return base, nil
	}
	cred := proxyauth.NewCredential(src, proxyauth.WithHosts(hosts...), proxyauth.WithClock(o.now))
	return proxyauth.Wrap(base, cred), nil
}
