package oidc_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/conformance/peers/browser"
	"github.com/authwire/authwire/conformance/peers/resource"
	"github.com/authwire/authwire/transport"
)

// logins records the login pages the stack opened and completes each with
// a scripted browser: sign in, consent, and the redirect to authwire's
// loopback callback.
type logins struct {
	t    *testing.T
	mu   sync.Mutex
	urls []string
}

func (l *logins) open(ctx context.Context, u string) error {
	l.mu.Lock()
	l.urls = append(l.urls, u)
	l.mu.Unlock()
	b := browser.New("alice", rand.Text(), peer.tls.TLSClientConfig())
	if _, page, err := b.Visit(ctx, u); err != nil {
		l.t.Errorf("login in the browser: %v (pages %q, last %.500s)", err, b.Pages, page)
		return err
	}
	return nil
}

func (l *logins) opened() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.urls)
}

func noLogin(t *testing.T) authn.Option {
	return authn.WithBrowser(func(context.Context, string) error {
		t.Error("a login was started")
		return errors.New("no login expected")
	})
}

func storedToken(t *testing.T, store authn.TokenStore, res *resource.Server) *oauth2.Token {
	t.Helper()
	tok, err := store.Load(t.Context(), authn.TokenKey{Endpoint: res.Endpoint(), ClientID: publicClient})
	if err != nil || tok == nil || tok.RefreshToken == "" {
		t.Fatalf("stored token %v, %v: want one with a refresh token", tok, err)
	}
	return tok
}

// TestPKCE logs in with the authorization code grant and PKCE S256 against
// the provider's login and consent pages; refreshes the token when it
// expires (the provider rotates the refresh token of a public client);
// after a revocation at the provider (which revokes the whole grant, refresh
// token included) gets invalid_grant for the refresh and only then logs in
// again; and lets a second program start from the stored token without a
// login.
func TestPKCE(t *testing.T) {
	t.Parallel()
	res := newResource(t)
	cfg := platform(res, config.AuthPKCE)
	cfg.PKCE.Timeout = 30 * time.Second // a failed login fails the test soon
	store := authn.NewMemoryTokenStore()
	l := logins{t: t}
	var skew atomic.Int64
	clock := transport.WithClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	c, rec := stack(t, res, cfg, clock, transport.WithAuthnOptions(authn.WithTokenStore(store), authn.WithBrowser(l.open)))
	callAll(t, c, res)

	urls := l.opened()
	if len(urls) != 1 {
		t.Fatalf("logins = %d, want 1", len(urls))
	}
	u, err := url.Parse(urls[0])
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		t.Errorf("authorization request without an S256 challenge: %s", u.RawQuery)
	case q.Get("state") == "" || q.Get("client_id") != publicClient:
		t.Errorf("authorization request without state or client id: %s", u.RawQuery)
	case redirect == nil || redirect.Hostname() != "127.0.0.1" || redirect.Port() == "0" || redirect.Port() == "":
		t.Errorf("redirect_uri %q: want the loopback port actually bound", q.Get("redirect_uri"))
	}
	if got := rec.tokenGrants(); !slices.Equal(got, []string{"authorization_code"}) {
		t.Fatalf("token requests %q, want one authorization_code", got)
	}
	if got := rec.authMethods(); !slices.Equal(got, []string{"none"}) {
		t.Errorf("a public client sent client authentication %q", got)
	}
	first := storedToken(t, store, res)

	// Two hours later the access token has expired: one refresh, no login.
	skew.Store(int64(2 * time.Hour))
	before := res.Counters().Attempts
	callAll(t, c, res)
	if d := res.Counters().Attempts - before; d != int64(len(protocols)) {
		t.Errorf("attempts after expiry = %d, want no replay", d)
	}
	if got := rec.tokenGrants(); !slices.Equal(got, []string{"authorization_code", "refresh_token"}) {
		t.Fatalf("token requests %q, want a refresh after expiry", got)
	}
	second := storedToken(t, store, res)
	if second.RefreshToken == first.RefreshToken {
		t.Errorf("the rotated refresh token was not stored")
	}

	// The provider revokes the grant: the refresh gets invalid_grant, and
	// only that starts a new login.
	revoke(t, rec.lastBearer(), publicClient)
	callAll(t, c, res)
	if got := rec.tokenGrants(); !slices.Equal(got, []string{"authorization_code", "refresh_token", "refresh_token", "authorization_code"}) {
		t.Fatalf("token requests %q, want a failed refresh, then a login", got)
	}
	if n := len(l.opened()); n != 2 {
		t.Fatalf("logins = %d, want 2", n)
	}

	// Another program with the same token store needs no login and no
	// token request.
	c2, rec2 := stack(t, res, cfg, clock, transport.WithAuthnOptions(authn.WithTokenStore(store), noLogin(t)))
	callAll(t, c2, res)
	if got := rec2.tokenGrants(); len(got) != 0 {
		t.Errorf("second program made token requests %q", got)
	}
}

