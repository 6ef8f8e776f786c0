//go:build conformancegen

package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	conformancev1 "github.com/authwire/authwire/conformance/gen/connectrpc/conformance/v1"
	"github.com/authwire/authwire/proxyauth"
	"github.com/authwire/authwire/transport"
)

// stackKey is what distinguishes two authwire stacks: the server, how to
// reach it, and the credentials of the TLS handshake.
type stackKey struct {
	hostPort      string
	httpVersion   conformancev1.HTTPVersion
	serverCert    string
	clientCert    string
	clientCertKey string
}

// stack is one authwire *http.Client and the base URL of its server.
type stack struct {
	client  *http.Client
	baseURL string
}

// stacks builds one authwire stack per [stackKey], on first use, and shares
// it among the calls that need it, as an application shares one client. It
// is safe for concurrent use.
type stacks struct {
	wrap func(http.RoundTripper) http.RoundTripper // the -break layer, or nil

	mu sync.Mutex
	m  map[stackKey]*stack
}

func newStacks(wrap func(http.RoundTripper) http.RoundTripper) *stacks {
	return &stacks{wrap: wrap, m: map[stackKey]*stack{}}
}

// get returns the stack for req, building it on first use.
func (s *stacks) get(ctx context.Context, req *conformancev1.ClientCompatRequest) (*stack, error) {
	key := stackKey{
		hostPort:      net.JoinHostPort(req.GetHost(), strconv.Itoa(int(req.GetPort()))),
		httpVersion:   req.GetHttpVersion(),
		serverCert:    string(req.GetServerTlsCert()),
		clientCert:    string(req.GetClientTlsCreds().GetCert()),
		clientCertKey: string(req.GetClientTlsCreds().GetKey()),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.m[key]; ok {
		return st, nil
	}
	st, err := s.build(ctx, key)
	if err != nil {
		return nil, err
	}
	s.m[key] = st
	return st, nil
}

// build assembles authwire's full stack for key with transport.NewClient:
// the bearer layer with a static token and the proxy layer with a static
// proxy token (both random, and ignored by the reference server), over the
// base transport that the configuration implies, with a [contextProbe]
// between them.
func (s *stacks) build(ctx context.Context, key stackKey) (*stack, error) {
	switch key.httpVersion {
	case conformancev1.HTTPVersion_HTTP_VERSION_1, conformancev1.HTTPVersion_HTTP_VERSION_2:
	default:
		return nil, fmt.Errorf("client: unsupported HTTP version %v", key.httpVersion)
	}
	cfg := &config.Platform{Endpoint: key.hostPort, Insecure: key.serverCert == ""}
	baseOpts := []transport.BaseOption{transport.WithIdleConnTimeout(referenceIdleTimeout)}
	if !cfg.Insecure {
		// TLS: the base transport offers h2 and http/1.1 by ALPN, and the
		// reference server accepts only the version under test.
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM([]byte(key.serverCert)) {
			return nil, errors.New("client: server_tls_cert holds no PEM certificate")
		}
		baseOpts = append(baseOpts, transport.WithRootCAs(roots))
		if key.clientCert != "" || key.clientCertKey != "" {
			cert, err := tls.X509KeyPair([]byte(key.clientCert), []byte(key.clientCertKey))
			if err != nil {
				return nil, fmt.Errorf("client: client_tls_creds: %w", err)
			}
			baseOpts = append(baseOpts, transport.WithClientCertificate(cert))
		}
	}
	// The base is authwire's own, built from the same configuration and
	// base options as transport.NewClient would, under the context probe.
	var base http.RoundTripper
	if cfg.Insecure && key.httpVersion == conformancev1.HTTPVersion_HTTP_VERSION_1 {
		// insecure: true means h2c with prior knowledge, which an HTTP/1.1
		// server does not speak: cleartext HTTP/1.1 needs its own base.
		base = cleartextHTTP1()
	} else {
		var err error
		if base, err = transport.Base(cfg, baseOpts...); err != nil {
			return nil, err
		}
	}
	client, err := transport.NewClient(ctx, cfg,
		transport.WithBaseTransport(contextProbe{next: base}),
		transport.WithTokenSource(authn.StaticToken(randomToken())),
		transport.WithProxyTokenSource(proxyauth.Static(randomToken())),
		// The reference server has no AuthMetadataService to ask for the
		// token's header: say it here, as a user of such a server would.
		transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{AuthorizationMetadataKey: "authorization"})),
	)
	if err != nil {
		return nil, err
	}
	if s.wrap != nil {
		client.Transport = s.wrap(client.Transport)
	}
	baseURL, err := transport.BaseURL(cfg)
	if err != nil {
		return nil, err
	}
	return &stack{client: client, baseURL: baseURL}, nil
}

func (s *stacks) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.m {
		st.client.CloseIdleConnections()
	}
}

// referenceIdleTimeout keeps pooled connections below the reference
// server's idle limit, as a client of any server must: the reference server
// closes a connection that has carried no request 5 s after it was opened
// (its ReadHeaderTimeout covers the wait for the first request), and
// net/http can dial a connection that the call it was dialed for no longer
// needs and pool it unused. An HTTP/1.1 call handed that connection as the
// server closes it fails before a response, and a streaming call cannot be
// sent again.
const referenceIdleTimeout = 2 * time.Second

// cleartextHTTP1 is a base transport for http:// URLs that speaks HTTP/1.1
// only.
func cleartextHTTP1() *http.Transport {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	return &http.Transport{
		Protocols:           p,
		DialContext:         (&net.Dialer{Timeout: transport.DefaultDialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     referenceIdleTimeout,
	}
}

// randomToken returns a fresh credential, so that no fixed secret appears in
// the sources or the output.
func randomToken() string { return rand.Text() }
