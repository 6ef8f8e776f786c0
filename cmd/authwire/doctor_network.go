package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
)

// maxShownAddrs bounds the addresses the dns verdict lists.
const maxShownAddrs = 4

// target returns the host and port TCP connects to: the endpoint's, or the
// proxy's, and what to call it in messages.
func (d *doctor) target() (host, port, what string) {
	if d.proxy != nil {
		h, p, _ := net.SplitHostPort(d.proxy.hostPort())
		return h, p, "the HTTP proxy " + d.proxy.String()
	}
	h, p, _ := net.SplitHostPort(d.ep.HostPort())
	return h, p, "the endpoint"
}

// checkDNS resolves the host TCP will connect to.
func (d *doctor) checkDNS(ctx context.Context) step {
	host, port, what := d.target()
	prefix := ""
	if d.proxy != nil {
		prefix = "requests go through " + what + "; "
	}
	if net.ParseIP(host) != nil {
		d.addrs = []string{net.JoinHostPort(host, port)}
		return passed("%s%s is an IP address; nothing to resolve", prefix, host)
	}
	ips, err := d.c.lookupHost(ctx, host)
	if err != nil {
		hint := "check the host name in endpoint"
		if d.proxy != nil {
			hint = "check the proxy's host in " + d.proxy.source
		}
		var de *net.DNSError
		if errors.As(err, &de) && de.IsTimeout {
			hint = "the DNS server did not answer in time: check the network connection (VPN?)"
		}
		return failedErr(hint, fmt.Errorf("%scannot resolve %s: %w", prefix, host, err))
	}
	d.addrs = d.addrs[:0]
	for _, ip := range ips {
		d.addrs = append(d.addrs, net.JoinHostPort(ip, port))
	}
	shown := ips
	if len(shown) > maxShownAddrs {
		shown = append(shown[:maxShownAddrs:maxShownAddrs], "…")
	}
	return passed("%s%s resolves to %s", prefix, host, strings.Join(shown, ", "))
}

// checkTCP connects to the first address that answers, and through a proxy
// asks it for a tunnel to the endpoint.
func (d *doctor) checkTCP(ctx context.Context) step {
	_, _, what := d.target()
	var dialer net.Dialer
	var lastErr error
	var conn net.Conn
	for _, a := range d.addrs {
		c, err := dialer.DialContext(ctx, "tcp", a)
		if err == nil {
			d.addr, conn = a, c
			break
		}
		lastErr = err
	}
	if conn == nil {
		return d.tcpFailure(what, lastErr)
	}
	if d.proxy == nil {
		conn.Close()
		return passed("connected to %s", d.addr)
	}
	if !d.proxy.tunnels() {
		conn.Close()
		return passed("connected to %s at %s", what, d.addr)
	}
	tunnel, err := d.proxy.tunnel(ctx, conn, d.ep.HostPort())
	if err != nil {
		return d.tunnelFailure(err)
	}
	tunnel.Close()
	return passed("connected to %s at %s; it opened a tunnel to %s", what, d.addr, d.ep.HostPort())
}

func (d *doctor) tcpFailure(what string, err error) step {
	setting := "endpoint"
	if d.proxy != nil {
		setting = d.proxy.source
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return failed("check the port in "+setting+" (https defaults to 443), and that the server runs",
			"%s refused the connection: nothing listens on %s", what, d.addrs[len(d.addrs)-1])
	case errors.As(err, &ne) && ne.Timeout():
		return failed("a firewall may drop the connection, or the host is down: check "+setting+" and the network (VPN?)",
			"no answer from %s within %s", what, d.timeout)
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return failed("check the network route to the host (VPN?)", "%s is unreachable: %v", what, err)
	}
	return failedErr("", fmt.Errorf("cannot connect to %s: %w", what, err))
}

func (d *doctor) tunnelFailure(err error) step {
	var pe *proxyStatusError
	if errors.As(err, &pe) {
		switch pe.code {
		case http.StatusProxyAuthRequired:
			return failed("the HTTP proxy wants credentials: put them in the proxy URL of "+d.proxy.source+" (http://user:password@host:port)", "%v", err)
		case http.StatusForbidden:
			return failed("the HTTP proxy does not allow this destination: ask its operator, or add the host to NO_PROXY if it is reachable directly", "%v", err)
		}
	}
	return failedErr("check "+d.proxy.source, err)
}

// dial connects to the endpoint the way the base transport does: directly
// or through the proxy's tunnel, to the address checkTCP reached.
func (d *doctor) dial(ctx context.Context) (net.Conn, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", d.addr)
	if err != nil {
		return nil, err
	}
	if d.proxy != nil {
		return d.proxy.tunnel(ctx, conn, d.ep.HostPort())
	}
	return conn, nil
}

// checkTLS performs the handshake with the trust the stack would use: the
// system roots plus caCertFilePath, or none with insecureSkipVerify.
func (d *doctor) checkTLS(ctx context.Context) step {
	if d.ep.Scheme == "http" {
		if d.cfg.Insecure {
			return skipped("insecure: true sends cleartext HTTP/2 (h2c); no TLS")
		}
		return skipped("the endpoint is an http:// URL; no TLS")
	}
	if d.proxy != nil && !d.proxy.tunnels() {
		return skipped("not checked through %s", d.proxy)
	}
	conf, err := d.tlsConfig()
	if err != nil {
		return failedErr("", err)
	}
	conn, err := d.dial(ctx)
	if err != nil {
		return failedErr("", err)
	}
	tc := tls.Client(conn, conf)
	defer tc.Close()
	if err := tc.HandshakeContext(ctx); err != nil {
		return d.tlsFailure(err)
	}
	cs := tc.ConnectionState()
	d.alpn = cs.NegotiatedProtocol
	leaf := cs.PeerCertificates[0]
	trust := "verified against the system roots"
	switch {
	case d.cfg.InsecureSkipVerify:
		trust = "not verified: insecureSkipVerify trusts it on first use and pins it"
	case d.cfg.CACertFilePath != "":
		trust = "verified against the system roots and caCertFilePath"
	}
	return passed("%s; certificate for %s issued by %q, %s", tls.VersionName(cs.Version), certNames(leaf), issuerName(leaf), trust)
}

