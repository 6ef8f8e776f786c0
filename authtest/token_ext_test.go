package authtest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authtest"
)

func TestTokenEndpointClientSecretBasic(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithTokenTTL(90*time.Second))
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"all offline"}, "audience": {"https://flyte"}}
	res := postToken(t, srv, form, basicCredentials(srv), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, readBody(t, res))
	}
	if got := res.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
	var tok tokenAnswer
	decodeJSON(t, res.Body, &tok)
	if tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 90 || tok.Scope != "all offline" {
		t.Errorf("answer = %+v", tok)
	}
	if strings.Contains(tok.AccessToken, srv.ClientSecret()) {
		t.Error("token contains the client secret")
	}
	if _, err := unary(t, authtest.NewTestClient(srv.HTTPClient(), srv.URL()), bearer(tok.AccessToken)); err != nil {
		t.Errorf("issued token rejected: %v", err)
	}
	c := srv.Counters()
	if c.TokenRequests != 1 || c.TokensIssued != 1 {
		t.Errorf("counters = %+v", c)
	}
}

func TestTokenEndpointClientSecretPost(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {srv.ClientID()},
		"client_secret": {srv.ClientSecret()},
	}
	res := postToken(t, srv, form, nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, readBody(t, res))
	}
	var tok tokenAnswer
	decodeJSON(t, res.Body, &tok)
	if tok.AccessToken == "" || tok.ExpiresIn != 3600 || tok.Scope != "" {
		t.Errorf("answer = %+v", tok)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	cc := url.Values{"grant_type": {"client_credentials"}}
	withPost := func(v url.Values, id, secret string) url.Values {
		out := url.Values{"client_id": {id}, "client_secret": {secret}}
		for k, vs := range v {
			out[k] = vs
		}
		return out
	}
	tests := []struct {
		name      string
		form      url.Values
		basic     *url.Userinfo
		status    int
		code      string
		challenge bool
	}{
		{"wrong secret basic", cc, url.UserPassword(url.QueryEscape(srv.ClientID()), "nope"), 401, "invalid_client", true},
		{"wrong secret post", withPost(cc, srv.ClientID(), "nope"), nil, 401, "invalid_client", false},
		{"unknown client", withPost(cc, "someone", srv.ClientSecret()), nil, 401, "invalid_client", false},
		// The secret holds '+', so a client that skips form-encoding fails.
		{"basic not form-encoded", cc, url.UserPassword(srv.ClientID(), srv.ClientSecret()), 401, "invalid_client", true},
		{"basic with bad escape", cc, url.UserPassword(srv.ClientID(), "%zz"), 401, "invalid_client", true},
		{"no client auth", cc, nil, 401, "invalid_client", false},
		{"two auth methods", withPost(cc, srv.ClientID(), srv.ClientSecret()), basicCredentials(srv), 400, "invalid_request", false},
		{"missing grant", url.Values{}, basicCredentials(srv), 400, "invalid_request", false},
		{"unsupported grant", url.Values{"grant_type": {"password"}}, basicCredentials(srv), 400, "unsupported_grant_type", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := postToken(t, srv, tt.form, tt.basic, nil)
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.status)
			}
			var e errorAnswer
			decodeJSON(t, res.Body, &e)
			if e.Error != tt.code {
				t.Errorf("error = %q, want %q", e.Error, tt.code)
			}
			if got := res.Header.Get("WWW-Authenticate") != ""; got != tt.challenge {
				t.Errorf("WWW-Authenticate present = %v, want %v", got, tt.challenge)
			}
		})
	}
	t.Run("GET", func(t *testing.T) {
		t.Parallel()
		if res := get(t, srv, srv.TokenURL(), nil); res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET token endpoint: status %d", res.StatusCode)
		}
	})
	t.Run("malformed form", func(t *testing.T) {
		t.Parallel()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.TokenURL(), strings.NewReader("a=%zz"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := srv.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var e errorAnswer
		decodeJSON(t, res.Body, &e)
		if res.StatusCode != 400 || e.Error != "invalid_request" {
			t.Errorf("got %d %q", res.StatusCode, e.Error)
		}
	})
}

func TestFailTokenRequests(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	cc := url.Values{"grant_type": {"client_credentials"}}

	srv.FailTokenRequests(2, http.StatusBadGateway, "<html>bad gateway</html>")
	for range 2 {
		res := postToken(t, srv, cc, basicCredentials(srv), nil)
		if res.StatusCode != http.StatusBadGateway || readBody(t, res) != "<html>bad gateway</html>" {
			t.Errorf("failed request: status %d", res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type = %q", ct)
		}
	}
	srv.FailTokenRequests(1, http.StatusUnauthorized, `{"error":"invalid_client"}`)
	res := postToken(t, srv, cc, basicCredentials(srv), nil)
	if res.StatusCode != 401 || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("JSON failure: status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res := postToken(t, srv, cc, basicCredentials(srv), nil); res.StatusCode != http.StatusOK {
		t.Errorf("after the failures: status %d", res.StatusCode)
	}
	srv.FailTokenRequests(5, 500, "x")
	srv.FailTokenRequests(0, 500, "x")
	if res := postToken(t, srv, cc, basicCredentials(srv), nil); res.StatusCode != http.StatusOK {
		t.Errorf("after cancelling the failures: status %d", res.StatusCode)
	}
	if c := srv.Counters(); c.TokenRequests != 5 || c.TokensIssued != 2 {
		t.Errorf("TokenRequests = %d, TokensIssued = %d, want 5 and 2", c.TokenRequests, c.TokensIssued)
	}
}

func TestCommandAndProxyTokenURLs(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithProxyAuth())
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL())

	res := get(t, srv, srv.CommandTokenURL(), nil)
	access := readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") || access == "" {
		t.Fatalf("command token: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res = get(t, srv, srv.ProxyTokenURL(), nil)
	proxy := readBody(t, res)
	if res.StatusCode != http.StatusOK || proxy == "" || proxy == access {
		t.Fatalf("proxy token: %d", res.StatusCode)
	}

	h := bearer(access)
	h.Set("Proxy-Authorization", "Bearer "+proxy)
	if _, err := unary(t, client, h); err != nil {
		t.Errorf("call with command and proxy tokens: %v", err)
	}
	want := authtest.Counters{
		CommandTokens:         1,
		ProxyTokens:           1,
		Attempts:              1,
		ProxyAuthorized:       1,
		ProxyAuthorizedByPath: map[string]int64{authtest.TestServiceUnaryProcedure: 1},
	}
	if diff := cmp.Diff(want, srv.Counters()); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
}

func TestTokenExpiryFollowsClock(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithClock(clock.Now), authtest.WithTokenTTL(time.Minute))
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL())
	tok := fetchToken(t, srv)
	direct := srv.IssueToken()

	clock.Advance(59 * time.Second)
	for _, tk := range []string{tok, direct} {
		if _, err := unary(t, client, bearer(tk)); err != nil {
			t.Errorf("token before expiry: %v", err)
		}
	}
	clock.Advance(time.Second)
	for _, tk := range []string{tok, direct} {
		if _, err := unary(t, client, bearer(tk)); connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("token at expiry: %v, want unauthenticated", err)
		}
	}
	if _, err := unary(t, client, bearer(srv.IssueToken())); err != nil {
		t.Errorf("fresh token: %v", err)
	}
}
