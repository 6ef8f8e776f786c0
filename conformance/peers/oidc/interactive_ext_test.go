package oidc_test

import (
	"context"
	"crypto/rand"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/conformance/peers/browser"
	"github.com/authwire/authwire/conformance/peers/peertest"
	"github.com/authwire/authwire/transport"
)

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
	p := peertest.LogIn(t, server(), res, peer.tls.TLSClientConfig())
	c, rec, l := p.Client, p.Rec, p.Logins
	if got := rec.AuthMethods(); !slices.Equal(got, []string{"none"}) {
		t.Errorf("a public client sent client authentication %q", got)
	}
	first := p.Stored(t, res)

	// Two hours later the access token has expired: one refresh, no login.
	p.Advance(2 * time.Hour)
	before := res.Counters().Attempts
	peertest.CallAll(t, c, res)
	if d := res.Counters().Attempts - before; d != int64(len(peertest.Protocols)) {
		t.Errorf("attempts after expiry = %d, want no replay", d)
	}
	if got := rec.Grants(); !slices.Equal(got, []string{"authorization_code", "refresh_token"}) {
		t.Fatalf("token requests %q, want a refresh after expiry", got)
	}
	second := p.Stored(t, res)
	if second.RefreshToken == first.RefreshToken {
		t.Errorf("the rotated refresh token was not stored")
	}

	// The provider revokes the grant: the refresh gets invalid_grant, and
	// only that starts a new login.
	revoke(t, rec.LastBearer(), publicClient)
	peertest.CallAll(t, c, res)
	if got := rec.Grants(); !slices.Equal(got, []string{"authorization_code", "refresh_token", "refresh_token", "authorization_code"}) {
		t.Fatalf("token requests %q, want a failed refresh, then a login", got)
	}
	if n := len(l.Opened()); n != 2 {
		t.Fatalf("logins = %d, want 2", n)
	}

	// Another program with the same token store needs no login and no
	// token request.
	c2, rec2 := peertest.Stack(t, server(), res, p.Config, p.Clock(), transport.WithAuthnOptions(authn.WithTokenStore(p.Store), peertest.NoLogin(t)))
	peertest.CallAll(t, c2, res)
	if got := rec2.Grants(); len(got) != 0 {
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
			cfg := peertest.Platform(res, config.AuthDeviceFlow)
			cfg.DeviceFlow.PollInterval = tc.interval
			cfg.DeviceFlow.Timeout = 30 * time.Second
			store := authn.NewMemoryTokenStore()
			a := newApprover(t.Context())
			c, rec := peertest.Stack(t, server(), res, cfg, transport.WithAuthnOptions(authn.WithTokenStore(store), authn.WithPrompt(a)))
			peertest.CallAll(t, c, res)
			if err := <-a.done; err != nil {
				t.Fatalf("approval: %v", err)
			}
			grants := rec.Grants()
			if len(grants) == 0 || slices.ContainsFunc(grants, func(g string) bool { return g != "urn:ietf:params:oauth:grant-type:device_code" }) {
				t.Fatalf("token requests %q, want device_code polls only", grants)
			}
			if rec.DeviceAuthorizations() != 1 {
				t.Errorf("device authorization requests = %d, want 1", rec.DeviceAuthorizations())
			}
			if tc.interval == 0 {
				if len(grants) != 1 {
					t.Errorf("polls = %d: the first poll, 5 s after the prompt, should have found the approval", len(grants))
				}
				if waited := time.Since(a.at); waited < 5*time.Second {
					t.Errorf("logged in %s after the prompt: polled faster than the 5 s default", waited)
				}
			}
			peertest.StoredToken(t, store, res)
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
		Scopes:   peertest.PublicScopes,
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

	c, rec := peertest.Stack(t, server(), res, peertest.Platform(res, config.AuthPKCE), transport.WithAuthnOptions(authn.WithTokenStore(store), peertest.NoLogin(t)))
	peertest.CallAll(t, c, res)
	if got := rec.Grants(); !slices.Equal(got, []string{"refresh_token"}) {
		t.Fatalf("token requests %q, want one refresh_token", got)
	}
	if rec.LastBearer() == tok.AccessToken {
		t.Error("the expired access token was sent")
	}
	if got := peertest.StoredToken(t, store, res); got.AccessToken == tok.AccessToken {
		t.Error("the refreshed token was not stored")
	}
}
