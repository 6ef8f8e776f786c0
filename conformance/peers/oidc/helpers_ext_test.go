package oidc_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/authwire/authwire/conformance/peers/peertest"
	"github.com/authwire/authwire/conformance/peers/resource"
)

// server describes the provider to [peertest.Stack].
func server() peertest.Server {
	return peertest.Server{Roots: peer.tls.Pool, TokenPath: "/token", DevicePath: "/device/auth"}
}

func introspect() resource.Introspector {
	return resource.Introspection(idpClient(), peer.issuer+"/token/introspection", resourceClient, peer.secrets[resourceClient])
}

// newResource starts a Flyte-like service that checks tokens at the
// provider and publishes its RFC 8414 metadata.
func newResource(t *testing.T) *resource.Server {
	t.Helper()
	return peertest.NewResource(t, peer.issuer+"/.well-known/oauth-authorization-server", introspect(), idpClient())
}

// revoke revokes token at the provider (RFC 7009), authenticating as
// client the way it is registered, and checks that it is inactive.
func revoke(t *testing.T, token, client string) {
	t.Helper()
	auth := peertest.ClientAuth{ID: client, Secret: peer.secrets[client], Basic: client == basicClient || client == resourceClient}
	status, body, err := peertest.PostForm(t.Context(), idpClient(), peer.issuer+"/token/revocation", url.Values{"token": {token}}, auth)
	if err != nil || status != http.StatusOK {
		t.Fatalf("revocation: %d %s %v", status, body, err)
	}
	if active, err := introspect()(t.Context(), token); err != nil || active {
		t.Fatalf("after revocation the token is active=%v (%v)", active, err)
	}
}
