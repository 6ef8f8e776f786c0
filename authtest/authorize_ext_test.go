package authtest_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authtest"
)

func TestAuthorizationCodeFlow(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []authtest.AuthorizeRequest
	record := authtest.WithAuthorizeDecision(func(req authtest.AuthorizeRequest) authtest.AuthorizeDecision {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, req)
		return authtest.AuthorizeDecision{}
	})
	eachTransport(t, []authtest.Option{record, authtest.WithTokenTTL(20 * time.Minute)}, func(t *testing.T, srv *authtest.Server) {
		cb := newCallback(t)
		cfg := oauthConfig(srv, cb.URL)
		verifier := oauth2.GenerateVerifier()
		authURL := cfg.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("audience", srv.URL()))

		got := cb.browse(t, srv, authURL)
		if got.Get("state") != "state-1" || got.Get("code") == "" || got.Get("error") != "" {
			t.Fatalf("callback query = %v", got)
		}
		before := time.Now()
		tok, err := cfg.Exchange(oauthContext(t, srv), got.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Type() != "Bearer" || tok.Extra("scope") != publicScopes {
			t.Errorf("token = %+v, scope %v", tok, tok.Extra("scope"))
		}
		if left := tok.Expiry.Sub(before); left < 19*time.Minute || left > 21*time.Minute {
			t.Errorf("token lifetime %v, want about 20m", left)
		}
		if _, err := unary(t, authtest.NewTestClient(srv.HTTPClient(), srv.URL()), bearer(tok.AccessToken)); err != nil {
			t.Errorf("token rejected by the service: %v", err)
		}
		want := authtest.Counters{Authorizations: 1, TokenRequests: 1, TokensIssued: 1, CodeGrants: 1, Attempts: 1}
		if diff := cmp.Diff(want, srv.Counters()); diff != "" {
			t.Errorf("counters (-want +got):\n%s", diff)
		}

		mu.Lock()
		defer mu.Unlock()
		var req authtest.AuthorizeRequest
		for _, r := range seen {
			if r.RedirectURI == cb.URL {
				req = r
			}
		}
		if req.ClientID != publicClient || req.Scope != publicScopes || req.State != "state-1" ||
			req.CodeChallengeMethod != "S256" || req.CodeChallenge != oauth2.S256ChallengeFromVerifier(verifier) ||
			req.Params.Get("audience") != srv.URL() {
			t.Errorf("decision saw %+v", req)
		}
	})
}

func TestAuthorizationCodeClientIdentification(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	styles := map[string]oauth2.AuthStyle{
		"client_id in the form":       oauth2.AuthStyleInParams,
		"HTTP Basic with no password": oauth2.AuthStyleInHeader,
		"auto-detected":               oauth2.AuthStyleAutoDetect,
	}
	for name, style := range styles {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := oauthConfig(srv, advertisedURI)
			cfg.Endpoint.AuthStyle = style
			verifier := oauth2.GenerateVerifier()
			q := authorizeAt(t, srv, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
			if _, err := cfg.Exchange(oauthContext(t, srv), q.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
				t.Errorf("exchange: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		// Every style is accepted at its first request.
		if c := srv.Counters(); c.TokenRequests != int64(len(styles)) || c.CodeGrants != int64(len(styles)) {
			t.Errorf("TokenRequests = %d, CodeGrants = %d, want %d", c.TokenRequests, c.CodeGrants, len(styles))
		}
	})
}

func TestAuthorizeRedirectURIs(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	verifier := oauth2.GenerateVerifier()
	accepted := []string{
		advertisedURI,
		"http://127.0.0.1:1/callback",
		"http://[::1]:65535/callback",
		"http://localhost/callback",
		"http://localhost:8080/callback",
	}
	for _, uri := range accepted {
		params := authorizeParams(verifier)
		params.Set("redirect_uri", uri)
		res := fetchWith(t, noRedirects(srv), srv.URL()+"/oauth2/authorize?"+params.Encode())
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, uri+"?") || !strings.Contains(loc, "code=") {
			t.Errorf("%s: status %d, Location %q", uri, res.StatusCode, loc)
		}
	}
	rejected := []string{
		"https://localhost:53593/callback",
		"http://example.com:53593/callback",
		"http://10.1.2.3:53593/callback",
		"http://127.0.0.1:53593/other",
		"http://127.0.0.1:53593/callback/",
		"http://127.0.0.1:53593/callback?x=1",
		"http://127.0.0.1:53593/callback?",
		"http://127.0.0.1:53593/callback#f",
		"http://127.0.0.1:53593/callback#",
		"http://me@127.0.0.1:53593/callback",
		"%zz",
	}
	for _, uri := range rejected {
		params := authorizeParams(verifier)
		params.Set("redirect_uri", uri)
		wantAuthorizePage(t, srv, params, uri)
	}
	for name, id := range map[string]string{"missing client": "", "unknown client": "someone"} {
		params := authorizeParams(verifier)
		params.Set("client_id", id)
		wantAuthorizePage(t, srv, params, name)
	}
	for _, name := range []string{"client_id", "redirect_uri"} {
		params := authorizeParams(verifier)
		params.Add(name, params.Get(name))
		wantAuthorizePage(t, srv, params, "repeated "+name)
	}
	if c := srv.Counters(); c.Authorizations != int64(len(accepted)+len(rejected)+4) {
		t.Errorf("Authorizations = %d", c.Authorizations)
	}
}

// wantAuthorizePage checks that the authorization endpoint answers params
// with an error page rather than a redirect, as for a request it cannot
// trust the redirect URI of.
func wantAuthorizePage(t *testing.T, srv *authtest.Server, params url.Values, what string) {
	t.Helper()
	res := fetchWith(t, noRedirects(srv), srv.URL()+"/oauth2/authorize?"+params.Encode())
	if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("%s: status %d, Location %q, Content-Type %q", what, res.StatusCode, res.Header.Get("Location"), res.Header.Get("Content-Type"))
	}
}

