package authtest_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authtest"
)

// refreshForm is a refresh request from the public client.
func refreshForm(refreshToken string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {publicClient}}
}

// expired returns a copy of tok that x/oauth2 must refresh.
func expired(tok *oauth2.Token) *oauth2.Token {
	c := *tok
	c.Expiry = time.Now().Add(-time.Minute)
	return &c
}

func TestRefreshWithRotation(t *testing.T) {
	t.Parallel()
	eachTransport(t, nil, func(t *testing.T, srv *authtest.Server) {
		first := login(t, srv)
		srv.Reset()

		tok, err := oauthConfig(srv, advertisedURI).TokenSource(oauthContext(t, srv), expired(first)).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if tok.AccessToken == first.AccessToken || tok.RefreshToken == "" || tok.RefreshToken == first.RefreshToken || tok.Extra("scope") != publicScopes {
			t.Errorf("refreshed token = %+v", tok)
		}
		client := authtest.NewTestClient(srv.HTTPClient(), srv.URL())
		for _, at := range []string{first.AccessToken, tok.AccessToken} {
			if _, err := unary(t, client, bearer(at)); err != nil {
				t.Errorf("access token after refresh: %v", err)
			}
		}
		if c := srv.Counters(); c.TokenRequests != 1 || c.RefreshGrants != 1 || c.TokensIssued != 1 {
			t.Errorf("counters = %+v", c)
		}

		// The new refresh token works once more.
		if _, err := oauthConfig(srv, advertisedURI).TokenSource(oauthContext(t, srv), expired(tok)).Token(); err != nil {
			t.Fatalf("second refresh: %v", err)
		}
	})
}

func TestRefreshTokenReplayRevokesTheGrant(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	first := login(t, srv)
	cfg := oauthConfig(srv, advertisedURI)
	second, err := cfg.TokenSource(oauthContext(t, srv), expired(first)).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	_, err = cfg.TokenSource(oauthContext(t, srv), expired(first)).Token()
	if code := retrieveCode(err); code != "invalid_grant" {
		t.Fatalf("replayed refresh token: error %v, want invalid_grant", err)
	}
	// Every token of the grant is gone, the rotated ones too.
	wantOAuthError(t, "refresh token issued before the replay", postForm(t, srv, srv.TokenURL(), refreshForm(second.RefreshToken)), 400, "invalid_grant")
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL())
	for _, at := range []string{first.AccessToken, second.AccessToken} {
		_, err := unary(t, client, bearer(at))
		wantCode(t, "access token of a revoked grant", err, connect.CodeUnauthenticated)
	}
	if c := srv.Counters(); c.RefreshGrants != 1 {
		t.Errorf("RefreshGrants = %d, want 1", c.RefreshGrants)
	}
}

func TestConcurrentRefreshesWithOneTokenSucceedOnce(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	tok := login(t, srv)
	if ok := concurrentSuccesses(t, srv, 20, refreshForm(tok.RefreshToken)); ok != 1 || srv.Counters().RefreshGrants != 1 {
		t.Errorf("%d refreshes succeeded (RefreshGrants %d), want 1", ok, srv.Counters().RefreshGrants)
	}
}

func TestRefreshWithoutRotation(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithRefreshRotation(false))
	first := login(t, srv)

	res := postForm(t, srv, srv.TokenURL(), refreshForm(first.RefreshToken))
	var raw fullTokenAnswer
	decodeJSON(t, res.Body, &raw)
	if res.StatusCode != http.StatusOK || raw.RefreshToken != nil || raw.AccessToken == "" || raw.Scope != publicScopes {
		t.Errorf("refresh answer: %d %+v, want no refresh_token", res.StatusCode, raw)
	}
	// x/oauth2 keeps the refresh token it had; it keeps working.
	cfg := oauthConfig(srv, advertisedURI)
	tok, err := cfg.TokenSource(oauthContext(t, srv), expired(first)).Token()
	if err != nil || tok.RefreshToken != first.RefreshToken {
		t.Fatalf("refresh: %v, refresh token kept %v", err, tok != nil && tok.RefreshToken == first.RefreshToken)
	}
	if _, err := cfg.TokenSource(oauthContext(t, srv), expired(tok)).Token(); err != nil {
		t.Errorf("third refresh: %v", err)
	}
	if c := srv.Counters(); c.RefreshGrants != 3 {
		t.Errorf("RefreshGrants = %d, want 3", c.RefreshGrants)
	}
}

