package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/wire"
	"github.com/authwire/authwire/transport"
)

// maxShownAddrs bounds the addresses the dns verdict lists.
const maxShownAddrs = 4

// netTrace is what net/http/httptrace saw of one request through the base
// transport: the lookup, the connection attempts, the TLS handshake. The
// network steps read their verdicts from it.
type netTrace struct {
	mu       sync.Mutex
	dnsHost  string
	dnsAddrs []string
	dnsErr   error
	dnsDone  bool
	connects []connectAttempt
	tlsStart bool
	tlsDone  bool
	tlsState tls.ConnectionState
	tlsErr   error
}

// connectAttempt is one TCP connection attempt.
type connectAttempt struct {
	addr string
	err  error
	done bool
}

// hooks returns the trace hooks that record into t.
func (t *netTrace) hooks() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart: func(i httptrace.DNSStartInfo) { t.with(func() { t.dnsHost = i.Host }) },
		DNSDone: func(i httptrace.DNSDoneInfo) {
			t.with(func() {
				t.dnsDone, t.dnsErr = true, i.Err
				for _, a := range i.Addrs {
					t.dnsAddrs = append(t.dnsAddrs, a.String())
				}
			})
		},
		ConnectStart: func(_, addr string) {
			t.with(func() { t.connects = append(t.connects, connectAttempt{addr: addr}) })
		},
		ConnectDone: func(_, addr string, err error) {
			t.with(func() {
				for i := range t.connects {
					if c := &t.connects[i]; c.addr == addr && !c.done {
						c.done, c.err = true, err
						return
					}
				}
			})
		},
		TLSHandshakeStart: func() { t.with(func() { t.tlsStart = true }) },
		TLSHandshakeDone: func(cs tls.ConnectionState, err error) {
			t.with(func() { t.tlsDone, t.tlsState, t.tlsErr = true, cs, err })
		},
	}
}

func (t *netTrace) with(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f()
}

// connected returns the address of the connection that opened, if any.
func (t *netTrace) connected() (string, bool) {
	for _, c := range t.connects {
		if c.done && c.err == nil {
			return c.addr, true
		}
	}
	return "", false
}

// probe is the outcome of the traced request.
type probe struct {
	trace  netTrace
	proxy  *url.URL // the HTTP proxy the base transport chose, nil for none
	proto  string   // the response's protocol, "HTTP/2.0"
	status int
	err    error // the request's failure, as the stack's errs layer explains it
}

// runProbe sends GET <base URL>/ through a fresh base transport of the
// configuration (the stack's own TLS, proxy and dialer settings) and records
// what happened on the way. Any answer will do: the network steps only need
// the connection.
func (d *doctor) runProbe(ctx context.Context) *probe {
	p := &probe{}
	base, err := transport.Base(d.cfg, d.baseOptions()...)
	if err != nil {
		p.err = err
		return p
	}
	defer closeIdle(base)
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, p.trace.hooks()), http.MethodGet, d.baseURL+"/", nil)
	if err != nil {
		p.err = err
		return p
	}
	if p.proxy, err = transport.ProxyFor(d.cfg, req); err != nil {
		p.err = err
		return p
	}
	resp, err := base.RoundTrip(req) //nolint:bodyclose // wire.Drain closes it
	if err != nil {
		p.err = errs.FromTransportError(req, err)
		return p
	}
	wire.Drain(resp)
	p.proto, p.status = resp.Proto, resp.StatusCode
	return p
}

// via names the HTTP proxy in front of the endpoint for a verdict, or "".
func (p *probe) via() string {
	if p.proxy == nil {
		return ""
	}
	return "requests go through the HTTP proxy " + p.proxy.Redacted() + "; "
}

// checkDNS reports the lookup of the host the base transport connected to:
// the endpoint's, or the HTTP proxy's.
func (d *doctor) checkDNS(ctx context.Context) step {
	d.probe = d.runProbe(ctx)
	p := d.probe
	t := &p.trace
	host := d.ep.Host
	if p.proxy != nil {
		host = p.proxy.Hostname()
	}
	switch {
	case t.dnsDone && t.dnsErr != nil:
		return p.failed()
	case t.dnsDone:
		shown := t.dnsAddrs
		if len(shown) > maxShownAddrs {
			shown = append(shown[:maxShownAddrs:maxShownAddrs], "…")
		}
		return passed("%s%s resolves to %s", p.via(), t.dnsHost, strings.Join(shown, ", "))
	case net.ParseIP(host) != nil:
		return passed("%s%s is an IP address; nothing to resolve", p.via(), host)
	case len(t.connects) == 0 && p.err != nil:
		return p.failed()
	}
	return passed("%s%s resolved by the dialer", p.via(), host)
}

