package transport

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// Base returns the base transport for cfg (flytekit's get_channel): HTTP/2
// over TLS with HTTP/1.1 fallback, or, with cfg.Insecure, cleartext HTTP/2
// (h2c, prior knowledge) for http:// URLs so gRPC works without TLS — https
// URLs (an IdP's token endpoint) still get TLS. TLS trusts the system roots
// plus cfg.CACertFilePath; cfg.InsecureSkipVerify trusts the certificate of
// the endpoint's host:port on first use and pins it (see [BootstrapTLS]),
// and verifies every other host as usual. Requests go
// through cfg.HTTPProxyURL, else HTTPS_PROXY/NO_PROXY.
//
// Mistakes (an unreadable CA file, a malformed proxy URL) are *errs.Error
// values with code InvalidArgument.
func Base(cfg *config.Platform, opts ...BaseOption) (http.RoundTripper, error) {
	sc, err := parseConfig(cfg, false)
	if err != nil {
		return nil, err
	}
	return newBase(sc, collectBase(opts))
}

func newBase(sc *stackConfig, o baseOptions) (http.RoundTripper, error) {
	cfg, ep := sc.cfg, sc.ep
	proxy, err := proxyFunc(cfg.HTTPProxyURL)
	if err != nil {
		return nil, err
	}
	tlsConf, err := tlsConfig(cfg, o)
	if err != nil {
		return nil, err
	}
	dial := o.dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: o.dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	newTransport := func(p *http.Protocols, tlsConf *tls.Config) *http.Transport {
		return &http.Transport{
			Proxy:                 proxy,
			DialContext:           dial,
			TLSClientConfig:       tlsConf.Clone(),
			TLSHandshakeTimeout:   o.tlsHandshakeTimeout,
			ResponseHeaderTimeout: o.responseHeaderTimeout,
			MaxIdleConnsPerHost:   64,
			IdleConnTimeout:       max(o.idleConnTimeout, 0),
			ExpectContinueTimeout: time.Second,
			Protocols:             p,
			HTTP2: &http.HTTP2Config{
				SendPingTimeout: o.pingInterval,
				PingTimeout:     o.pingTimeout,
			},
		}
	}
	secure := new(http.Protocols)
	secure.SetHTTP1(true)
	secure.SetHTTP2(true)
	verified := newTransport(secure, tlsConf)
	var tlsTransport http.RoundTripper = verified
	if cfg.InsecureSkipVerify {
		tlsTransport = &pinRouter{authority: ep.Authority(), endpoint: config.CanonicalHost(ep.Authority(), ep.Scheme), pinned: newTransport(secure, pinConfig(tlsConf)), verified: verified}
	}
	if !cfg.Insecure {
		return tlsTransport, nil
	}
	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	return &schemeRouter{cleartext: newTransport(h2c, tlsConf), tls: tlsTransport}, nil
}

// schemeRouter sends http:// requests over h2c and https:// over TLS.
type schemeRouter struct {
	cleartext *http.Transport
	tls       http.RoundTripper // *http.Transport or *pinRouter
}

func (s *schemeRouter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" {
		return s.cleartext.RoundTrip(req)
	}
	return s.tls.RoundTrip(req)
}

func (s *schemeRouter) CloseIdleConnections() {
	s.cleartext.CloseIdleConnections()
	s.tls.(interface{ CloseIdleConnections() }).CloseIdleConnections()
}

// ProxyFor returns the HTTP proxy that [Base] for cfg sends req through —
// cfg.HTTPProxyURL, else what HTTPS_PROXY, HTTP_PROXY and NO_PROXY select —
// or nil when req goes direct. Diagnostics use it to name the hop they
// observe; it is the base transport's own selection.
func ProxyFor(cfg *config.Platform, req *http.Request) (*url.URL, error) {
	if cfg == nil {
		return nil, configError(nil, "nil configuration")
	}
	proxy, err := proxyFunc(cfg.HTTPProxyURL)
	if err != nil {
		return nil, err
	}
	return proxy(req)
}

// proxyFunc returns the proxy selection: the configured URL for every
// request, or the environment's HTTPS_PROXY/HTTP_PROXY/NO_PROXY.
func proxyFunc(raw string) (func(*http.Request) (*url.URL, error), error) {
	if raw == "" {
		return http.ProxyFromEnvironment, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
		return nil, configError(&config.FieldError{Key: "httpProxyURL", Reason: "malformed (want http://host:port)"}, "")
	}
	return http.ProxyURL(u), nil
}

func configError(err error, msg string) error {
	if msg == "" {
		msg = "invalid configuration"
	}
	return &errs.Error{Code: errs.InvalidArgument, Op: "transport", Message: msg, Err: err}
}
