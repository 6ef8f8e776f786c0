package transport_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

// The fault suite for where credentials may go: redirects at every hop that
// carries one (token, device, authorization code exchange, refresh,
// metadata, proxy), and an identity provider on an IP literal under
// insecureSkipVerify. Each case asserts that no credential reached a host
// it was not meant for, that the error names what to change, and that no
// goroutine outlives the case.

// Credentials of the fault cases; none may appear where it does not belong.
const (
	faultSecret  = "client-s3cr3t"
	faultRefresh = "rt-s3cr3t"
	faultProxy   = "proxy-s3cr3t"
	faultCode    = "code-s3cr3t"
)

// noLeaks registers, first, a check that runs after every other cleanup:
// no goroutine started by the test is left.
func noLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// hop is one request that reached a host of a fakeNet.
type hop struct {
	origin, path string
	header       http.Header
	body         string
}

// fakeNet is a base transport that serves requests for a few origins
// ("https://idp.example.com") in process and records every request that
// reaches one, with its headers and body.
type fakeNet struct {
	mu    sync.Mutex
	hops  []hop
	hosts map[string]http.HandlerFunc
}

func (n *fakeNet) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	origin := r.URL.Scheme + "://" + r.URL.Host
	n.mu.Lock()
	n.hops = append(n.hops, hop{origin: origin, path: r.URL.Path, header: r.Header.Clone(), body: string(body)})
	h := n.hosts[origin]
	n.mu.Unlock()
	if h == nil {
		return nil, errors.New("fakeNet: no host " + origin)
	}
	rec := httptest.NewRecorder()
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(strings.NewReader(string(body)))
	h(rec, r2)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// reached returns the requests that reached origin.
func (n *fakeNet) reached(origin string) []hop {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []hop
	for _, h := range n.hops {
		if h.origin == origin {
			out = append(out, h)
		}
	}
	return out
}

// carried reports whether any request to an origin other than allowed
// carried secret, in a header or the body.
func (n *fakeNet) carried(secret string, allowed ...string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var leaks []string
	for _, h := range n.hops {
		if contains(allowed, h.origin) {
			continue
		}
		dump, _ := json.Marshal(h.header)
		if strings.Contains(string(dump)+h.body, secret) || strings.Contains(decodedBasic(h.header), secret) {
			leaks = append(leaks, h.origin+h.path)
		}
	}
	return leaks
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func decodedBasic(h http.Header) string {
	r := &http.Request{Header: h}
	user, pass, _ := r.BasicAuth()
	return user + ":" + pass
}

// redirectTo answers every request with a 307 to target, the status that
// makes a client resend the method and the body.
func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	}
}

