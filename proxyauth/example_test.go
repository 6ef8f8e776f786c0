package proxyauth_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/proxyauth"
)

// ExampleWrap puts the proxy layer in front of a transport: requests to the
// credential's hosts carry "Proxy-Authorization: Bearer <token>", fetched
// once and cached. transport.New does this for proxyCommand.
func ExampleWrap() {
	srv, err := authtest.Start(authtest.WithProxyAuth())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	get := func(rt http.RoundTripper) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL()+"/.well-known/oauth-authorization-server", nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp, err := rt.RoundTrip(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	base := srv.HTTPClient().Transport
	get(base) // the proxy in front of the server turns this away

	fetches := 0
	src := proxyauth.TokenSourceFunc(func(context.Context) (string, time.Time, error) {
		fetches++ // a real source runs a command, e.g. gcloud auth print-identity-token
		return srv.IssueProxyToken(), time.Time{}, nil
	})
	cred := proxyauth.NewCredential(src, proxyauth.WithHosts(srv.Endpoint()))
	rt := proxyauth.Wrap(base, cred)
	get(rt)
	get(rt)
	fmt.Println("token fetches:", fetches)
	// Output:
	// 407 Proxy Authentication Required
	// 200 OK
	// 200 OK
	// token fetches: 1
}