// checkTCP reports the connection, and through an HTTP proxy the tunnel.
func (d *doctor) checkTCP(context.Context) step {
	p := d.probe
	t := &p.trace
	addr, ok := t.connected()
	if !ok {
		return p.failed()
	}
	if p.proxy == nil {
		return passed("connected to %s", addr)
	}
	if d.ep.Scheme == "https" && !t.tlsStart && p.err != nil {
		s := p.failed()
		s.Detail = fmt.Sprintf("the HTTP proxy at %s did not open a tunnel to %s: %s", addr, d.ep.HostPort(), s.Detail)
		return s
	}
	if d.ep.Scheme == "https" {
		return passed("connected to the HTTP proxy at %s; it opened a tunnel to %s", addr, d.ep.HostPort())
	}
	return passed("connected to the HTTP proxy at %s", addr)
}

// checkTLS reports the handshake with the endpoint, with the trust the
// stack uses.
func (d *doctor) checkTLS(context.Context) step {
	if d.ep.Scheme == "http" {
		if d.cfg.Insecure {
			return skipped("insecure: true sends cleartext HTTP/2 (h2c); no TLS")
		}
		return skipped("the endpoint is an http:// URL; no TLS")
	}
	p := d.probe
	t := &p.trace
	if !t.tlsDone || t.tlsErr != nil {
		return p.failed()
	}
	cs := t.tlsState
	trust := "verified against the system roots"
	switch {
	case d.cfg.InsecureSkipVerify:
		trust = "not verified: insecureSkipVerify trusts it on first use and pins it"
	case d.cfg.CACertFilePath != "":
		trust = "verified against the system roots and caCertFilePath"
	}
	issuer := "an unknown issuer"
	if len(cs.PeerCertificates) > 0 {
		c := cs.PeerCertificates[0]
		issuer = fmt.Sprintf("%q", c.Issuer.CommonName)
		if c.Issuer.CommonName == "" {
			issuer = fmt.Sprintf("%q", c.Issuer.String())
		}
	}
	return passed("%s; certificate issued by %s, %s", tls.VersionName(cs.Version), issuer, trust)
}

// checkHTTP2 reports the protocol gRPC needs: HTTP/2 negotiated over TLS,
// or with insecure, cleartext HTTP/2 with prior knowledge.
func (d *doctor) checkHTTP2(context.Context) step {
	if d.ep.Scheme == "http" && !d.cfg.Insecure {
		return failed("set insecure: true to speak cleartext HTTP/2 (h2c), or use an https endpoint",
			"the endpoint is an http:// URL without insecure: true, so calls go as cleartext HTTP/1.1, which gRPC cannot use")
	}
	p := d.probe
	if p.err != nil && d.ep.Scheme == "http" {
		// How the refusal shows (EOF, a failed preface) varies from run to
		// run; the stack's hint does not.
		s := p.failed()
		s.Detail = "the server does not accept cleartext HTTP/2 (h2c) with prior knowledge"
		return s
	}
	if p.err != nil {
		return p.failed()
	}
	if d.ep.Scheme == "https" {
		if alpn := p.trace.tlsState.NegotiatedProtocol; alpn != "h2" {
			if alpn == "" {
				alpn = "no protocol"
			}
			return failed("gRPC needs HTTP/2: enable it on the server or on the load balancer in front of it",
				"the server chose %s instead of HTTP/2 in the TLS handshake", alpn)
		}
		return passed("HTTP/2 negotiated over TLS (ALPN h2); GET / answered HTTP %d", p.status)
	}
	if p.proto != "HTTP/2.0" {
		return failed("serve cleartext HTTP/2 (h2c) on this port, or use the server's TLS port with insecure: false",
			"the server answered in %s, not cleartext HTTP/2", p.proto)
	}
	return passed("cleartext HTTP/2 (h2c) works: GET / answered HTTP %d", p.status)
}

// failed is the failed step for the probe's error: the stack's message for
// it, the underlying cause, and the stack's hint.
func (p *probe) failed() step {
	err := p.err
	if err == nil {
		return failed("", "the request failed before any network step")
	}
	e, ok := errors.AsType[*errs.Error](err)
	if !ok || e.Message == "" {
		return failedErr("", err)
	}
	detail := e.Message
	if cause := rootCause(err); cause != nil && !strings.Contains(detail, cause.Error()) {
		detail += ": " + cause.Error()
	}
	return step{Detail: detail, Hint: e.Hint}
}

// rootCause is the innermost error of err's chain.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