func (d *doctor) tlsConfig() (*tls.Config, error) {
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if path := d.cfg.CACertFilePath; path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("caCertFilePath: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("caCertFilePath %s holds no PEM certificate", path)
		}
	}
	return &tls.Config{
		ServerName:         d.ep.Host,
		RootCAs:            roots,
		NextProtos:         []string{"h2", "http/1.1"},
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: d.cfg.InsecureSkipVerify, //nolint:gosec // the configuration asks for trust on first use
	}, nil
}

// tlsFailure says why a handshake failed and what to set.
func (d *doctor) tlsFailure(err error) step {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
	)
	host := d.ep.Host
	switch {
	case errors.As(err, &unknown):
		issuer := "an unknown issuer"
		if unknown.Cert != nil {
			issuer = fmt.Sprintf("%q", issuerName(unknown.Cert))
		}
		hint := "set caCertFilePath to a PEM file holding the CA that issued it, or insecureSkipVerify: true to trust the certificate on first use"
		if d.cfg.CACertFilePath != "" {
			hint = "caCertFilePath " + d.cfg.CACertFilePath + " does not hold the CA that issued it: point it at the right PEM file, or set insecureSkipVerify: true"
		}
		return failed(hint, "the certificate of %s is issued by %s, which is not trusted", host, issuer)
	case errors.As(err, &hostname):
		names := certNames(hostname.Certificate)
		return failed("use one of those names in endpoint, or have the certificate reissued to include "+host,
			"the certificate is for %s, not %s", names, host)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		c := invalid.Cert
		return failed("renew the server's certificate, or check this machine's clock",
			"the certificate is expired or not yet valid (valid from %s to %s)", c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"))
	case errors.As(err, &record):
		return failed("the endpoint speaks cleartext: set insecure: true to use h2c, or use the server's TLS port",
			"the server did not answer with TLS")
	case errors.As(err, &alert):
		return failed("the server may require a client certificate (mTLS), or a TLS version this client does not offer",
			"the server refused the TLS handshake: %v", err)
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET):
		return failed("the port may not speak TLS (if it serves cleartext HTTP/2, set insecure: true), or something in between drops the connection",
			"the server closed the connection during the TLS handshake")
	}
	return failedErr("", fmt.Errorf("TLS handshake: %w", err))
}

// checkHTTP2 checks the protocol gRPC needs: HTTP/2 negotiated over TLS, or
// with insecure, cleartext HTTP/2 with prior knowledge.
func (d *doctor) checkHTTP2(ctx context.Context) step {
	if d.ep.Scheme == "http" && !d.cfg.Insecure {
		return failed("set insecure: true to speak cleartext HTTP/2 (h2c), or use an https endpoint",
			"the endpoint is an http:// URL without insecure: true, so calls go as cleartext HTTP/1.1, which gRPC cannot use")
	}
	if d.ep.Scheme == "https" {
		if d.proxy != nil && !d.proxy.tunnels() {
			return skipped("not checked through %s", d.proxy)
		}
		const hint = "gRPC needs HTTP/2: enable it on the server or on the load balancer in front of it"
		switch d.alpn {
		case "h2":
			return passed("HTTP/2 negotiated over TLS (ALPN h2)")
		case "":
			return failed(hint, "the server did not offer HTTP/2 in the TLS handshake (no ALPN)")
		}
		return failed(hint, "the server chose %s instead of HTTP/2 in the TLS handshake", d.alpn)
	}
	if d.proxy != nil {
		return skipped("cleartext HTTP/2 through %s is not checked", d.proxy)
	}
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	t := &http.Transport{
		Protocols:   p,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return d.dial(ctx) },
	}
	defer t.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.st.baseURL+"/", nil)
	if err != nil {
		return failedErr("", err)
	}
	resp, err := t.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
		return passed("cleartext HTTP/2 (h2c) works: GET / answered HTTP %d", resp.StatusCode)
	}
	if d.speaksTLS(ctx) {
		return failed("set insecure: false (and caCertFilePath if the server's CA is private)",
			"the server speaks TLS on %s, but insecure: true sends cleartext HTTP/2", d.ep.HostPort())
	}
	return failed("serve cleartext HTTP/2 (h2c) on this port, or use the server's TLS port with insecure: false",
		"the server does not accept cleartext HTTP/2 with prior knowledge: %v", err)
}

// speaksTLS reports whether the endpoint completes a TLS handshake, trusted
// or not.
func (d *doctor) speaksTLS(ctx context.Context) bool {
	conn, err := d.dial(ctx)
	if err != nil {
		return false
	}
	tc := tls.Client(conn, &tls.Config{ServerName: d.ep.Host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // only asks whether TLS is spoken
	defer tc.Close()
	return tc.HandshakeContext(ctx) == nil
}

// certNames lists the names a certificate is valid for.
func certNames(c *x509.Certificate) string {
	if c == nil {
		return "no names"
	}
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName + " (no subject alternative names)"
	}
	return strings.Join(names, ", ")
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}
