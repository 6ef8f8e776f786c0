// Package peertest holds what the tests against real authorization servers
// share: the stack under test with a recording base transport, the calls
// made through it for each protocol, and a scripted login.
package peertest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/conformance/peers/browser"
	"github.com/authwire/authwire/conformance/peers/resource"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

// Recorder is the base transport under the stack: it records what went to
// the authorization server's token and device endpoints and the bearer
// tokens sent to the resource server. It is safe for concurrent use.
type Recorder struct {
	Next       http.RoundTripper
	Resource   string // host:port of the resource server
	TokenPath  string // URL path of the token endpoint
	DevicePath string // URL path of the device authorization endpoint

	mu         sync.Mutex
	grants     []string // grant_type of each token request, in order
	methods    []string // how each token request authenticated the client: basic, post or none
	deviceAuth int
	bearer     string
}

// RoundTrip records req and sends it on.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	switch {
	case req.URL.Host == r.Resource:
		if v := req.Header.Get("Authorization"); strings.HasPrefix(v, "Bearer ") {
			r.bearer = strings.TrimPrefix(v, "Bearer ")
		}
	case req.URL.Path == r.TokenPath:
		form := formOf(req)
		r.grants = append(r.grants, form.Get("grant_type"))
		method := "none"
		if _, _, ok := req.BasicAuth(); ok {
			method = "basic"
		} else if form.Has("client_secret") {
			method = "post"
		}
		r.methods = append(r.methods, method)
	case req.URL.Path == r.DevicePath:
		r.deviceAuth++
	}
	r.mu.Unlock()
	return r.Next.RoundTrip(req)
}

// formOf reads a replayable form body.
func formOf(req *http.Request) url.Values {
	if req.GetBody == nil {
		return nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil
	}
	defer body.Close()
	data, _ := io.ReadAll(io.LimitReader(body, 1<<16))
	form, _ := url.ParseQuery(string(data))
	return form
}

// Grants returns the grant_type of each token request so far.
func (r *Recorder) Grants() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.grants)
}

// AuthMethods returns how each token request authenticated the client.
func (r *Recorder) AuthMethods() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.methods)
}

// DeviceAuthorizations returns the number of device authorization requests.
func (r *Recorder) DeviceAuthorizations() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.deviceAuth
}

// LastBearer returns the last bearer token sent to the resource server.
func (r *Recorder) LastBearer() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bearer
}

// PublicClientID and PublicScopes are the public client every peer
// registers and the resource server publishes.
const PublicClientID = "flytectl"

// PublicScopes are the scopes the resource server publishes.
var PublicScopes = []string{"openid", "offline_access", "all"}

