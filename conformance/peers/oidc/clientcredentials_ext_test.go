package oidc_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/conformance/peers/peertest"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

// TestDiscovery reads the provider's RFC 8414 document directly and through
// authwire's remote config store, which finds it at the resource server's
// /.well-known/oauth-authorization-server (its REST fallback: the resource
// server has no AuthMetadataService RPCs).
func TestDiscovery(t *testing.T) {
	t.Parallel()
	resp, err := idpClient().Get(peer.issuer + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var meta struct {
		Issuer                      string   `json:"issuer"`
		TokenEndpoint               string   `json:"token_endpoint"`
		DeviceAuthorizationEndpoint string   `json:"device_authorization_endpoint"`
		CodeChallengeMethods        []string `json:"code_challenge_methods_supported"`
		GrantTypes                  []string `json:"grant_types_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	if meta.Issuer != peer.issuer || !slices.Contains(meta.CodeChallengeMethods, "S256") {
		t.Fatalf("metadata: %+v", meta)
	}
	for _, g := range []string{"client_credentials", "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"} {
		if !slices.Contains(meta.GrantTypes, g) {
			t.Errorf("grant_types_supported lacks %s", g)
		}
	}

	res := newResource(t)
	session, err := transport.Session(peertest.Platform(res, config.AuthNone), transport.WithRootCAs(peer.tls.Pool))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := authn.NewRemoteConfigStore(session, res.URL()).ClientConfig(t.Context())
	if err != nil {
		t.Fatalf("ClientConfig: %v", err)
	}
	want := authn.ClientConfig{
		Issuer:                      peer.issuer,
		TokenEndpoint:               meta.TokenEndpoint,
		AuthorizationEndpoint:       peer.issuer + "/auth",
		DeviceAuthorizationEndpoint: meta.DeviceAuthorizationEndpoint,
		ScopesSupported:             peertest.PublicScopes,
		GrantTypesSupported:         meta.GrantTypes,
		ClientID:                    publicClient,
		RedirectURI:                 "http://127.0.0.1:0/callback",
		Scopes:                      peertest.PublicScopes,
		AuthorizationMetadataKey:    "authorization",
		API:                         authn.APIV1, // the resource server speaks flyteadmin's AuthMetadataService
	}
	if diff := cmp.Diff(want, *cc); diff != "" {
		t.Errorf("client config (-want +got):\n%s", diff)
	}
}

// TestClientCredentials gets a token with each client authentication
// method, from the discovered or the statically configured token endpoint,
// uses it for every protocol, and recovers from its revocation at the
// provider with one token request and one replay.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, client string
		static       bool
	}{
		{"basic/discovered", basicClient, false},
		{"basic/static", basicClient, true},
		{"post/discovered", postClient, false},
		{"post/static", postClient, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := newResource(t)
			cfg := peertest.Platform(res, config.AuthClientSecret)
			cfg.ClientID, cfg.ClientSecret, cfg.Scopes = tc.client, peer.secrets[tc.client], []string{"all"}
			var opts []transport.Option
			if tc.client == postClient {
				opts = append(opts, transport.WithAuthnOptions(authn.WithAuthStyle(oauth2.AuthStyleInParams)))
			}
			if tc.static {
				opts = append(opts, transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{TokenEndpoint: peer.issuer + "/token"})))
			}
			c, rec := peertest.Stack(t, server(), res, cfg, opts...)
			peertest.CallAll(t, c, res)
			if got := rec.Grants(); !slices.Equal(got, []string{"client_credentials"}) {
				t.Fatalf("token requests %q, want one client_credentials", got)
			}
			method := map[string]string{basicClient: "basic", postClient: "post"}[tc.client]
			if got := rec.AuthMethods(); !slices.Equal(got, []string{method}) {
				t.Fatalf("client authentication %q, want %s", got, method)
			}
			if n := res.Counters().Attempts; n != int64(len(peertest.Protocols)) {
				t.Fatalf("attempts = %d, want %d", n, len(peertest.Protocols))
			}
			metadata := res.Counters().Metadata
			if tc.static && metadata != 0 {
				t.Errorf("a static token endpoint still fetched metadata %d times", metadata)
			}

			revoke(t, rec.LastBearer(), tc.client)
			before := res.Counters()
			for _, p := range peertest.Protocols {
				if err := p.Call(t.Context(), c, res); err != nil {
					t.Fatalf("%s after revocation: %v", p.Name, err)
				}
				revoke(t, rec.LastBearer(), tc.client)
			}
			after := res.Counters()
			if d := after.Attempts - before.Attempts; d != 2*int64(len(peertest.Protocols)) {
				t.Errorf("attempts after revocations = %d, want 2 per call", d)
			}
			if n := len(rec.Grants()); n != 1+len(peertest.Protocols) {
				t.Errorf("token requests = %d, want 1 more per revocation", n)
			}
			if after.Metadata != metadata {
				t.Errorf("metadata fetched again after the first token: %d -> %d", metadata, after.Metadata)
			}
		})
	}
}

// TestClientCredentialsRejected: a wrong secret or an unknown client costs
// one token request and fails with Unauthenticated naming the client, never
// the secret. (oidc-provider accepts client_secret_post from a client
// registered for client_secret_basic and the reverse; the Hydra suite checks
// that a strict server's method check passes.)
func TestClientCredentialsRejected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, client, secret string
		style                oauth2.AuthStyle
	}{
		{"wrong secret basic", basicClient, "not+the/secret", oauth2.AuthStyleInHeader},
		{"wrong secret post", postClient, "not+the/secret", oauth2.AuthStyleInParams},
		{"unknown client", "no-such-client", peer.secrets[basicClient], oauth2.AuthStyleInHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := newResource(t)
			cfg := peertest.Platform(res, config.AuthClientSecret)
			cfg.ClientID, cfg.ClientSecret, cfg.Scopes = tc.client, tc.secret, []string{"all"}
			c, rec := peertest.Stack(t, server(), res, cfg,
				transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{TokenEndpoint: peer.issuer + "/token"})),
				transport.WithAuthnOptions(authn.WithAuthStyle(tc.style)))
			err := peertest.Protocols[1].Call(t.Context(), c, res)
			if !peertest.IsCode(err, errs.Unauthenticated) {
				t.Fatalf("err = %v, want Unauthenticated", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.client) || !strings.Contains(msg, "invalid_client") || strings.Contains(msg, tc.secret) {
				t.Errorf("error %q should name the client and invalid_client, not the secret", msg)
			}
			if n := len(rec.Grants()); n != 1 {
				t.Errorf("token requests = %d, want 1", n)
			}
			if n := res.Counters().Attempts; n != 0 {
				t.Errorf("attempts = %d: a call went out without a token", n)
			}
		})
	}
}
