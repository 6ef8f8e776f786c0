package matrix_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

// A transportKind is how the stack reaches the server.
type transportKind struct {
	name   string
	server []authtest.Option
	apply  func(cfg *config.Platform, srv *authtest.Server)
}

var transports = []transportKind{
	{name: "tls-ca", apply: func(cfg *config.Platform, srv *authtest.Server) { cfg.CACertFilePath = srv.CAFile() }},
	{name: "tls-bootstrap", apply: func(cfg *config.Platform, _ *authtest.Server) { cfg.InsecureSkipVerify = true }},
	{name: "h2c", server: []authtest.Option{authtest.WithH2C()}, apply: func(cfg *config.Platform, _ *authtest.Server) { cfg.Insecure = true }},
}

// An authKind is the configured authentication.
type authKind string

const (
	authSecret  authKind = "client-secret"    // authType ClientSecret
	authCommand authKind = "external-command" // authType ExternalCommand
	authNone    authKind = "none"             // authType None against a sandbox (anonymous) server
	authLazy    authKind = "lazy"             // authType unset, a client secret configured, the server requires tokens
	authPKCE    authKind = "pkce"             // authType Pkce, the login completed by a scripted browser
	authDevice  authKind = "device"           // authType DeviceFlow, approved at the first poll
)

var auths = []authKind{authSecret, authCommand, authNone, authLazy, authPKCE, authDevice}

// interactive reports whether a is a login flow (tokens from a login, then
// refreshed with the refresh token).
func (a authKind) interactive() bool { return a == authPKCE || a == authDevice }

// A proxyKind is the authenticating proxy in front of the server and the
// proxy command that satisfies it.
type proxyKind struct {
	name   string
	on     bool
	server []authtest.Option
}

var proxies = []proxyKind{
	{name: "no-proxy"},
	{name: "proxy-407", on: true, server: []authtest.Option{authtest.WithProxyAuth()}},
	{name: "proxy-iap-401", on: true, server: []authtest.Option{authtest.WithProxyRejectStatus(http.StatusUnauthorized)}},
}

// A backendKind is the generation of Flyte server: flyteadmin's
// AuthMetadataService (flyteidl.service, with REST routes) or Flyte 2's
// (flyteidl2.auth only). The configuration is the same for both.
type backendKind struct {
	name   string
	server []authtest.Option
	all    bool // every row; otherwise only rows over tls-ca, which is where the generations differ
}

var backends = []backendKind{
	{name: "flyte1", all: true},
	{name: "flyte2", server: []authtest.Option{authtest.WithFlyte2()}},
}

// A row is one combination of the dimensions.
type row struct {
	backend backendKind
	proto   protocol
	version string // connect-go major version; "" for REST
	call    callKind
	tr      transportKind
	auth    authKind
	proxy   proxyKind
}

func (r row) String() string {
	name := r.proto.name
	if r.version != "" {
		name += "-" + r.version
	}
	return fmt.Sprintf("%s/%s/%s/%s/%s/%s", r.backend.name, name, r.call.name, r.tr.name, r.auth, r.proxy.name)
}

// rows lists every combination: every row for Flyte 1, and for Flyte 2
// every row over TLS with a CA file (the transport does not depend on the
// backend; the metadata discovery does). The connect-version axis runs on
// Flyte 1 over TLS with a CA file: what it checks (the codes of the stack's
// own errors, the interceptors, replays) depends neither on the backend nor
// on the transport.
func rows() []row {
	var out []row
	for _, b := range backends {
		for _, p := range protocols {
			for _, v := range versionsOf(b, p) {
				for _, c := range callsOf(p) {
					for _, tr := range transports {
						if (!b.all || v == "v2") && tr.name != "tls-ca" {
							continue
						}
						for _, a := range auths {
							for _, px := range proxies {
								out = append(out, row{backend: b, proto: p, version: v, call: c, tr: tr, auth: a, proxy: px})
							}
						}
					}
				}
			}
		}
	}
	return out
}

// versionsOf is the connect-version axis of p's rows on b: none for REST,
// both versions on Flyte 1, v1 on Flyte 2.
func versionsOf(b backendKind, p protocol) []string {
	switch {
	case p.rest:
		return []string{""}
	case !b.all:
		return connectVersions[:1]
	}
	return connectVersions
}

// counts is what a case observes on the server, as deltas over the
// measured part of the scenario.
type counts struct {
	Attempts      int64 // calls that reached the protected service
	TokenRequests int64 // token endpoint hits
	CommandRuns   int64 // external token command runs
	ProxyRuns     int64 // proxy command runs
	ProxyRejected int64 // requests the proxy turned away
	Metadata      int64 // AuthMetadataService calls, RPC and REST
	Logins        int64 // authorization and device authorization requests
}

func countsOf(c authtest.Counters) counts {
	return counts{
		Attempts:      c.Attempts,
		TokenRequests: c.TokenRequests,
		CommandRuns:   c.CommandTokens,
		ProxyRuns:     c.ProxyTokens,
		ProxyRejected: c.ProxyRejected,
		Metadata:      c.GetOAuth2Metadata + c.GetPublicClientConfig + c.WellKnown + c.FlyteClient,
		Logins:        c.Authorizations + c.DeviceAuthorizations,
	}
}

