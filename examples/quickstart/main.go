// Command quickstart shows one authwire stack serving every kind of call a
// Flyte client makes, against the fake Flyte server of package authtest,
// started in-process: TLS with its own CA, an authenticating proxy in front,
// and the client-credentials flow. It needs no network.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/internal/fakecmd"
	"github.com/authwire/authwire/transport"
)

func main() {
	fakecmd.Main() // the proxy command below runs this program again
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	srv, err := authtest.Start(authtest.WithProxyAuth())
	if err != nil {
		return err
	}
	defer srv.Close()

	// What a user would write in ~/.flyte/config.yaml, as a struct.
	cfg := &config.Platform{
		Endpoint:       srv.Endpoint(),
		CACertFilePath: srv.CAFile(),
		AuthType:       config.AuthClientSecret,
		ClientID:       srv.ClientID(),
		ClientSecret:   srv.ClientSecret(),
		ProxyCommand:   fakecmd.Fetch(srv.ProxyTokenURL(), srv.CAFile()),
	}
	client, err := transport.NewClient(ctx, cfg)
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	baseURL, err := transport.BaseURL(cfg)
	if err != nil {
		return err
	}
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
		{"REST      GET /echo      ", func() (string, error) { return rest(ctx, client, baseURL, "rest") }},
	}
	for _, s := range steps {
		got, err := s.call()
		if err != nil {
			return fmt.Errorf("%s: %w", strings.TrimSpace(s.label), err)
		}
		fmt.Fprintf(out, "  %s → %s\n", s.label, got)
	}

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

	fmt.Fprintf(out, "counters for the whole run\n")
	fmt.Fprintf(out, "  calls that reached the service  %d\n", after.Attempts)
	fmt.Fprintf(out, "  token requests                  %d\n", after.TokenRequests)
	fmt.Fprintf(out, "  metadata RPCs                   %d (GetOAuth2Metadata %d, GetPublicClientConfig %d)\n",
		after.GetOAuth2Metadata+after.GetPublicClientConfig, after.GetOAuth2Metadata, after.GetPublicClientConfig)
	fmt.Fprintf(out, "  proxy command runs              %d\n", after.ProxyTokens)
	fmt.Fprintf(out, "  requests the proxy rejected     %d\n", after.ProxyRejected)
	return nil
}

func echo(ctx context.Context, c *authtest.TestClient, msg string) (string, error) {
	resp, err := c.Unary.CallUnary(ctx, connect.NewRequest(wrapperspb.String(msg)))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%q", resp.Msg.GetValue()), nil
}

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

func rest(ctx context.Context, c *http.Client, baseURL, msg string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/v1/echo?msg="+msg, nil)
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
	b, _ := json.Marshal(body)
	return string(b), nil
}
