package suite

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/credentials/oauth"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/bench/benchserver"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/internal/fakecmd"
	"github.com/authwire/authwire/transport"
)

// URL returns the target's base URL for tr.
func URL(t *benchserver.Target, tr Transport) string {
	if tr == TLS {
		return t.TLSURL
	}
	return t.H2CURL
}

// ProxyCommand is the proxy command every client that sends a proxy token
// runs: the running binary as a fake command (see fakecmd) that fetches the
// proxy token from the server, which counts the runs. main or TestMain must
// call fakecmd.Main first thing.
func ProxyCommand(t *benchserver.Target) []string {
	return fakecmd.Fetch(t.H2CURL+benchserver.ProxyTokenPath, "")
}

// Platform is the configuration a user would write for the target over tr:
// client-credentials flow and a proxy command.
func Platform(t *benchserver.Target, tr Transport) *config.Platform {
	u, _ := url.Parse(URL(t, tr))
	return &config.Platform{
		Endpoint:     u.Host,
		Insecure:     tr == H2C,
		AuthType:     config.AuthClientSecret,
		ClientID:     t.Creds.ClientID,
		ClientSecret: t.Creds.ClientSecret,
		ProxyCommand: ProxyCommand(t),
	}
}

// Base returns the base transport alone: the bare client's RoundTripper and
// the one under every peer.
func Base(t *benchserver.Target, tr Transport) (http.RoundTripper, error) {
	return transport.Base(Platform(t, tr), transport.WithRootCAs(t.Pool))
}

// Stack returns the whole authwire stack for the target, as transport.New
// assembles it. The client configuration is given, as a deployment that
// publishes no AuthMetadataService would; nothing else differs from a
// user's setup.
func Stack(ctx context.Context, t *benchserver.Target, tr Transport, opts ...transport.Option) (http.RoundTripper, error) {
	return newStack(ctx, t, tr, append([]transport.Option{transport.WithRootCAs(t.Pool)}, opts...)...)
}

// stackOver is [Stack] over base instead of a base transport of its own.
func stackOver(ctx context.Context, t *benchserver.Target, tr Transport, base http.RoundTripper) (http.RoundTripper, error) {
	return newStack(ctx, t, tr, transport.WithBaseTransport(base))
}

func newStack(ctx context.Context, t *benchserver.Target, tr Transport, opts ...transport.Option) (http.RoundTripper, error) {
	cc := authn.ClientConfig{
		TokenEndpoint:            URL(t, tr) + benchserver.TokenPath,
		AuthorizationMetadataKey: "authorization",
	}
	opts = append([]transport.Option{transport.WithConfigStore(authn.StaticConfigStore(cc))}, opts...)
	return transport.New(ctx, Platform(t, tr), opts...)
}

// tokenSource is the client-credentials source of the peers: x/oauth2's,
// cached by its ReuseTokenSource.
func tokenSource(ctx context.Context, t *benchserver.Target, tr Transport, base http.RoundTripper) oauth2.TokenSource {
	cc := clientcredentials.Config{
		ClientID:     t.Creds.ClientID,
		ClientSecret: t.Creds.ClientSecret,
		TokenURL:     URL(t, tr) + benchserver.TokenPath,
	}
	return cc.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: base}))
}

// RoundTripper returns the http.RoundTripper of client c (not for grpc-go)
// and the connect options it needs.
func RoundTripper(ctx context.Context, t *benchserver.Target, tr Transport, c Client) (http.RoundTripper, []connect.ClientOption, error) {
	base, err := Base(t, tr)
	if err != nil {
		return nil, nil, err
	}
	switch c {
	case Bare, BareAgain:
		return base, nil, nil
	case Ideal:
		rt, err := NewIdeal(ctx, t, tr, base)
		return rt, nil, err
	case Authwire:
		rt, err := Stack(ctx, t, tr)
		return rt, nil, err
	case OAuth2:
		return &oauth2.Transport{Source: tokenSource(ctx, t, tr, base), Base: base}, nil, nil
	case CmdInterceptor:
		ic := &cmdInterceptor{argv: ProxyCommand(t), tokens: tokenSource(ctx, t, tr, base)}
		return base, []connect.ClientOption{connect.WithInterceptors(ic)}, nil
	}
	return nil, nil, fmt.Errorf("suite: client %q has no RoundTripper", c)
}

// cmdInterceptor runs the proxy command on every call and adds the proxy
// token and a cached bearer token to the request headers.
type cmdInterceptor struct {
	argv   []string
	tokens oauth2.TokenSource
}

func (ic *cmdInterceptor) headers(ctx context.Context, h http.Header) error {
	out, err := exec.CommandContext(ctx, ic.argv[0], ic.argv[1:]...).Output()
	if err != nil {
		return err
	}
	tok, err := ic.tokens.Token()
	if err != nil {
		return err
	}
	h.Set("Proxy-Authorization", "Bearer "+strings.TrimSpace(string(out)))
	h.Set("Authorization", "Bearer "+tok.AccessToken)
	return nil
}

func (ic *cmdInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := ic.headers(ctx, req.Header()); err != nil {
			return nil, connect.NewError(connect.CodeUnauthenticated, err)
		}
		return next(ctx, req)
	}
}

func (ic *cmdInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		// Errors surface on Send/Receive as the server's rejection.
		_ = ic.headers(ctx, conn.RequestHeader())
		return conn
	}
}

func (ic *cmdInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// GRPCConn returns a grpc-go connection to the target with per-RPC OAuth
// credentials from the client-credentials source: grpc-go's own
// oauth.TokenSource over TLS, and over h2c (which it refuses) the same
// metadata without the transport-security demand.
func GRPCConn(ctx context.Context, t *benchserver.Target, tr Transport) (*grpc.ClientConn, error) {
	base, err := Base(t, tr)
	if err != nil {
		return nil, err
	}
	ts := tokenSource(ctx, t, tr, base)
	u, _ := url.Parse(URL(t, tr))
	var opts []grpc.DialOption
	if tr == TLS {
		opts = []grpc.DialOption{
			grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: t.Pool, MinVersion: tls.VersionTLS12})),
			grpc.WithPerRPCCredentials(oauth.TokenSource{TokenSource: ts}),
		}
	} else {
		opts = []grpc.DialOption{
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithPerRPCCredentials(cleartextOAuth{ts}),
		}
	}
	return grpc.NewClient(u.Host, opts...)
}

// cleartextOAuth is oauth.TokenSource without its transport-security check.
type cleartextOAuth struct{ ts oauth2.TokenSource }

func (c cleartextOAuth) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	tok, err := c.ts.Token()
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": tok.Type() + " " + tok.AccessToken}, nil
}

func (cleartextOAuth) RequireTransportSecurity() bool { return false }
