package hydra_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/conformance/peers/peertest"
	"github.com/authwire/authwire/conformance/peers/resource"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

func server() peertest.Server {
	return peertest.Server{Roots: peer.tls.Pool, TokenPath: "/oauth2/token"}
}

func introspect() resource.Introspector {
	return resource.Introspection(adminClient(), peer.admin+"/admin/oauth2/introspect", "", "")
}

// newResource starts a Flyte-like service that checks tokens with Hydra's
// introspection and publishes its OpenID discovery document.
func newResource(t *testing.T) *resource.Server {
	t.Helper()
	return peertest.NewResource(t, peer.public+"/.well-known/openid-configuration", introspect(), adminClient())
}

// revoke revokes token at Hydra (RFC 7009) and checks it is inactive.
func revoke(t *testing.T, token string, auth peertest.ClientAuth) {
	t.Helper()
	status, body, err := peertest.PostForm(t.Context(), adminClient(), peer.public+"/oauth2/revoke", url.Values{"token": {token}}, auth)
	if err != nil || status != http.StatusOK {
		t.Fatalf("revocation: %d %s %v", status, body, err)
	}
	if active, err := introspect()(t.Context(), token); err != nil || active {
		t.Fatalf("after revocation the token is active=%v (%v)", active, err)
	}
}

func clientAuth(client string) peertest.ClientAuth {
	return peertest.ClientAuth{ID: client, Secret: peer.secrets[client], Basic: client == basicClient}
}

// TestClientCredentials: Hydra accepts each client only with the method it
// is registered for, and only with form-encoded Basic credentials (the ids
// and secrets contain ':', '+', '/', '%', '&', '='). Tokens are discovered
// from the OpenID configuration the resource server forwards, and a
// revocation costs one token request and one replay.
//
// The Hydra tests run one at a time: in parallel, Hydra (DSN=memory)
// sometimes reported the token it had just issued after a revocation as
// inactive (about one run in six); one at a time they are stable.
func TestClientCredentials(t *testing.T) {
	needHydra(t)
	for _, tc := range []struct {
		name, client string
		style        oauth2.AuthStyle
		ok           bool
	}{
		{"basic client with basic", basicClient, oauth2.AuthStyleInHeader, true},
		{"post client with post", postClient, oauth2.AuthStyleInParams, true},
		{"basic client with post", basicClient, oauth2.AuthStyleInParams, false},
		{"post client with basic", postClient, oauth2.AuthStyleInHeader, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := newResource(t)
			cfg := peertest.Platform(res, config.AuthClientSecret)
			cfg.ClientID, cfg.ClientSecret, cfg.Scopes = tc.client, peer.secrets[tc.client], []string{"all"}
			c, rec := peertest.Stack(t, server(), res, cfg, transport.WithAuthnOptions(authn.WithAuthStyle(tc.style)))
			if !tc.ok {
				err := peertest.Protocols[1].Call(t.Context(), c, res)
				if !peertest.IsCode(err, errs.Unauthenticated) || !strings.Contains(err.Error(), "invalid_client") || strings.Contains(err.Error(), peer.secrets[tc.client]) {
					t.Fatalf("err = %v, want Unauthenticated with invalid_client and no secret", err)
				}
				if n := len(rec.Grants()); n != 1 {
					t.Errorf("token requests = %d, want 1", n)
				}
				return
			}
			peertest.CallAll(t, c, res)
			if got := rec.Grants(); !slices.Equal(got, []string{"client_credentials"}) {
				t.Fatalf("token requests %q, want one client_credentials", got)
			}
			revoke(t, rec.LastBearer(), clientAuth(tc.client))
			before := res.Counters().Attempts
			peertest.CallAll(t, c, res)
			if d := res.Counters().Attempts - before; d != int64(len(peertest.Protocols))+1 {
				t.Errorf("attempts after revocation = %d, want one replay", d)
			}
			if n := len(rec.Grants()); n != 2 {
				t.Errorf("token requests = %d, want 2", n)
			}
		})
	}
}

// TestPKCE logs in through Hydra's login and consent flow (accepted by the
// login app), then lets the token expire: the refresh rotates the refresh
// token, the new one is stored, and Hydra refuses the old one.
func TestPKCE(t *testing.T) {
	needHydra(t)
	res := newResource(t)
	p := peertest.LogIn(t, server(), res, peer.tls.TLSClientConfig())
	first := p.Stored(t, res)

	p.Advance(2 * time.Hour)
	peertest.CallAll(t, p.Client, res)
	if got := p.Rec.Grants(); !slices.Equal(got, []string{"authorization_code", "refresh_token"}) {
		t.Fatalf("token requests %q, want a refresh after expiry", got)
	}
	if second := p.Stored(t, res); second.RefreshToken == first.RefreshToken {
		t.Fatal("after the refresh the store holds the old refresh token, want the rotated one")
	}
	if len(p.Logins.Opened()) != 1 {
		t.Fatal("the refresh started a login")
	}

	// Hydra rotated the refresh token: the old one is refused.
	conf := oauth2.Config{ClientID: publicClient, Endpoint: oauth2.Endpoint{TokenURL: peer.public + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, adminClient())
	_, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: first.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("old refresh token: %v, want invalid_grant", err)
	}
}