// env is one case's server and stack.
type env struct {
	t    *testing.T
	row  row
	srv  *authtest.Server
	cfg  *config.Platform
	http *http.Client
	rpc  *authtest.TestClient
	// rpcV2 is the connect-go v2 client of v2 rows; nil otherwise.
	rpcV2 *authtest.TestClientV2

	mu     sync.Mutex
	errors []string // what the measured calls failed with, for the report
}

// newEnv starts the server for r (with extra options) and writes the
// configuration a user would write for it. The stack is built by connect.
func newEnv(t *testing.T, r row, authRequired bool) *env {
	t.Helper()
	var opts []authtest.Option
	opts = append(opts, r.backend.server...)
	opts = append(opts, r.proto.server...)
	opts = append(opts, r.tr.server...)
	opts = append(opts, r.proxy.server...)
	if r.auth == authNone && !authRequired {
		opts = append(opts, authtest.WithAnonymous())
	}
	if r.auth == authPKCE {
		opts = append(opts, authtest.WithRedirectURI("http://127.0.0.1:0/callback"))
	}
	srv := authtest.New(t, opts...)
	cfg := &config.Platform{
		Endpoint:        srv.Endpoint(),
		MaxRetries:      3,
		MaxBackoffDelay: 2 * time.Millisecond, // retries must not slow the matrix down
	}
	r.tr.apply(cfg, srv)
	switch r.auth {
	case authSecret, authLazy:
		cfg.AuthType = config.AuthClientSecret
		if r.auth == authLazy {
			cfg.AuthType = config.AuthUnset
		}
		cfg.ClientID, cfg.ClientSecret = srv.ClientID(), srv.ClientSecret()
	case authCommand:
		cfg.AuthType = config.AuthExternalCommand
		cfg.Command = fetchCommand(srv.CommandTokenURL(), srv.CAFile())
	case authNone:
		cfg.AuthType = config.AuthNone
	case authPKCE:
		cfg.AuthType = config.AuthPKCE
		cfg.PKCE.Timeout = 30 * time.Second
	case authDevice:
		cfg.AuthType = config.AuthDeviceFlow
		cfg.DeviceFlow.PollInterval = time.Millisecond
		cfg.DeviceFlow.Timeout = 30 * time.Second
	}
	if r.proxy.on {
		cfg.ProxyCommand = fetchCommand(srv.ProxyTokenURL(), srv.CAFile())
	}
	return &env{t: t, row: r, srv: srv, cfg: cfg}
}

// connect builds the stack from the configuration.
func (e *env) connect() {
	e.t.Helper()
	c, err := transport.NewClient(e.t.Context(), e.cfg, transport.WithAuthnOptions(
		authn.WithTokenStore(authn.NewMemoryTokenStore()), // never the user's keyring
		authn.WithPrompt(io.Discard),
		authn.WithBrowser(e.browse),
	))
	if err != nil {
		e.t.Fatalf("transport.NewClient: %v", err)
	}
	e.t.Cleanup(c.CloseIdleConnections)
	e.http = c
	e.rpc = authtest.NewTestClient(c, e.srv.URL(), e.row.proto.client...)
	if e.row.version == "v2" {
		e.rpcV2 = authtest.NewTestClientV2(c, e.srv.URL(), e.row.proto.clientV2, transport.InterceptorV2())
	}
}

// browse is the user's browser for PKCE logins: it opens the login URL and
// follows the redirect to the stack's loopback callback. Behind the proxy it
// carries a proxy token, as a browser that went through the proxy's own
// login would.
func (e *env) browse(ctx context.Context, loginURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loginURL, nil)
	if err != nil {
		return err
	}
	if e.row.proxy.on {
		req.Header.Set("Proxy-Authorization", "Bearer "+e.srv.IssueProxyToken())
	}
	tlsConf := &tls.Config{RootCAs: e.srv.CertPool(), MinVersion: tls.VersionTLS12}
	// The stack may finish the login (and the test) as soon as the callback
	// has the code, so failures here show in the outcome, not as t.Errorf.
	tr := &http.Transport{Proxy: nil, TLSClientConfig: tlsConf}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// call makes one call of the row's kind.
func (e *env) call() error { return e.row.call.do(e.t.Context(), e) }

// mustCall makes one call that must succeed.
func (e *env) mustCall() {
	e.t.Helper()
	if err := e.call(); err != nil {
		e.t.Fatalf("%s call: %v", e.row.call.name, err)
	}
}

// TestMatrix runs every scenario on every row it applies to and checks the
// counters and the outcome it predicts.
func TestMatrix(t *testing.T) {
	t.Parallel()
	all := rows()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, r := range all {
				if sc.applies != nil && !sc.applies(r) || r.version == "v2" && !sc.versioned {
					continue
				}
				t.Run(r.String(), func(t *testing.T) {
					t.Parallel()
					e := newEnv(t, r, sc.authRequired)
					got := sc.run(e)
					want := sc.want(r)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("outcome (-want +got):\n%s\nerrors: %q", diff, e.errors)
					}
				})
			}
		})
	}
}