func TestAuthorizePageEscapes(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	params := authorizeParams(oauth2.GenerateVerifier())
	params.Set("client_id", "<script>alert(1)</script>")
	body := readBody(t, fetchWith(t, noRedirects(srv), srv.URL()+"/oauth2/authorize?"+params.Encode()))
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("page does not escape the client id: %s", body)
	}
}

func TestAuthorizeErrorsRedirect(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	verifier := oauth2.GenerateVerifier()
	tests := []struct {
		name string
		edit func(url.Values)
		code string
	}{
		{"no response_type", func(v url.Values) { v.Del("response_type") }, "invalid_request"},
		{"implicit", func(v url.Values) { v.Set("response_type", "token") }, "unsupported_response_type"},
		{"no challenge", func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }, "invalid_request"},
		{"plain method", func(v url.Values) { v.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"method omitted means plain", func(v url.Values) { v.Del("code_challenge_method") }, "invalid_request"},
		{"challenge not a digest", func(v url.Values) { v.Set("code_challenge", "abc") }, "invalid_request"},
		{"challenge not base64url", func(v url.Values) { v.Set("code_challenge", strings.Repeat("+", 43)) }, "invalid_request"},
		{"repeated parameter", func(v url.Values) { v.Add("scope", "all") }, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			params := authorizeParams(verifier)
			tt.edit(params)
			q := authorizeAt(t, srv, srv.URL()+"/oauth2/authorize?"+params.Encode())
			if q.Get("error") != tt.code || q.Get("error_description") == "" || q.Get("code") != "" || q.Get("state") != "s1" {
				t.Errorf("redirect query = %v, want error %s", q, tt.code)
			}
		})
	}
}

func TestAuthorizeDecision(t *testing.T) {
	t.Parallel()
	decisions := map[string]authtest.AuthorizeDecision{
		"deny":                   {Error: "access_denied"},
		"server problem":         {Error: "temporarily_unavailable", Description: "try <later> & again"},
		"scope refused":          {Error: "invalid_scope", Description: "no"},
		"approve a second state": {},
	}
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithAuthorizeDecision(func(req authtest.AuthorizeRequest) authtest.AuthorizeDecision {
		return decisions[req.State]
	}))
	cfg := oauthConfig(srv, advertisedURI)
	verifier := oauth2.GenerateVerifier()
	for state, d := range decisions {
		q := authorizeAt(t, srv, cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
		want := url.Values{"state": {state}}
		if d.Error == "" {
			want.Set("code", q.Get("code"))
			if q.Get("code") == "" {
				t.Errorf("%s: no code", state)
			}
		} else {
			want.Set("error", d.Error)
			if d.Description != "" {
				want.Set("error_description", d.Description)
			}
		}
		if diff := cmp.Diff(want, q); diff != "" {
			t.Errorf("%s: redirect query (-want +got):\n%s", state, diff)
		}
	}
	// A request without state gets none back.
	q := authorizeAt(t, srv, cfg.AuthCodeURL("", oauth2.S256ChallengeOption(verifier)))
	if _, ok := q["state"]; ok || q.Get("code") == "" {
		t.Errorf("without state: %v", q)
	}
}

func TestAuthorizeByPOSTWithoutRedirectURI(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	verifier := oauth2.GenerateVerifier()
	params := authorizeParams(verifier)
	params.Del("redirect_uri")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+"/oauth2/authorize", strings.NewReader(params.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := noRedirects(srv).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), advertisedURI+"?") {
		t.Fatalf("status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Without redirect_uri in the authorization request, the token request
	// needs none.
	cfg := oauthConfig(srv, "")
	if _, err := cfg.Exchange(oauthContext(t, srv), loc.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Errorf("exchange: %v", err)
	}
}