// NewResource starts a Flyte-like service in front of a peer: it checks
// tokens with introspect, publishes the peer's metadata document at
// metadataURL (fetched through client) and the public client config with a
// loopback redirect URI on any free port. It stops when the test ends.
func NewResource(t *testing.T, metadataURL string, introspect resource.Introspector, client *http.Client) *resource.Server {
	t.Helper()
	res, err := resource.Start(resource.Config{
		MetadataURL: metadataURL,
		Introspect:  introspect,
		Public: resource.PublicClient{
			ClientID:                 PublicClientID,
			RedirectURI:              "http://127.0.0.1:0/callback", // peers allow any port on loopback (RFC 8252)
			Scopes:                   PublicScopes,
			AuthorizationMetadataKey: "authorization",
		},
		Client: client,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(res.Close)
	return res
}

// Platform is what a user writes for the resource server: h2c to it.
func Platform(res *resource.Server, auth config.AuthType) *config.Platform {
	return &config.Platform{Endpoint: res.Endpoint(), Insecure: true, AuthType: auth}
}

// Server is what the stack needs to know of the authorization server.
type Server struct {
	Roots      *x509.CertPool // trusted for its TLS endpoints
	TokenPath  string
	DevicePath string
}

// Stack builds authwire's client for cfg over a [Recorder], trusting
// srv.Roots for the authorization server's TLS endpoints.
func Stack(t *testing.T, srv Server, res *resource.Server, cfg *config.Platform, opts ...transport.Option) (*http.Client, *Recorder) {
	t.Helper()
	roots := transport.WithRootCAs(srv.Roots)
	base, err := transport.Base(cfg, roots)
	if err != nil {
		t.Fatal(err)
	}
	rec := &Recorder{Next: base, Resource: res.Endpoint(), TokenPath: srv.TokenPath, DevicePath: srv.DevicePath}
	c, err := transport.NewClient(t.Context(), cfg, append(opts, transport.WithBaseTransport(rec))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, rec
}

// A Protocol is one way of calling the resource server.
type Protocol struct {
	Name string
	Call func(ctx context.Context, c *http.Client, res *resource.Server) error
}

// Protocols are Connect, gRPC, gRPC-Web and REST.
var Protocols = []Protocol{
	{"connect", rpc()},
	{"grpc", rpc(connect.WithGRPC())},
	{"grpc-web", rpc(connect.WithGRPCWeb())},
	{"rest", restCall},
}

func rpc(opts ...connect.ClientOption) func(ctx context.Context, c *http.Client, res *resource.Server) error {
	return func(ctx context.Context, c *http.Client, res *resource.Server) error {
		resp, err := resource.NewClient(c, res.URL(), opts...).CallUnary(ctx, connect.NewRequest(wrapperspb.String("hi")))
		if err != nil {
			return err
		}
		if resp.Msg.GetValue() != "hi" {
			return fmt.Errorf("echoed %q", resp.Msg.GetValue())
		}
		return nil
	}
}

func restCall(ctx context.Context, c *http.Client, res *resource.Server) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, res.URL()+"/api/v1/echo?msg=hi", nil)
	if err != nil {
		return err
	}
	body, err := Do(c, req)
	if err != nil {
		return err
	}
	var answer struct{ Msg string }
	if err := json.Unmarshal(body, &answer); err != nil {
		return err
	}
	if answer.Msg != "hi" {
		return fmt.Errorf("echoed %q", answer.Msg)
	}
	return nil
}

// Do sends a REST request through c and returns the body of a successful
// answer (at most 1 MiB); a failure status becomes the error errs maps the
// response to, the way REST users of the stack check answers.
func Do(c *http.Client, req *http.Request) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := errs.FromResponse(resp); err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// CallAll makes one call per protocol, all of which must succeed.
func CallAll(t *testing.T, c *http.Client, res *resource.Server) {
	t.Helper()
	for _, p := range Protocols {
		if err := p.Call(t.Context(), c, res); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
	}
}

// IsCode reports whether err carries code for errs and, when it is a
// connect error, for connect too.
func IsCode(err error, code errs.Code) bool {
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Code() != connect.Code(code) {
		return false
	}
	return errs.CodeOf(err) == code
}

// ClientAuth is how a request authenticates an OAuth2 client.
type ClientAuth struct {
	ID, Secret string
	Basic      bool // HTTP Basic with form-encoded id and secret; else form fields
}

// PostForm posts form to endpoint with the client's authentication and
// returns the status and body.
func PostForm(ctx context.Context, client *http.Client, endpoint string, form url.Values, auth ClientAuth) (int, []byte, error) {
	form = cloneValues(form)
	if !auth.Basic && auth.ID != "" {
		form.Set("client_id", auth.ID)
		if auth.Secret != "" {
			form.Set("client_secret", auth.Secret)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth.Basic {
		req.SetBasicAuth(url.QueryEscape(auth.ID), url.QueryEscape(auth.Secret))
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// Logins records the login pages the stack opens and completes each with a
// scripted browser. It is safe for concurrent use.
type Logins struct {
	t    *testing.T
	tls  *tls.Config
	mu   sync.Mutex
	urls []string
}

// NewLogins returns a login recorder whose browser trusts tlsConf's roots.
func NewLogins(t *testing.T, tlsConf *tls.Config) *Logins { return &Logins{t: t, tls: tlsConf} }

// Open is the stack's browser opener (authn.WithBrowser).
func (l *Logins) Open(ctx context.Context, u string) error {
	l.mu.Lock()
	l.urls = append(l.urls, u)
	l.mu.Unlock()
	b := browser.New("alice", rand.Text(), l.tls)
	if _, page, err := b.Visit(ctx, u); err != nil {
		l.t.Errorf("login in the browser: %v (pages %q, last %.500s)", err, b.Pages, page)
		return err
	}
	return nil
}

// Opened returns the login URLs opened so far.
func (l *Logins) Opened() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.urls)
}

// NoLogin is a browser opener that fails the test: no login may start.
func NoLogin(t *testing.T) authn.FlowOption {
	return authn.WithBrowser(func(context.Context, string) error {
		t.Error("a login was started")
		return errors.New("no login expected")
	})
}

// CheckAuthorizationRequest checks a PKCE login URL: an S256 challenge, a
// state, the client id, and a redirect to the loopback port actually bound.
func CheckAuthorizationRequest(t *testing.T, loginURL, clientID string) {
	t.Helper()
	u, err := url.Parse(loginURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		t.Errorf("authorization request without an S256 challenge: %s", u.RawQuery)
	case q.Get("state") == "" || q.Get("client_id") != clientID:
		t.Errorf("authorization request without state or client id: %s", u.RawQuery)
	case redirect == nil || redirect.Hostname() != "127.0.0.1" || redirect.Port() == "0" || redirect.Port() == "":
		t.Errorf("redirect_uri %q: want the loopback port actually bound", q.Get("redirect_uri"))
	}
}

// PKCE is a stack that has logged in with the authorization code grant and
// PKCE through a scripted browser, keeping its tokens in a memory store, on a
// clock the test can move forward.
type PKCE struct {
	Config *config.Platform
	Client *http.Client
	Rec    *Recorder
	Store  authn.TokenStore
	Logins *Logins
	skew   atomic.Int64
}

// LogIn builds the stack for res, makes one call per protocol and checks
// that this took exactly one login, with a well-formed authorization
// request, and one authorization_code token request.
func LogIn(t *testing.T, srv Server, res *resource.Server, tlsConf *tls.Config) *PKCE {
	t.Helper()
	p := &PKCE{Config: Platform(res, config.AuthPKCE), Store: authn.NewMemoryTokenStore(), Logins: NewLogins(t, tlsConf)}
	p.Config.PKCE.Timeout = 30 * time.Second // a failed login fails the test soon
	p.Client, p.Rec = Stack(t, srv, res, p.Config, p.Clock(), transport.WithAuthnOptions(authn.WithTokenStore(p.Store), authn.WithBrowser(p.Logins.Open)))
	CallAll(t, p.Client, res)
	urls := p.Logins.Opened()
	if len(urls) != 1 {
		t.Fatalf("logins = %d, want 1", len(urls))
	}
	CheckAuthorizationRequest(t, urls[0], PublicClientID)
	if got := p.Rec.Grants(); !slices.Equal(got, []string{"authorization_code"}) {
		t.Fatalf("token requests %q, want one authorization_code", got)
	}
	return p
}

// Clock is the stack's clock: now, moved forward by [PKCE.Advance].
func (p *PKCE) Clock() transport.Option {
	return transport.WithClock(func() time.Time { return time.Now().Add(time.Duration(p.skew.Load())) })
}

// Advance moves the stack's clock forward by d.
func (p *PKCE) Advance(d time.Duration) { p.skew.Add(int64(d)) }

// Stored returns the stored token of the login to res; it must hold a
// refresh token.
func (p *PKCE) Stored(t *testing.T, res *resource.Server) *oauth2.Token {
	t.Helper()
	return StoredToken(t, p.Store, res)
}

// StoredToken returns the token store holds for the public client's login to
// res; it must hold a refresh token.
func StoredToken(t *testing.T, store authn.TokenStore, res *resource.Server) *oauth2.Token {
	t.Helper()
	tok, err := store.Load(t.Context(), authn.TokenKey{Endpoint: res.Endpoint(), ClientID: PublicClientID})
	if err != nil || tok == nil || tok.RefreshToken == "" {
		t.Fatalf("stored token %v, %v: want one with a refresh token", tok, err)
	}
	return tok
}
