package authtest

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Routes served besides the AuthMetadataService and the protected service.
const (
	tokenPath        = "/oauth2/token"
	authorizePath    = "/oauth2/authorize"
	deviceAuthPath   = "/oauth2/device/auth"
	deviceVerifyPath = "/oauth2/device"
	jwksPath         = "/oauth2/jwks"
	commandTokenPath = "/authtest/command-token"
	proxyTokenPath   = "/authtest/proxy-token"
	echoPath         = "/api/v1/echo"
)

// Server is a fake Flyte server listening on a loopback port. Its methods
// are safe for concurrent use.
type Server struct {
	set      settings
	tokens   *tokenStore
	codes    codeStore
	devices  deviceStore
	knobs    knobs
	stalls   stalls
	counters counters
	grants   map[string]http.HandlerFunc // token endpoint handlers by grant_type

	clientID, clientSecret string

	httpServer *http.Server
	endpoint   string
	url        string
	pki        *pki // nil with h2c
	dir        string
	caFile     string
	client     *http.Client

	closeOnce sync.Once
}

// New starts a server (see [Start]) and stops it with tb.Cleanup. It fails
// the test if the server cannot start.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start starts a server on 127.0.0.1 at a free port: TLS with a fresh
// self-signed CA (HTTP/1.1 and HTTP/2), or cleartext HTTP/1.1 and h2c with
// [WithH2C]. It is [New] for programs; the caller must call [Server.Close].
func Start(opts ...Option) (*Server, error) {
	set := defaultSettings()
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&set)
		}
	}
	if err := set.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		set:          set,
		tokens:       newTokenStore(set.now, set.tokenTTL),
		clientID:     "authtest-" + strings.ToLower(rand.Text()[:12]),
		clientSecret: newClientSecret(),
	}
	s.grants = map[string]http.HandlerFunc{
		"client_credentials": s.clientCredentialsGrant,
		"authorization_code": s.authorizationCodeGrant,
		"refresh_token":      s.refreshTokenGrant,
	}
	if !set.noDeviceFlow {
		s.grants[deviceCodeGrantType] = s.deviceCodeGrant
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("authtest: listen: %w", err)
	}
	s.endpoint = ln.Addr().String()

	var serverProtocols, clientProtocols http.Protocols
	serverProtocols.SetHTTP1(true)
	transport := &http.Transport{
		Proxy:             nil, // loopback only, whatever the environment says
		ForceAttemptHTTP2: true,
		Protocols:         &clientProtocols,
	}
	s.httpServer = &http.Server{
		Handler:           s.routes(),
		Protocols:         &serverProtocols,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // handshake noise from tests that fail TLS on purpose
	}

	if set.h2c {
		serverProtocols.SetUnencryptedHTTP2(true)
		clientProtocols.SetUnencryptedHTTP2(true)
		s.url = "http://" + s.endpoint
		s.client = &http.Client{Transport: transport}
		go s.httpServer.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
		return s, nil
	}

	if err := s.setUpTLS(); err != nil {
		ln.Close()
		return nil, err
	}
	serverProtocols.SetHTTP2(true)
	clientProtocols.SetHTTP1(true)
	clientProtocols.SetHTTP2(true)
	s.httpServer.TLSConfig = &tls.Config{
		Certificates: []tls.Certificate{s.pki.tlsCrt},
		MinVersion:   tls.VersionTLS12,
	}
	transport.TLSClientConfig = &tls.Config{RootCAs: s.pki.pool, MinVersion: tls.VersionTLS12}
	s.url = "https://" + s.endpoint
	s.client = &http.Client{Transport: transport}
	go s.httpServer.ServeTLS(ln, "", "") //nolint:errcheck // returns ErrServerClosed on Close
	return s, nil
}

func (set *settings) validate() error {
	switch {
	case set.tokenTTL <= 0:
		return fmt.Errorf("authtest: token TTL %v is not positive", set.tokenTTL)
	case set.authKey == "":
		return errors.New("authtest: empty authorization metadata key")
	case set.proxyStatus < 100 || set.proxyStatus > 599:
		return fmt.Errorf("authtest: proxy reject status %d is not an HTTP status", set.proxyStatus)
	case set.deviceInterval < 0:
		return fmt.Errorf("authtest: device polling interval %v is negative", set.deviceInterval)
	}
	return nil
}

