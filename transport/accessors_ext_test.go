package transport_test

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

func TestAuthenticatorOfAStackWithoutBearerLayer(t *testing.T) {
	t.Parallel()
	rt, err := transport.New(t.Context(), &config.Platform{Endpoint: "flyte.example.com", AuthType: config.AuthNone})
	if err != nil {
		t.Fatal(err)
	}
	if a := transport.AuthenticatorOf(rt); a != nil {
		t.Errorf("AuthenticatorOf(authType None) = %v, want nil", a)
	}
	if a := transport.AuthenticatorOf(http.DefaultTransport); a != nil {
		t.Errorf("AuthenticatorOf(http.DefaultTransport) = %v, want nil", a)
	}
}

func TestProxyForRejectsAMalformedProxyURL(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "https://flyte.example.com/", nil)
	_, err := transport.ProxyFor(&config.Platform{Endpoint: "flyte.example.com", HTTPProxyURL: "proxy:3128"}, req)
	if err == nil {
		t.Fatal("ProxyFor accepted a proxy URL without a scheme")
	}
}

// Every connection of the stack, token endpoint and RPCs alike, goes through
// WithDialer's function.
func TestWithDialerDialsEveryConnection(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	var dials atomic.Int64
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	client, err := transport.NewClient(t.Context(), &config.Platform{
		Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(),
		AuthType: config.AuthClientSecret, ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(),
	}, transport.WithDialer(dial))
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/api/v1/echo?msg=x", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || dials.Load() == 0 {
		t.Errorf("status %d after %d dials; want 200 through the dialer", resp.StatusCode, dials.Load())
	}
}
