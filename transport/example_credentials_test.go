package transport_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

// A multi-cluster Flyte 2 user talks to the control plane and to a data
// plane with one set of credentials: the data-plane stack is built from the
// control plane's, so both share one token (one token request, one refresh,
// one login), and each sends it only to its own host.
func ExampleWithCredentialsFrom() {
	srv, err := authtest.Start(authtest.WithFlyte2())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()

	controlPlane, err := transport.New(ctx, &config.Platform{
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
	cc, err := transport.ServerConfig(ctx, controlPlane)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("AuthMetadataService:", cc.API)

	// The server names its data plane in dataplane_domain; here it is the
	// same test server under the name localhost.
	port := cc.DataplaneDomain[strings.LastIndex(cc.DataplaneDomain, ":"):]
	dataPlane, err := transport.New(ctx, &config.Platform{
		Endpoint:       "localhost" + port,
		CACertFilePath: srv.CAFile(),
	}, transport.WithCredentialsFrom(controlPlane))
	if err != nil {
		fmt.Println(err)
		return
	}

	for _, c := range []struct {
		name string
		rt   http.RoundTripper
		url  string
	}{{"control plane", controlPlane, srv.URL()}, {"data plane", dataPlane, "https://localhost" + port}} {
		client := authtest.NewVersionClient(&http.Client{Transport: c.rt}, c.url)
		if _, err := client.CallUnary(ctx, connect.NewRequest(&authtest.GetVersionRequest{})); err != nil {
			fmt.Println(c.name, err)
			return
		}
		fmt.Println(c.name, "ok")
	}
	fmt.Println("token requests:", srv.Counters().TokenRequests)
	// Output:
	// AuthMetadataService: v2
	// control plane ok
	// data plane ok
	// token requests: 1
}