// tokenAnswer issues a token.
func tokenAnswer(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"access_token":"at-1","token_type":"Bearer","expires_in":3600}`)
}

// faultCall makes one REST call through a stack for cfg over network and
// returns its error.
func faultCall(t *testing.T, cfg *config.Platform, network http.RoundTripper, opts ...transport.Option) error {
	t.Helper()
	opts = append([]transport.Option{transport.WithBaseTransport(network), transport.WithRetryPolicy(errs.Policy{MaxRetries: -1})}, opts...)
	c, err := transport.NewClient(t.Context(), cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://flyte.example.com/api/v1/projects", nil)
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// loginOpts are the authn options of an interactive login in a test: tokens
// in memory, no prompt, an injected browser.
func loginOpts(store authn.TokenStore, open func(ctx context.Context, u string) error) transport.Option {
	return transport.WithAuthnOptions(authn.WithTokenStore(store), authn.WithPrompt(io.Discard), authn.WithBrowser(open))
}

// noBrowser is an opener that must not be called.
func noBrowser(t *testing.T) func(context.Context, string) error {
	return func(context.Context, string) error {
		t.Error("the browser was opened")
		return errors.New("no browser")
	}
}

func TestFaultRedirectsNeverCarryCredentials(t *testing.T) {
	noLeaks(t)
	const (
		flyte    = "https://flyte.example.com"
		idp      = "https://idp.example.com"
		idpPlain = "http://idp.example.com"
		flytePln = "http://flyte.example.com"
		evil     = "https://evil.example.net"
	)
	for _, tc := range []struct {
		name    string
		cfg     config.Platform
		hosts   map[string]http.HandlerFunc
		opts    func(t *testing.T) []transport.Option
		target  string   // the redirect's target: must receive nothing
		secrets []string // credentials the case puts at risk
		hint    string   // the setting the error names
		anyCode bool     // the metadata store reports the refusal with its own code
	}{
		{
			name:   "client secret, token endpoint https to http",
			cfg:    config.Platform{TokenURL: idp + "/token"},
			hosts:  map[string]http.HandlerFunc{idp: redirectTo(idpPlain + "/token"), idpPlain: tokenAnswer},
			opts:   published(authn.ClientConfig{}),
			target: idpPlain, secrets: []string{faultSecret}, hint: "tokenUrl",
		},
		{
			name:   "client secret, server's token endpoint to another host",
			hosts:  map[string]http.HandlerFunc{idp: redirectTo(evil + "/token"), evil: tokenAnswer},
			opts:   published(authn.ClientConfig{TokenEndpoint: idp + "/token"}),
			target: evil, secrets: []string{faultSecret}, hint: "tokenUrl",
		},
		{
			name: "metadata https to http",
			cfg:  config.Platform{},
			hosts: map[string]http.HandlerFunc{
				flyte:    redirectTo(flytePln + "/.well-known/oauth-authorization-server"),
				flytePln: func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, `{"token_endpoint":"`+evil+`/token"}`) },
			},
			target: flytePln, secrets: []string{faultSecret}, hint: "endpoint", anyCode: true,
		},
		{
			name: "proxy token, token endpoint on the proxied host https to http",
			cfg:  config.Platform{TokenURL: flyte + "/oauth2/token"},
			hosts: map[string]http.HandlerFunc{
				flyte:    redirectTo(flytePln + "/oauth2/token"),
				flytePln: tokenAnswer,
			},
			opts: func(*testing.T) []transport.Option {
				return []transport.Option{transport.WithProxyTokenSource(staticProxy(faultProxy)), transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{}))}
			},
			target: flytePln, secrets: []string{faultSecret, faultProxy}, hint: "tokenUrl",
		},
		{
			name: "device authorization https to http",
			cfg:  config.Platform{AuthType: config.AuthDeviceFlow, ClientSecret: ""},
			hosts: map[string]http.HandlerFunc{
				idp: redirectTo(idpPlain + "/device"),
				idpPlain: func(w http.ResponseWriter, _ *http.Request) {
					io.WriteString(w, `{"device_code":"dc","user_code":"U","verification_uri":"x"}`)
				},
			},
			opts: func(t *testing.T) []transport.Option {
				return []transport.Option{
					transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{ClientID: "flytectl", TokenEndpoint: idp + "/token", DeviceAuthorizationEndpoint: idp + "/device"})),
					loginOpts(authn.NewMemoryTokenStore(), noBrowser(t)),
				}
			},
			target: idpPlain, hint: "tokenUrl",
		},
		{
			name:  "refresh token https to http",
			cfg:   config.Platform{AuthType: config.AuthPKCE},
			hosts: map[string]http.HandlerFunc{idp: redirectTo(idpPlain + "/token"), idpPlain: tokenAnswer},
			opts: func(t *testing.T) []transport.Option {
				store := authn.NewMemoryTokenStore()
				expired := &oauth2.Token{AccessToken: "old", RefreshToken: faultRefresh, Expiry: time.Unix(1, 0)}
				if err := store.Save(t.Context(), authn.TokenKey{Endpoint: "flyte.example.com", ClientID: "flytectl"}, expired); err != nil {
					t.Fatal(err)
				}
				return []transport.Option{
					transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{ClientID: "flytectl", TokenEndpoint: idp + "/token", AuthorizationEndpoint: idp + "/authorize"})),
					loginOpts(store, noBrowser(t)),
				}
			},
			target: idpPlain, secrets: []string{faultRefresh}, hint: "tokenUrl",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Endpoint = "flyte.example.com"
			if cfg.AuthType == config.AuthUnset {
				cfg.AuthType, cfg.ClientID, cfg.ClientSecret = config.AuthClientSecret, "app", faultSecret
			}
			network := &fakeNet{hosts: tc.hosts}
			var opts []transport.Option
			if tc.opts != nil {
				opts = tc.opts(t)
			}
			err := faultCall(t, &cfg, network, opts...)
			assertRefused(t, err, tc.hint, tc.anyCode)
			if got := network.reached(tc.target); len(got) != 0 {
				t.Errorf("the redirect's target got %d requests", len(got))
			}
			for _, s := range tc.secrets {
				if leaks := network.carried(s, flyte, idp); len(leaks) != 0 {
					t.Errorf("a credential went to %v", leaks)
				}
				if strings.Contains(err.Error(), s) {
					t.Error("a credential is in the error")
				}
			}
		})
	}
}

// assertRefused checks that err is a refused redirect that names what to
// change.
func assertRefused(t *testing.T, err error, setting string, anyCode bool) {
	t.Helper()
	if !errors.Is(err, transport.ErrRedirectRefused) {
		t.Fatalf("err = %v; want a refused redirect", err)
	}
	if (!anyCode && errs.CodeOf(err) != errs.FailedPrecondition) || !strings.Contains(err.Error(), setting) {
		t.Fatalf("err = %v (code %v); want FailedPrecondition naming %s", err, errs.CodeOf(err), setting)
	}
}

// published is the option of a server that publishes cc.
func published(cc authn.ClientConfig) func(*testing.T) []transport.Option {
	return func(*testing.T) []transport.Option {
		return []transport.Option{transport.WithConfigStore(authn.StaticConfigStore(cc))}
	}
}

type staticProxy string

func (s staticProxy) Token(context.Context) (string, time.Time, error) {
	return string(s), time.Time{}, nil
}

// TestFaultCodeExchangeRedirect: the authorization code (and the PKCE
// verifier) never follow a token endpoint that redirects to cleartext.
func TestFaultCodeExchangeRedirect(t *testing.T) {
	noLeaks(t)
	const idp, idpPlain = "https://idp.example.com", "http://idp.example.com"
	network := &fakeNet{hosts: map[string]http.HandlerFunc{
		idp:      redirectTo(idpPlain + "/token"),
		idpPlain: tokenAnswer,
	}}
	// The browser: the user approves, and the IdP sends it to the callback.
	browser := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	open := func(ctx context.Context, authURL string) error {
		u, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		q := u.Query()
		back := q.Get("redirect_uri") + "?" + url.Values{"code": {faultCode}, "state": {q.Get("state")}}.Encode()
		req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodGet, back, nil)
		resp, err := browser.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	cfg := &config.Platform{Endpoint: "flyte.example.com", AuthType: config.AuthPKCE}
	err := faultCall(t, cfg, network,
		transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{ClientID: "flytectl", TokenEndpoint: idp + "/token", AuthorizationEndpoint: idp + "/authorize", RedirectURI: "http://127.0.0.1:0/callback"})),
		loginOpts(authn.NewMemoryTokenStore(), open))
	assertRefused(t, err, "tokenUrl", false)
	if got := network.reached(idpPlain); len(got) != 0 {
		t.Fatalf("the cleartext token endpoint got %d requests", len(got))
	}
	if leaks := network.carried(faultCode, idp); len(leaks) != 0 {
		t.Fatalf("the code went to %v", leaks)
	}
}

// TestFaultProxyTokenOnUserRedirect: a call the user's client follows from
// the Flyte host's https to its http carries neither the proxy token nor the
// bearer token.
func TestFaultProxyTokenOnUserRedirect(t *testing.T) {
	noLeaks(t)
	const flyte, flytePlain = "https://flyte.example.com", "http://flyte.example.com"
	network := &fakeNet{hosts: map[string]http.HandlerFunc{
		flyte: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, flytePlain+"/landing", http.StatusFound)
		},
		flytePlain: func(http.ResponseWriter, *http.Request) {},
	}}
	cfg := &config.Platform{Endpoint: "flyte.example.com", AuthType: config.AuthExternalCommand, Command: []string{"unused"}}
	err := faultCall(t, cfg, network, transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{})),
		transport.WithProxyTokenSource(staticProxy(faultProxy)),
		transport.WithTokenSource(authn.StaticToken("bearer-s3cr3t")))
	if err != nil {
		t.Fatal(err)
	}
	got := network.reached(flytePlain)
	if len(got) != 1 {
		t.Fatalf("the redirect was followed %d times, want 1", len(got))
	}
	if h := got[0].header; h.Get("Proxy-Authorization") != "" || h.Get("Authorization") != "" {
		t.Fatalf("cleartext hop carried credentials: %v", h)
	}
	if first := network.reached(flyte); len(first) != 1 || first[0].header.Get("Proxy-Authorization") != "Bearer "+faultProxy {
		t.Fatal("the https hop did not carry the proxy token")
	}
}

// TestFaultIPLiteralIdPUnderInsecureSkipVerify: with insecureSkipVerify, an
// identity provider on an IP literal is verified like any host other than
// the endpoint: its unknown certificate is refused before the client secret
// is sent, and the error names caCertFilePath.
func TestFaultIPLiteralIdPUnderInsecureSkipVerify(t *testing.T) {
	noLeaks(t)
	endpoint, _ := tlsServer(t) // self-signed: pinned
	var reached atomic.Int32
	idp := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		tokenAnswer(w, r)
	}))
	idp.Config.ErrorLog = log.New(io.Discard, "", 0)
	idp.StartTLS() // httptest's own certificate, which nothing trusts
	t.Cleanup(idp.Close)

	cfg := &config.Platform{
		Endpoint: endpoint.Listener.Addr().String(), InsecureSkipVerify: true,
		AuthType: config.AuthClientSecret, ClientID: "app", ClientSecret: faultSecret,
		TokenURL: idp.URL + "/token", Scopes: []string{"all"}, AuthorizationHeader: "authorization",
	}
	c, err := transport.NewClient(t.Context(), cfg, transport.WithRetryPolicy(errs.Policy{MaxRetries: -1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint.URL+"/x", nil)
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("the call succeeded with a token from an unverified host")
	}
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "caCertFilePath") {
		t.Fatalf("err = %v; want an unknown authority naming caCertFilePath", err)
	}
	if strings.Contains(err.Error(), faultSecret) {
		t.Fatal("the secret is in the error")
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("the unverified IdP got %d requests", n)
	}
}
