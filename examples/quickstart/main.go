// Command quickstart shows one authwire stack serving every kind of call a
// Flyte client makes — Connect, gRPC, gRPC-Web and REST through one
// *http.Client — against the fake Flyte server of package authtest, started
// in-process: TLS with its own CA, an authenticating proxy in front, and the
// client-credentials flow. It needs no network and no configuration.
//
//	go run github.com/authwire/authwire/examples/quickstart
//
// Everything it uses is public API; copy it and point the configuration at
// your own Flyte endpoint (see ../flytectlconfig for loading
// ~/.flyte/config.yaml instead of building the configuration in code).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/proxyauth"
	"github.com/authwire/authwire/transport"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run is the whole scenario; it writes what each call returned to out.
func run(ctx context.Context, out io.Writer) error {
	// The fake server: anonymous AuthMetadataService, an OAuth2 token
	// endpoint, a protected test service, and a proxy that lets a request
	// through only with "Proxy-Authorization: Bearer <proxy token>".
	srv, err := authtest.Start(authtest.WithProxyAuth())
	if err != nil {
		return err
	}
	defer srv.Close()

	// What a user writes in ~/.flyte/config.yaml, here as a struct:
	//
	//	admin:
	//	  endpoint: dns:///127.0.0.1:PORT
	//	  caCertFilePath: /tmp/.../ca.pem
	//	  authType: ClientSecret
	//	  clientId: ...
	//	  clientSecretLocation: ...
	cfg := &config.Platform{
		Endpoint:       srv.Endpoint(),
		CACertFilePath: srv.CAFile(),
		AuthType:       config.AuthClientSecret,
		ClientID:       srv.ClientID(),
		ClientSecret:   srv.ClientSecret(),
	}

	// The proxy token. A real setup names a command in proxyCommand (for
	// example gcloud auth print-identity-token); any proxyauth.TokenSource
	// works as well, here one that asks the fake server in-process.
	var proxyFetches atomic.Int64
	proxyToken := proxyauth.TokenSourceFunc(func(context.Context) (string, time.Time, error) {
		proxyFetches.Add(1)
		return srv.IssueProxyToken(), time.Time{}, nil
	})

	// One call builds the whole stack: TLS, proxy authentication, the
	// bearer token with refresh-and-retry, error mapping. It makes no
	// network call yet: metadata and tokens are fetched on first use.
	client, err := transport.NewClient(ctx, cfg, transport.WithProxyTokenSource(proxyToken))
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	baseURL, err := transport.BaseURL(cfg)
	if err != nil {
		return err
	}

	// The same *http.Client serves connect clients of every protocol...
	connectClient := authtest.NewTestClient(client, baseURL)
	grpcClient := authtest.NewTestClient(client, baseURL, connect.WithGRPC())
	webClient := authtest.NewTestClient(client, baseURL, connect.WithGRPCWeb())

	fmt.Fprintf(out, "authwire quickstart: one *http.Client, fake Flyte server at %s\n", baseURL)
	fmt.Fprintf(out, "(TLS with its own CA, proxy authentication on, client-credentials flow)\n\n")

	steps := []struct {
		label string
		call  func() (string, error)
	}{
		{"Connect   unary          ", func() (string, error) { return echo(ctx, connectClient, "hello") }},
		{"gRPC      server stream  ", func() (string, error) { return stream(ctx, grpcClient, "tick") }},
		{"gRPC-Web  unary          ", func() (string, error) { return echo(ctx, webClient, "web") }},
		// ...and plain REST calls.
		{"REST      GET /echo      ", func() (string, error) { return rest(ctx, client, baseURL, "rest") }},
	}
	for _, s := range steps {
		got, err := s.call()
		if err != nil {
			return fmt.Errorf("%s: %w", strings.TrimSpace(s.label), err)
		}
		fmt.Fprintf(out, "  %s → %s\n", s.label, got)
	}

	// A server-side revocation: the next call is rejected, the stack drops
	// that token, fetches one new token and replays the call once.
	before := srv.Counters()
	srv.RevokeAll()
	fmt.Fprintf(out, "\n  the server revokes every token it issued…\n")
	got, err := echo(ctx, grpcClient, "again")
	if err != nil {
		return fmt.Errorf("after revocation: %w", err)
	}
	after := srv.Counters()
	fmt.Fprintf(out, "  gRPC      unary           → %s (recovered with %d attempts and %d new token)\n\n",
		got, after.Attempts-before.Attempts, after.TokenRequests-before.TokenRequests)

	// What the server saw: one token request for the first calls, one after
	// the revocation; the proxy token was fetched once for the whole run.
	fmt.Fprintf(out, "counters for the whole run\n")
	fmt.Fprintf(out, "  calls that reached the service  %d\n", after.Attempts)
	fmt.Fprintf(out, "  token requests                  %d\n", after.TokenRequests)
	fmt.Fprintf(out, "  metadata RPCs                   %d (GetOAuth2Metadata %d, GetPublicClientConfig %d)\n",
		after.GetOAuth2Metadata+after.GetPublicClientConfig, after.GetOAuth2Metadata, after.GetPublicClientConfig)
	fmt.Fprintf(out, "  proxy token fetches             %d\n", proxyFetches.Load())
	fmt.Fprintf(out, "  requests the proxy rejected     %d\n", after.ProxyRejected)
	return nil
}

// echo makes a unary call and returns the answer, quoted.
func echo(ctx context.Context, c *authtest.TestClient, msg string) (string, error) {
	resp, err := c.Unary.CallUnary(ctx, connect.NewRequest(wrapperspb.String(msg)))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%q", resp.Msg.GetValue()), nil
}

// stream makes a server-streaming call and returns the messages it received.
func stream(ctx context.Context, c *authtest.TestClient, msg string) (string, error) {
	s, err := c.ServerStream.CallServerStream(ctx, connect.NewRequest(wrapperspb.String(msg)))
	if err != nil {
		return "", err
	}
	defer s.Close()
	var got []string
	for s.Receive() {
		got = append(got, s.Msg().GetValue())
	}
	return strings.Join(got, ", "), s.Err()
}

// rest makes a plain GET with the same client and returns the JSON answer.
func rest(ctx context.Context, c *http.Client, baseURL, msg string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/v1/echo?msg="+url.QueryEscape(msg), nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
