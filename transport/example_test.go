package transport_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

// ExampleNewClient builds the whole stack for a client-secret configuration
// and makes a REST call with it; the same client serves connect clients.
func ExampleNewClient() {
	srv, err := authtest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()

	cfg := &config.Platform{
		Endpoint:       srv.Endpoint(),
		CACertFilePath: srv.CAFile(),
		AuthType:       config.AuthClientSecret,
		ClientID:       srv.ClientID(),
		ClientSecret:   srv.ClientSecret(),
	}
	client, err := transport.NewClient(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.CloseIdleConnections()
	baseURL, err := transport.BaseURL(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/v1/echo?msg=hello", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status)
	fmt.Printf("%s\n", body)
	fmt.Println("token requests:", srv.Counters().TokenRequests)
	// Output:
	// 200 OK
	// {"msg":"hello"}
	// token requests: 1
}

// ExampleAuthenticatorOf asks a stack for its current token and the header
// it sends it in, as "authwire token --header" does.
func ExampleAuthenticatorOf() {
	srv, err := authtest.Start(authtest.WithAuthorizationMetadataKey("flyte-authorization"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()

	rt, err := transport.New(ctx, &config.Platform{
		Endpoint:       srv.Endpoint(),
		CACertFilePath: srv.CAFile(),
		AuthType:       config.AuthClientSecret,
		ClientID:       srv.ClientID(),
		ClientSecret:   srv.ClientSecret(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	auth := transport.AuthenticatorOf(rt)
	tok, err := auth.Token(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	key, err := auth.HeaderKey(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key+":", tok.Type(), tok.AccessToken != "")
	// Output:
	// Flyte-Authorization: Bearer true
}

// ExampleProxyFor names the HTTP proxy the base transport uses for a
// request: httpProxyURL when set, else HTTPS_PROXY and NO_PROXY.
func ExampleProxyFor() {
	cfg := &config.Platform{Endpoint: "flyte.example.com", HTTPProxyURL: "http://proxy.example.com:3128"}
	req, err := http.NewRequest(http.MethodGet, "https://flyte.example.com/api/v1/projects", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	proxy, err := transport.ProxyFor(cfg, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(proxy)
	// Output:
	// http://proxy.example.com:3128
}