// approver reads the device-flow prompt and approves the code in a
// scripted browser, once.
type approver struct {
	ctx  context.Context
	once sync.Once
	done chan error
	at   time.Time // when the prompt was shown
}

var verificationURL = regexp.MustCompile(`https?://\S+user_code=\S+`)

func newApprover(ctx context.Context) *approver {
	return &approver{ctx: ctx, done: make(chan error, 1)}
}

func (a *approver) Write(p []byte) (int, error) {
	if u := verificationURL.Find(p); u != nil {
		a.once.Do(func() {
			a.at = time.Now()
			go func() {
				_, _, err := browser.New("bob", rand.Text(), peer.tls.TLSClientConfig()).Visit(a.ctx, string(u))
				a.done <- err
			}()
		})
	}
	return len(p), nil
}

// TestDeviceFlow logs in with the device authorization grant; the code is
// approved in a scripted browser from the verification_uri_complete of the
// prompt. The provider's device response has no interval: authwire polls
// every deviceFlowConfig.pollInterval when set, else every 5 s (RFC 8628).
func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		interval time.Duration
	}{
		{"poll interval configured", 200 * time.Millisecond},
		{"default interval", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := newResource(t)
			cfg := platform(res, config.AuthDeviceFlow)
			cfg.DeviceFlow.PollInterval = tc.interval
			cfg.DeviceFlow.Timeout = 30 * time.Second
			store := authn.NewMemoryTokenStore()
			a := newApprover(t.Context())
			c, rec := stack(t, res, cfg, transport.WithAuthnOptions(authn.WithTokenStore(store), authn.WithPrompt(a)))
			callAll(t, c, res)
			if err := <-a.done; err != nil {
				t.Fatalf("approval: %v", err)
			}
			grants := rec.tokenGrants()
			if len(grants) == 0 || slices.ContainsFunc(grants, func(g string) bool { return g != "urn:ietf:params:oauth:grant-type:device_code" }) {
				t.Fatalf("token requests %q, want device_code polls only", grants)
			}
			if rec.deviceAuth != 1 {
				t.Errorf("device authorization requests = %d, want 1", rec.deviceAuth)
			}
			if tc.interval == 0 {
				if len(grants) != 1 {
					t.Errorf("polls = %d: the first poll, 5 s after the prompt, should have found the approval", len(grants))
				}
				if waited := time.Since(a.at); waited < 5*time.Second {
					t.Errorf("logged in %s after the prompt: polled faster than the 5 s default", waited)
				}
			}
			storedToken(t, store, res)
		})
	}
}

// TestRefreshFromStore starts from a token store that holds an expired
// access token and a refresh token (as left by an earlier login, here one
// made with golang.org/x/oauth2's device flow): the first call refreshes,
// without a login.
func TestRefreshFromStore(t *testing.T) {
	t.Parallel()
	res := newResource(t)
	conf := &oauth2.Config{
		ClientID: publicClient,
		Endpoint: oauth2.Endpoint{TokenURL: peer.issuer + "/token", DeviceAuthURL: peer.issuer + "/device/auth", AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   publicScopes,
	}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, idpClient())
	da, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := browser.New("carol", rand.Text(), peer.tls.TLSClientConfig()).Visit(ctx, da.VerificationURIComplete); err != nil {
		t.Fatal(err)
	}
	da.Interval = 1
	tok, err := conf.DeviceAccessToken(ctx, da)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token from the device flow")
	}
	store := authn.NewMemoryTokenStore()
	key := authn.TokenKey{Endpoint: res.Endpoint(), ClientID: publicClient}
	expired := &oauth2.Token{AccessToken: tok.AccessToken, TokenType: "Bearer", RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
	if err := store.Save(t.Context(), key, expired); err != nil {
		t.Fatal(err)
	}

	c, rec := stack(t, res, platform(res, config.AuthPKCE), transport.WithAuthnOptions(authn.WithTokenStore(store), noLogin(t)))
	callAll(t, c, res)
	if got := rec.tokenGrants(); !slices.Equal(got, []string{"refresh_token"}) {
		t.Fatalf("token requests %q, want one refresh_token", got)
	}
	if rec.lastBearer() == tok.AccessToken {
		t.Error("the expired access token was sent")
	}
	if got := storedToken(t, store, res); got.AccessToken == tok.AccessToken {
		t.Error("the refreshed token was not stored")
	}
}
