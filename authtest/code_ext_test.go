package authtest_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authtest"
)

// codeForm is a token request for code with verifier at the advertised
// redirect URI, from the public client.
func codeForm(code, verifier string) url.Values {
	return url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"code_verifier": {verifier},
		"redirect_uri":  {advertisedURI},
		"client_id":     {publicClient},
	}
}

func TestCodeExchangeRefusals(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	verifier := oauth2.GenerateVerifier()
	checkRefusals(t, srv, func(t *testing.T) url.Values {
		return codeForm(issueCode(t, srv, authorizeParams(verifier)), verifier)
	}, []refusal{
		{"no client", func(v url.Values) { v.Del("client_id") }, nil, 401, "invalid_client"},
		{"public client with a secret", func(v url.Values) { v.Set("client_secret", "x") }, nil, 401, "invalid_client"},
		{"unknown client", func(v url.Values) { v.Set("client_id", "someone") }, nil, 401, "invalid_client"},
		{"another client", func(v url.Values) { v.Del("client_id") }, basicCredentials(srv), 400, "invalid_grant"},
		{"Basic and form disagree", func(url.Values) {}, url.UserPassword(srv.ClientID(), ""), 400, "invalid_request"},
		{"no code", func(v url.Values) { v.Del("code") }, nil, 400, "invalid_request"},
		{"unknown code", func(v url.Values) { v.Set("code", "nope") }, nil, 400, "invalid_grant"},
		{"other redirect_uri", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:9/callback") }, nil, 400, "invalid_grant"},
		{"no redirect_uri", func(v url.Values) { v.Del("redirect_uri") }, nil, 400, "invalid_grant"},
		{"wrong verifier", func(v url.Values) { v.Set("code_verifier", oauth2.GenerateVerifier()) }, nil, 400, "invalid_grant"},
		{"no verifier", func(v url.Values) { v.Del("code_verifier") }, nil, 400, "invalid_grant"},
		{"verifier is the challenge", func(v url.Values) { v.Set("code_verifier", oauth2.S256ChallengeFromVerifier(verifier)) }, nil, 400, "invalid_grant"},
	})
}

func TestCodeIsBurntByAWrongVerifier(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	verifier := oauth2.GenerateVerifier()
	code := issueCode(t, srv, authorizeParams(verifier))
	wantOAuthError(t, "wrong verifier", postForm(t, srv, srv.TokenURL(), codeForm(code, oauth2.GenerateVerifier())), 400, "invalid_grant")
	wantOAuthError(t, "right verifier after a wrong one", postForm(t, srv, srv.TokenURL(), codeForm(code, verifier)), 400, "invalid_grant")
	if c := srv.Counters(); c.CodeGrants != 0 || c.TokensIssued != 0 {
		t.Errorf("CodeGrants = %d, TokensIssued = %d", c.CodeGrants, c.TokensIssued)
	}
}

func TestCodeReuseRevokesItsTokens(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	verifier := oauth2.GenerateVerifier()
	code := issueCode(t, srv, authorizeParams(verifier))
	res := postForm(t, srv, srv.TokenURL(), codeForm(code, verifier))
	var tok fullTokenAnswer
	decodeJSON(t, res.Body, &tok)
	if res.StatusCode != http.StatusOK || tok.RefreshToken == nil {
		t.Fatalf("first exchange: %d %+v", res.StatusCode, tok)
	}
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL())
	if _, err := unary(t, client, bearer(tok.AccessToken)); err != nil {
		t.Fatalf("token from the first exchange: %v", err)
	}

	wantOAuthError(t, "second exchange", postForm(t, srv, srv.TokenURL(), codeForm(code, verifier)), 400, "invalid_grant")
	_, err := unary(t, client, bearer(tok.AccessToken))
	wantCode(t, "access token after the code was reused", err, connect.CodeUnauthenticated)
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {*tok.RefreshToken}, "client_id": {publicClient}}
	wantOAuthError(t, "refresh token after the code was reused", postForm(t, srv, srv.TokenURL(), refresh), 400, "invalid_grant")
	if _, err := unary(t, client, bearer(login(t, srv).AccessToken)); err != nil {
		t.Errorf("a new login after the reuse: %v", err)
	}
}

func TestConcurrentCodeExchangesIssueOnce(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	verifier := oauth2.GenerateVerifier()
	code := issueCode(t, srv, authorizeParams(verifier))
	if ok := concurrentSuccesses(t, srv, 10, codeForm(code, verifier)); ok != 1 || srv.Counters().CodeGrants != 1 {
		t.Errorf("%d exchanges succeeded (CodeGrants %d), want 1", ok, srv.Counters().CodeGrants)
	}
}

func TestCodeExpiresOnTheClock(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC))
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithClock(clock.Now))
	verifier := oauth2.GenerateVerifier()
	fresh := issueCode(t, srv, authorizeParams(verifier))
	stale := issueCode(t, srv, authorizeParams(verifier))

	clock.Advance(10*time.Minute - time.Second)
	if res := postForm(t, srv, srv.TokenURL(), codeForm(fresh, verifier)); res.StatusCode != http.StatusOK {
		t.Errorf("code just before expiry: status %d", res.StatusCode)
	}
	clock.Advance(time.Second)
	wantOAuthError(t, "expired code", postForm(t, srv, srv.TokenURL(), codeForm(stale, verifier)), 400, "invalid_grant")
}

func TestConfidentialClientCodeFlow(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	verifier := oauth2.GenerateVerifier()
	params := authorizeParams(verifier)
	params.Set("client_id", srv.ClientID())
	code := issueCode(t, srv, params)
	form := codeForm(code, verifier)
	form.Del("client_id")
	res := postToken(t, srv, form, basicCredentials(srv), nil)
	var tok fullTokenAnswer
	decodeJSON(t, res.Body, &tok)
	if res.StatusCode != http.StatusOK || tok.RefreshToken == nil {
		t.Fatalf("exchange: %d", res.StatusCode)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {*tok.RefreshToken}}
	wantOAuthError(t, "refresh without client authentication", postForm(t, srv, srv.TokenURL(), refresh), 401, "invalid_client")
	if res := postToken(t, srv, refresh, basicCredentials(srv), nil); res.StatusCode != http.StatusOK {
		t.Errorf("refresh with client authentication: status %d", res.StatusCode)
	}
}

func TestPublicClientMayNotUseClientCredentials(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {publicClient}}
	wantOAuthError(t, "client_credentials as flytectl", postForm(t, srv, srv.TokenURL(), form), 400, "unauthorized_client")
}
