package transport

import (
	"net/http"
	"strings"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/proxyauth"
)

// Session returns the client for token, device, refresh and metadata calls
// (flytekit's get_session): the proxy layer over the base transport, with no
// bearer layer. It applies the same TLS, proxy and timeout policy as RPCs,
// and follows a redirect only to the same host without a downgrade to
// cleartext (see [ErrRedirectRefused]): these calls carry the client secret,
// codes, refresh tokens and the proxy token.
func Session(cfg *config.Platform, opts ...Option) (*http.Client, error) {
	proxied, err := proxiedBase(cfg, collect(opts))
	if err != nil {
		return nil, err
	}
	return sessionClient(proxied), nil
}

// sessionClient is the session's client over rt: the redirect policy, and
// transport failures as *errs.Error values with the stack's hints (an
// unknown certificate names caCertFilePath), as the errs layer gives them
// for RPCs.
func sessionClient(rt http.RoundTripper) *http.Client {
	return &http.Client{Transport: sessionErrors{rt}, CheckRedirect: checkRedirect}
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
func proxiedBase(cfg *config.Platform, o options) (http.RoundTripper, error) {
	base, err := newBase(cfg, o)
	if err != nil {
		return nil, err
	}
	return proxyLayer(cfg, base, o)
}

// proxyLayer wraps base with the proxy credential of cfg, if any. Hosts from
// WithHosts without a scheme take the endpoint's, as they do for the bearer
// token.
func proxyLayer(cfg *config.Platform, base http.RoundTripper, o options) (http.RoundTripper, error) {
	ep, err := config.ParseEndpoint(cfg.Endpoint, cfg.Insecure)
	if err != nil {
		return nil, configError(err, "")
	}
	hosts := make([]string, 0, len(o.hosts)+1)
	for _, h := range o.hosts {
		if !strings.Contains(h, "://") {
			h = ep.Scheme + "://" + strings.TrimPrefix(h, "dns:///")
		}
		if _, err := config.ParseEndpoint(h, false); err != nil {
			return nil, configError(err, "invalid host in WithHosts")
		}
		hosts = append(hosts, h)
	}
	popts := []proxyauth.Option{proxyauth.WithHosts(hosts...), proxyauth.WithClock(o.now)}
	var cred *proxyauth.Credential
	if o.proxySource != nil {
		cred = proxyauth.NewCredential(o.proxySource, append(popts, proxyauth.WithHosts(ep.URL()))...)
	} else if cred, err = proxyauth.New(cfg, popts...); err != nil {
		return nil, err
	}
	if cred == nil {
		return base, nil
	}
	return proxyauth.Wrap(base, cred), nil
}
