package authn_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
)

// ExampleNew builds the Authenticator of a client-secret configuration and
// the bearer layer over a transport: the first call fetches a token (the
// token endpoint comes from the server's AuthMetadataService), later calls
// reuse it. transport.New does all of this, plus TLS, proxy and retries.
func ExampleNew() {
	srv, err := authtest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()

	cfg := &config.Platform{
		Endpoint:     srv.Endpoint(),
		AuthType:     config.AuthClientSecret,
		ClientID:     srv.ClientID(),
		ClientSecret: srv.ClientSecret(),
	}
	session := srv.HTTPClient() // trusts the server's CA; no bearer layer
	store := authn.NewRemoteConfigStore(session, srv.URL())
	auth, err := authn.New(cfg, store, session)
	if err != nil {
		fmt.Println(err)
		return
	}
	client := &http.Client{Transport: authn.Wrap(session.Transport, auth)}
	for _, msg := range []string{"one", "two"} {
		fmt.Println(fetch(ctx, client, srv.URL()+"/api/v1/echo?msg="+msg))
	}
	fmt.Println("token requests:", srv.Counters().TokenRequests)
	// Output:
	// {"msg":"one"}
	// {"msg":"two"}
	// token requests: 1
}

// ExampleTokenSourceFunc supplies tokens from elsewhere (a workload
// identity, a file a sidecar writes). When the server rejects a token, the
// stack asks the source again once and replays the call.
func ExampleTokenSourceFunc() {
	srv, err := authtest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()

	asked := 0
	src := authn.TokenSourceFunc(func(context.Context) (*oauth2.Token, error) {
		asked++
		return &oauth2.Token{AccessToken: srv.IssueToken(), TokenType: "Bearer"}, nil
	})
	auth, err := authn.New(&config.Platform{Endpoint: srv.Endpoint()}, nil, nil, authn.WithTokenSource(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	client := &http.Client{Transport: authn.Wrap(srv.HTTPClient().Transport, auth)}
	fmt.Println(fetch(ctx, client, srv.URL()+"/api/v1/echo?msg=first"))
	srv.RevokeAll()
	fmt.Println(fetch(ctx, client, srv.URL()+"/api/v1/echo?msg=after-revocation"))
	fmt.Println("source asked:", asked)
	// Output:
	// {"msg":"first"}
	// {"msg":"after-revocation"}
	// source asked: 2
}

// fetch returns the body of a GET of url, or the error.
func fetch(ctx context.Context, client *http.Client, url string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err.Error()
	}
	resp, err := client.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err.Error()
	}
	return string(body)
}