// setUpTLS makes the certificates and writes the CA to a private temporary
// directory.
func (s *Server) setUpTLS() error {
	p, err := newPKI(time.Now())
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "authtest-")
	if err != nil {
		return fmt.Errorf("authtest: temporary directory: %w", err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, p.caPEM, 0o600); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("authtest: write CA file: %w", err)
	}
	s.pki, s.dir, s.caFile = p, dir, caFile
	return nil
}

// newClientSecret returns a random secret that includes characters a client
// must form-encode in HTTP Basic credentials (RFC 6749 section 2.3.1), so
// clients that skip the encoding fail against this server.
func newClientSecret() string {
	return rand.Text() + "+/:" + rand.Text()
}

// Close stops the server, closes its connections (in-flight calls fail) and
// removes the CA file. It is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.httpServer.Close()
		s.client.CloseIdleConnections()
		if s.dir != "" {
			os.RemoveAll(s.dir)
		}
	})
}

// URL returns the base URL, "https://127.0.0.1:PORT" or, with [WithH2C],
// "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.url }

// Endpoint returns "127.0.0.1:PORT", the form Flyte configs use.
func (s *Server) Endpoint() string { return s.endpoint }

// CAFile returns the path of the PEM file holding the CA certificate, or ""
// with [WithH2C]. The file is removed by [Server.Close].
func (s *Server) CAFile() string { return s.caFile }

// CertPool returns a pool holding only the CA certificate, or nil with
// [WithH2C].
func (s *Server) CertPool() *x509.CertPool {
	if s.pki == nil {
		return nil
	}
	return s.pki.pool.Clone()
}

// Certificate returns the server's leaf certificate, or nil with [WithH2C].
func (s *Server) Certificate() *x509.Certificate {
	if s.pki == nil {
		return nil
	}
	return s.pki.leaf
}

// HTTPClient returns a plain client for direct checks: it trusts the CA and
// speaks HTTP/2 (over TLS, or h2c with prior knowledge). It adds no
// credentials. The same client is returned on every call.
func (s *Server) HTTPClient() *http.Client { return s.client }

// ClientID returns the id of the confidential client the token endpoint
// accepts for the client_credentials grant. It may use the interactive
// grants too, like the public client "flytectl" of the public client config.
func (s *Server) ClientID() string { return s.clientID }

// ClientSecret returns the secret of [Server.ClientID]: random per server.
// It includes characters that need form-encoding in HTTP Basic credentials.
func (s *Server) ClientSecret() string { return s.clientSecret }

// TokenURL returns the token endpoint, URL()+"/oauth2/token".
func (s *Server) TokenURL() string { return s.url + tokenPath }

// CommandTokenURL returns a URL whose GET answers a fresh access token as
// text/plain, for fake token commands. It is not behind the proxy check.
// Each hit counts in Counters.CommandTokens.
func (s *Server) CommandTokenURL() string { return s.url + commandTokenPath }

// ProxyTokenURL returns a URL whose GET answers a fresh proxy token as
// text/plain, for fake proxy commands. It is not behind the proxy check.
// Each hit counts in Counters.ProxyTokens.
func (s *Server) ProxyTokenURL() string { return s.url + proxyTokenPath }

// IssueToken mints a valid access token without any request; it counts in
// no counter.
func (s *Server) IssueToken() string { return s.tokens.issueAccess() }

// IssueProxyToken mints a valid proxy token without any request; it counts
// in no counter.
func (s *Server) IssueProxyToken() string { return s.tokens.issueProxy() }

// routes assembles the handler: every route sits behind the proxy check.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.handleMetadata(mux)
	s.handleTokens(mux)
	s.handleInteractive(mux)
	mux.Handle("/"+TestServiceName+"/", s.trailersOnly(s.testService()))
	mux.Handle(GetVersionProcedure, s.trailersOnly(s.adminService()))
	mux.HandleFunc("GET "+echoPath, s.echo)
	mux.HandleFunc("POST "+echoPath, s.echo)
	mux.HandleFunc("GET "+VersionPath, s.version)
	return s.stallCheck(s.proxyCheck(s.countMetadata(mux)))
}