func TestRefreshScope(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithRefreshRotation(false))
	tok := login(t, srv)
	narrow := refreshForm(tok.RefreshToken)
	narrow.Set("scope", "all")
	res := postForm(t, srv, srv.TokenURL(), narrow)
	var got tokenAnswer
	decodeJSON(t, res.Body, &got)
	if res.StatusCode != http.StatusOK || got.Scope != "all" {
		t.Errorf("narrowed scope: %d %q", res.StatusCode, got.Scope)
	}
	wide := refreshForm(tok.RefreshToken)
	wide.Set("scope", "all admin")
	wantOAuthError(t, "widened scope", postForm(t, srv, srv.TokenURL(), wide), 400, "invalid_scope")
}

func TestRefreshRefusals(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithRefreshRotation(false))
	tok := login(t, srv)
	checkRefusals(t, srv, func(*testing.T) url.Values { return refreshForm(tok.RefreshToken) }, []refusal{
		{"unknown token", func(v url.Values) { v.Set("refresh_token", "nope") }, nil, 400, "invalid_grant"},
		{"access token", func(v url.Values) { v.Set("refresh_token", tok.AccessToken) }, nil, 400, "invalid_grant"},
		{"no token", func(v url.Values) { v.Del("refresh_token") }, nil, 400, "invalid_request"},
		{"another client", func(v url.Values) { v.Del("client_id") }, basicCredentials(srv), 400, "invalid_grant"},
		{"unknown client", func(v url.Values) { v.Set("client_id", "someone") }, nil, 401, "invalid_client"},
	})
	// The token is bound to the public client, which need not say so.
	form := refreshForm(tok.RefreshToken)
	form.Del("client_id")
	if res := postForm(t, srv, srv.TokenURL(), form); res.StatusCode != http.StatusOK {
		t.Errorf("refresh without client_id: status %d", res.StatusCode)
	}
}

func TestRevokeRefreshTokens(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	tok := login(t, srv)
	srv.RevokeRefreshTokens()
	_, err := oauthConfig(srv, advertisedURI).TokenSource(oauthContext(t, srv), expired(tok)).Token()
	if code := retrieveCode(err); code != "invalid_grant" {
		t.Errorf("refresh after RevokeRefreshTokens: %v, want invalid_grant", err)
	}
	if _, err := unary(t, authtest.NewTestClient(srv.HTTPClient(), srv.URL()), bearer(tok.AccessToken)); err != nil {
		t.Errorf("access token after RevokeRefreshTokens: %v", err)
	}
	if _, err := oauthConfig(srv, advertisedURI).TokenSource(oauthContext(t, srv), expired(login(t, srv))).Token(); err != nil {
		t.Errorf("refresh token issued after RevokeRefreshTokens: %v", err)
	}
}

func TestFailTokenRequestsKeepsTheRefreshToken(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	tok := login(t, srv)
	srv.Reset()
	srv.FailTokenRequests(1, http.StatusServiceUnavailable, "<html>down</html>")
	cfg := oauthConfig(srv, advertisedURI)
	_, err := cfg.TokenSource(oauthContext(t, srv), expired(tok)).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("refresh during the failure: %v", err)
	}
	if _, err := cfg.TokenSource(oauthContext(t, srv), expired(tok)).Token(); err != nil {
		t.Errorf("same refresh token after the failure: %v", err)
	}
	if c := srv.Counters(); c.TokenRequests != 2 || c.RefreshGrants != 1 {
		t.Errorf("TokenRequests = %d, RefreshGrants = %d, want 2 and 1", c.TokenRequests, c.RefreshGrants)
	}
}
