package authtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authtest"
)

const (
	publicClient  = "flytectl"
	advertisedURI = "http://localhost:53593/callback"
	deviceGrant   = "urn:ietf:params:oauth:grant-type:device_code"
	publicScopes  = "offline all"
)

// oauthConfig is an x/oauth2 config for the public client of srv, sending
// client_id in the form as a public client does.
func oauthConfig(srv *authtest.Server, redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: publicClient,
		Endpoint: oauth2.Endpoint{
			AuthURL:       srv.URL() + "/oauth2/authorize",
			TokenURL:      srv.TokenURL(),
			DeviceAuthURL: srv.URL() + "/oauth2/device/auth",
			AuthStyle:     oauth2.AuthStyleInParams,
		},
		RedirectURL: redirect,
		Scopes:      strings.Fields(publicScopes),
	}
}

// oauthContext makes x/oauth2 send through srv's client.
func oauthContext(t *testing.T, srv *authtest.Server) context.Context {
	return context.WithValue(t.Context(), oauth2.HTTPClient, srv.HTTPClient())
}

// noRedirects is srv's client stopping at the first redirect, as a test
// needs to read the authorization endpoint's answer.
func noRedirects(srv *authtest.Server) *http.Client {
	c := *srv.HTTPClient()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// authorizeAt sends the browser to authURL and returns the query of the
// redirect the endpoint answered; it fails the test for any other answer.
func authorizeAt(t *testing.T, srv *authtest.Server, authURL string) url.Values {
	t.Helper()
	res := fetchWith(t, noRedirects(srv), authURL)
	if res.StatusCode != http.StatusFound {
		t.Fatalf("authorization endpoint: status %d, want 302: %s", res.StatusCode, readBody(t, res))
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location: %v", err)
	}
	return loc.Query()
}

func fetchWith(t *testing.T, client *http.Client, rawURL string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// callback is a loopback redirect target on a free port that records the
// query of each request to /callback.
type callback struct {
	URL     string // the redirect URI
	queries chan url.Values
}

func newCallback(t *testing.T) *callback {
	t.Helper()
	cb := &callback{queries: make(chan url.Values, 1)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		select {
		case cb.queries <- r.URL.Query():
		default:
		}
		w.Write([]byte("done"))
	}))
	t.Cleanup(srv.Close)
	cb.URL = srv.URL + "/callback"
	return cb
}

// browse follows authURL and every redirect, as a browser whose user the
// server approves at once, and returns what the callback received.
func (cb *callback) browse(t *testing.T, srv *authtest.Server, authURL string) url.Values {
	t.Helper()
	query := authorizeAt(t, srv, authURL)
	loc, err := url.Parse(cb.URL)
	if err != nil {
		t.Fatal(err)
	}
	loc.RawQuery = query.Encode()
	// The callback is plain HTTP/1.1: reach it with a client of its own.
	fetchWith(t, &http.Client{Transport: &http.Transport{Proxy: nil}}, loc.String())
	select {
	case q := <-cb.queries:
		return q
	default:
		t.Fatal("the callback received nothing")
		return nil
	}
}

// login runs the code flow with PKCE for the public client at the
// advertised redirect URI and returns the token x/oauth2 got.
func login(t *testing.T, srv *authtest.Server) *oauth2.Token {
	t.Helper()
	cfg := oauthConfig(srv, advertisedURI)
	verifier := oauth2.GenerateVerifier()
	q := authorizeAt(t, srv, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	tok, err := cfg.Exchange(oauthContext(t, srv), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	return tok
}

// authorizeParams are the parameters of a valid authorization request at
// the advertised redirect URI, with the S256 challenge of verifier.
func authorizeParams(verifier string) url.Values {
	sum := sha256.Sum256([]byte(verifier))
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {publicClient},
		"redirect_uri":          {advertisedURI},
		"scope":                 {publicScopes},
		"state":                 {"s1"},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
}

// issueCode gets a code for params from the authorization endpoint.
func issueCode(t *testing.T, srv *authtest.Server, params url.Values) string {
	t.Helper()
	q := authorizeAt(t, srv, srv.URL()+"/oauth2/authorize?"+params.Encode())
	if q.Get("code") == "" {
		t.Fatalf("no code in the redirect: %v", q)
	}
	return q.Get("code")
}

// postForm posts form to rawURL through srv's client.
func postForm(t *testing.T, srv *authtest.Server, rawURL string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", rawURL, err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// refusal is a token request the endpoint must refuse: a valid form with
// edit applied, sent with basic (when set) as HTTP Basic credentials.
type refusal struct {
	name   string
	edit   func(url.Values)
	basic  *url.Userinfo
	status int
	code   string
}

// checkRefusals sends each refusal, editing a form valid made, and checks
// the error answer.
func checkRefusals(t *testing.T, srv *authtest.Server, valid func(t *testing.T) url.Values, refusals []refusal) {
	t.Helper()
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			form := valid(t)
			tt.edit(form)
			wantOAuthError(t, "token request", postToken(t, srv, form, tt.basic, nil), tt.status, tt.code)
		})
	}
}

// concurrentSuccesses posts form to the token endpoint from n goroutines at
// once and returns how many got HTTP 200.
func concurrentSuccesses(t *testing.T, srv *authtest.Server, n int, form url.Values) int {
	t.Helper()
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.TokenURL(), strings.NewReader(form.Encode()))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := srv.HTTPClient().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == http.StatusOK {
			ok++
		}
	}
	return ok
}

// wantOAuthError checks that res is an RFC 6749 error answer with status
// and code.
func wantOAuthError(t *testing.T, what string, res *http.Response, status int, code string) {
	t.Helper()
	var e errorAnswer
	decodeJSON(t, res.Body, &e)
	if res.StatusCode != status || e.Error != code {
		t.Errorf("%s: %d %q (%s), want %d %q", what, res.StatusCode, e.Error, e.Description, status, code)
	}
}

// retrieveCode returns the RFC 6749 error code of an x/oauth2 error.
func retrieveCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

// fullTokenAnswer is a token answer with its refresh token.
type fullTokenAnswer struct {
	tokenAnswer
	RefreshToken *string `json:"refresh_token"`
}
