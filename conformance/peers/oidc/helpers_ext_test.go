package oidc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/conformance/peers/resource"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

// publicScopes are the scopes the resource server publishes.
var publicScopes = []string{"openid", "offline_access", "all"}

// newResource starts a Flyte-like service that checks tokens at the
// provider and publishes its metadata, as flyteadmin does with an external
// IdP.
func newResource(t *testing.T) *resource.Server {
	t.Helper()
	res, err := resource.Start(resource.Config{
		MetadataURL: peer.issuer + "/.well-known/oauth-authorization-server",
		Introspect:  resource.Introspection(idpClient(), peer.issuer+"/token/introspection", resourceClient, peer.secrets[resourceClient]),
		Public: resource.PublicClient{
			ClientID:                 publicClient,
			RedirectURI:              "http://127.0.0.1:0/callback", // any free port: the provider allows any port on loopback
			Scopes:                   publicScopes,
			AuthorizationMetadataKey: "authorization",
		},
		Client: idpClient(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(res.Close)
	return res
}

// platform is what a user writes for the resource server: h2c to it. The
// provider's token endpoint is TLS: [stack] trusts its CA.
func platform(res *resource.Server, auth config.AuthType) *config.Platform {
	return &config.Platform{Endpoint: res.Endpoint(), Insecure: true, AuthType: auth}
}

// recorder sits under the stack (as its base transport) and records what
// went to the provider and the bearer tokens sent to the resource server.
type recorder struct {
	next     http.RoundTripper
	resource string // host:port of the resource server

	mu         sync.Mutex
	grants     []string // grant_type of each token request, in order
	methods    []string // how each token request authenticated the client: basic, post or none
	deviceAuth int      // device authorization requests
	bearer     string   // the last bearer token sent to the resource server
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	switch {
	case req.URL.Host == r.resource:
		if v := req.Header.Get("Authorization"); strings.HasPrefix(v, "Bearer ") {
			r.bearer = strings.TrimPrefix(v, "Bearer ")
		}
	case req.URL.Path == "/token":
		form := formOf(req)
		r.grants = append(r.grants, form.Get("grant_type"))
		method := "none"
		if _, _, ok := req.BasicAuth(); ok {
			method = "basic"
		} else if form.Has("client_secret") {
			method = "post"
		}
		r.methods = append(r.methods, method)
	case req.URL.Path == "/device/auth":
		r.deviceAuth++
	}
	r.mu.Unlock()
	return r.next.RoundTrip(req)
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

func (r *recorder) tokenGrants() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.grants...)
}

func (r *recorder) authMethods() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.methods...)
}

func (r *recorder) lastBearer() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bearer
}

// stack builds authwire's client for cfg over a recorder.
func stack(t *testing.T, res *resource.Server, cfg *config.Platform, opts ...transport.Option) (*http.Client, *recorder) {
	t.Helper()
	roots := transport.WithRootCAs(peer.tls.Pool)
	base, err := transport.Base(cfg, roots)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{next: base, resource: res.Endpoint()}
	c, err := transport.NewClient(t.Context(), cfg, append(opts, roots, transport.WithBaseTransport(rec))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, rec
}

// protocols are the ways the tests call the resource server.
var protocols = []struct {
	name string
	call func(ctx context.Context, c *http.Client, res *resource.Server) error
}{
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
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := errs.FromResponse(resp); err != nil {
		return err
	}
	var body struct{ Msg string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return err
	}
	if body.Msg != "hi" {
		return fmt.Errorf("echoed %q", body.Msg)
	}
	return nil
}

// callAll makes one call per protocol, all of which must succeed.
func callAll(t *testing.T, c *http.Client, res *resource.Server) {
	t.Helper()
	for _, p := range protocols {
		if err := p.call(t.Context(), c, res); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
	}
}

// revoke revokes token at the provider (RFC 7009), authenticating as
// client: HTTP Basic for basicClient, form fields for postClient, client_id
// alone for the public client.
func revoke(t *testing.T, token, client string) {
	t.Helper()
	form := url.Values{"token": {token}}
	switch client {
	case postClient:
		form.Set("client_id", client)
		form.Set("client_secret", peer.secrets[client])
	case publicClient:
		form.Set("client_id", client)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, peer.issuer+"/token/revocation", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if client == basicClient {
		req.SetBasicAuth(url.QueryEscape(client), url.QueryEscape(peer.secrets[client]))
	}
	resp, err := idpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("revocation: %s %s", resp.Status, body)
	}
	if active, err := resource.Introspection(idpClient(), peer.issuer+"/token/introspection", resourceClient, peer.secrets[resourceClient])(t.Context(), token); err != nil || active {
		t.Fatalf("after revocation the token is active=%v (%v)", active, err)
	}
}

// isCode reports whether err carries code for both errs and connect.
func isCode(err error, code errs.Code) bool {
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Code() != connect.Code(code) {
		return false
	}
	return errs.CodeOf(err) == code
}
