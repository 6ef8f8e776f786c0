package authtest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/internal/idl"
)

func TestProxyAuthGuardsEveryRoute(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithProxyAuth())
	proxy := http.Header{"Proxy-Authorization": {"Bearer " + srv.IssueProxyToken()}}

	paths := []string{
		idl.OAuth2MetadataPath,
		idl.PublicClientConfigPath,
		"/api/v1/echo?msg=x",
		"/oauth2/authorize?client_id=flytectl",
		"/oauth2/jwks",
	}
	for _, p := range paths {
		for name, h := range map[string]http.Header{
			"none":    nil,
			"bad":     {"Proxy-Authorization": {"Bearer nope"}},
			"access":  {"Proxy-Authorization": {"Bearer " + srv.IssueToken()}},
			"scheme":  {"Proxy-Authorization": {"Basic " + srv.IssueProxyToken()}},
			"in auth": {"Authorization": proxy["Proxy-Authorization"]},
		} {
			res := get(t, srv, srv.URL()+p, h)
			body := readBody(t, res)
			if res.StatusCode != http.StatusProxyAuthRequired {
				t.Errorf("%s, %s: status %d", p, name, res.StatusCode)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "<html>") {
				t.Errorf("%s, %s: not an HTML page: %q", p, name, body)
			}
			if res.Header.Get("Proxy-Authenticate") == "" || res.Header.Get("X-Authtest-Proxy") != "reject" {
				t.Errorf("%s, %s: headers %v", p, name, res.Header)
			}
		}
	}
	// The token endpoint and the RPCs too.
	res := postToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, basicCredentials(srv), nil)
	if res.StatusCode != http.StatusProxyAuthRequired {
		t.Errorf("token endpoint: status %d", res.StatusCode)
	}
	meta := connect.NewClient[idl.Empty, idl.OAuth2Metadata](srv.HTTPClient(),
		srv.URL()+idl.GetOAuth2MetadataProcedure, idl.CodecOptions(), connect.WithGRPC())
	_, err := meta.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
	if err == nil {
		t.Error("GetOAuth2Metadata passed without a proxy token")
	}
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL())
	_, err = unary(t, client, bearer(srv.IssueToken()))
	if err == nil {
		t.Error("TestService passed without a proxy token")
	}
	want := authtest.Counters{ProxyRejected: int64(len(paths))*5 + 3}
	if diff := cmp.Diff(want, srv.Counters()); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}

	// With the proxy token everything passes.
	srv.Reset()
	for _, p := range paths[:3] {
		h := proxy.Clone()
		h.Set("Authorization", "Bearer "+srv.IssueToken())
		if res := get(t, srv, srv.URL()+p, h); res.StatusCode != http.StatusOK {
			t.Errorf("%s with a proxy token: status %d", p, res.StatusCode)
		}
	}
	res = postToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, basicCredentials(srv), proxy)
	if res.StatusCode != http.StatusOK {
		t.Errorf("token endpoint with a proxy token: status %d", res.StatusCode)
	}
	req := connect.NewRequest(&idl.Empty{})
	req.Header().Set("Proxy-Authorization", proxy.Get("Proxy-Authorization"))
	if _, err := meta.CallUnary(t.Context(), req); err != nil {
		t.Errorf("GetOAuth2Metadata with a proxy token: %v", err)
	}
	want = authtest.Counters{
		TokenRequests: 1, TokensIssued: 1, GetOAuth2Metadata: 1, WellKnown: 1, FlyteClient: 1, Attempts: 1,
		ProxyAuthorized: 5,
		ProxyAuthorizedByPath: map[string]int64{
			idl.OAuth2MetadataPath:         1,
			idl.PublicClientConfigPath:     1,
			"/api/v1/echo":                 1,
			"/oauth2/token":                1,
			idl.GetOAuth2MetadataProcedure: 1,
		},
	}
	got := srv.Counters()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
	if got.ProxyAuthorizedPath("/oauth2/token") != 1 || got.ProxyAuthorizedPath("/elsewhere") != 0 {
		t.Errorf("ProxyAuthorizedPath disagrees with the map: %v", got.ProxyAuthorizedByPath)
	}
}

func TestProxyRejectStatus(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithProxyRejectStatus(http.StatusUnauthorized))
	res := get(t, srv, srv.URL()+idl.PublicClientConfigPath, nil)
	body := readBody(t, res)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "401") {
		t.Errorf("status %d, body %q", res.StatusCode, body)
	}
	if res.Header.Get("Proxy-Authenticate") != "" || res.Header.Get("WWW-Authenticate") != "" {
		t.Errorf("challenge headers: %v", res.Header)
	}
	if res.Header.Get("X-Authtest-Proxy") != "reject" {
		t.Errorf("X-Authtest-Proxy = %q", res.Header.Get("X-Authtest-Proxy"))
	}
	h := http.Header{"Proxy-Authorization": {"bearer " + srv.IssueProxyToken()}}
	if res := get(t, srv, srv.URL()+idl.PublicClientConfigPath, h); res.StatusCode != http.StatusOK {
		t.Errorf("with a proxy token: status %d", res.StatusCode)
	}
}

func TestRevokeProxyTokens(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithProxyAuth())
	viaURL := readBody(t, get(t, srv, srv.ProxyTokenURL(), nil))
	for _, tok := range []string{viaURL, srv.IssueProxyToken()} {
		h := http.Header{"Proxy-Authorization": {"Bearer " + tok}}
		if res := get(t, srv, srv.URL()+idl.OAuth2MetadataPath, h); res.StatusCode != http.StatusOK {
			t.Errorf("before revocation: status %d", res.StatusCode)
		}
	}
	srv.RevokeProxyTokens()
	revoked := http.Header{"Proxy-Authorization": {"Bearer " + viaURL}}
	if res := get(t, srv, srv.URL()+idl.OAuth2MetadataPath, revoked); res.StatusCode != http.StatusProxyAuthRequired {
		t.Errorf("after revocation: status %d", res.StatusCode)
	}
	// Access tokens are untouched by RevokeProxyTokens.
	h := http.Header{"Proxy-Authorization": {"Bearer " + srv.IssueProxyToken()}}
	tok := readBody(t, get(t, srv, srv.CommandTokenURL(), nil))
	h.Set("Authorization", "Bearer "+tok)
	srv.RevokeProxyTokens()
	h.Set("Proxy-Authorization", "Bearer "+srv.IssueProxyToken())
	if res := get(t, srv, srv.URL()+"/api/v1/echo?msg=x", h); res.StatusCode != http.StatusOK {
		t.Errorf("access token after RevokeProxyTokens: status %d", res.StatusCode)
	}
	if c := srv.Counters(); c.ProxyTokens != 1 || c.CommandTokens != 1 || c.ProxyRejected != 1 || c.ProxyAuthorized != 3 {
		t.Errorf("counters = %+v", c)
	}
}
