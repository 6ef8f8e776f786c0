package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/authwire/authwire/config"
)

// httpProxy is the HTTP(S) proxy the base transport sends the endpoint's
// traffic through: httpProxyURL, else what http.ProxyFromEnvironment picks
// from HTTPS_PROXY / HTTP_PROXY and NO_PROXY, as the base transport does.
type httpProxy struct {
	url    *url.URL
	source string // what set it: "httpProxyURL", "HTTPS_PROXY", "HTTP_PROXY"
}

// findProxy returns the proxy for ep, or nil when requests go direct.
func findProxy(cfg *config.Platform, ep config.Endpoint) (*httpProxy, error) {
	if cfg.HTTPProxyURL != "" {
		u, err := url.Parse(cfg.HTTPProxyURL)
		if err != nil || u.Host == "" {
			return nil, &config.FieldError{Key: "httpProxyURL", Reason: "malformed (want http://host:port)"}
		}
		return &httpProxy{url: u, source: "httpProxyURL"}, nil
	}
	req, err := http.NewRequest(http.MethodGet, ep.URL(), nil)
	if err != nil {
		return nil, err
	}
	u, err := http.ProxyFromEnvironment(req)
	if err != nil {
		return nil, fmt.Errorf("proxy from the environment: %w", err)
	}
	if u == nil {
		return nil, nil
	}
	source := "HTTP_PROXY"
	if ep.Scheme == "https" {
		source = "HTTPS_PROXY"
	}
	return &httpProxy{url: u, source: source}, nil
}

// String names the proxy without its credentials.
func (p *httpProxy) String() string {
	return p.url.Scheme + "://" + p.hostPort() + " (" + p.source + ")"
}

// hostPort is the proxy's address, with the scheme's default port.
func (p *httpProxy) hostPort() string {
	if p.url.Port() != "" {
		return p.url.Host
	}
	port := map[string]string{"http": "80", "https": "443", "socks5": "1080"}[p.url.Scheme]
	return net.JoinHostPort(p.url.Hostname(), port)
}

// tunnels reports whether the doctor can open a CONNECT tunnel through the
// proxy (HTTP and HTTPS proxies; not SOCKS).
func (p *httpProxy) tunnels() bool {
	return p.url.Scheme == "http" || p.url.Scheme == "https"
}

// proxyStatusError is a proxy's refusal of a CONNECT.
type proxyStatusError struct {
	status string
	code   int
	target string
}

func (e *proxyStatusError) Error() string {
	return fmt.Sprintf("the HTTP proxy answered %s to CONNECT %s", e.status, e.target)
}

// tunnel asks the proxy, over conn, for a tunnel to target (host:port) and
// returns the connection to use from then on. conn is closed on failure.
func (p *httpProxy) tunnel(ctx context.Context, conn net.Conn, target string) (net.Conn, error) {
	if p.url.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: p.url.Hostname(), MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS handshake with the HTTP proxy: %w", err)
		}
		conn = tc
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: target}, Host: target, Header: http.Header{}}
	if u := p.url.User; u != nil {
		pw, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
	br := bufio.NewReader(conn)
	err := req.Write(conn)
	var resp *http.Response
	if err == nil {
		resp, err = http.ReadResponse(br, req)
	}
	if !stop() && err == nil {
		resp.Body.Close()
		err = ctx.Err()
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("CONNECT %s through the HTTP proxy: %w", target, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, &proxyStatusError{status: resp.Status, code: resp.StatusCode, target: target}
	}
	conn.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// bufferedConn reads what the proxy sent after its answer before the rest.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }
