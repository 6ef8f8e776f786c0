package transport_test

import (
	"os"
	"path/filepath"
	"testing"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

func TestHeaderKeyComesFromTheServer(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithAuthorizationMetadataKey("flyte-authorization"))
	c := newClient(t, platform(srv))
	if err := unary(t.Context(), authtest.NewTestClient(c, srv.URL(), connect.WithGRPC()), "k"); err != nil {
		t.Fatalf("token sent in the wrong header: %v", err)
	}
	if got := srv.Counters(); got.Unauthenticated != 0 {
		t.Fatalf("%d rejections; the discovered header should be used from the first call", got.Unauthenticated)
	}
}

func TestClientSecretSourcesAndAuthStyles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		set   func(t *testing.T, cfg *config.Platform, secret string)
		style oauth2.AuthStyle
	}{
		{"literal, basic", func(t *testing.T, cfg *config.Platform, secret string) {}, oauth2.AuthStyleInHeader},
		{"literal, body", func(t *testing.T, cfg *config.Platform, secret string) {}, oauth2.AuthStyleInParams},
		{"file with newline", func(t *testing.T, cfg *config.Platform, secret string) {
			path := filepath.Join(t.TempDir(), "secret")
			if err := os.WriteFile(path, []byte(secret+"\r\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg.ClientSecret, cfg.ClientSecretLocation = "wrong", path
		}, oauth2.AuthStyleInHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t)
			cfg := platform(srv)
			tc.set(t, cfg, srv.ClientSecret())
			c := newClient(t, cfg, transport.WithAuthnOptions(authn.WithAuthStyle(tc.style)))
			if err := unary(t.Context(), authtest.NewTestClient(c, srv.URL()), "s"); err != nil {
				t.Fatal(err)
			}
			if n := srv.Counters().TokenRequests; n != 1 {
				t.Fatalf("token requests = %d, want 1", n)
			}
		})
	}
}

func TestStaticClientConfigSkipsMetadata(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	c := newClient(t, platform(srv), transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{TokenEndpoint: srv.TokenURL()})))
	if err := unary(t.Context(), authtest.NewTestClient(c, srv.URL()), "s"); err != nil {
		t.Fatal(err)
	}
	if got := srv.Counters(); got.GetOAuth2Metadata+got.GetPublicClientConfig+got.WellKnown+got.FlyteClient != 0 {
		t.Fatalf("metadata asked despite a static client config: %+v", got)
	}
}
