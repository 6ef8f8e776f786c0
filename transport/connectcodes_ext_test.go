package transport_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"connectrpc.com/connect"
	connectv2 "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/fakecmd"
	"github.com/authwire/authwire/proxyauth"
	"github.com/authwire/authwire/transport"
)

// stackFailure is a way to make the stack raise an error of its own on the
// first call: a server and a client configuration that fail together.
type stackFailure struct {
	name string
	want errs.Code
	// setup returns the server and the stack's configuration and options.
	setup func(t *testing.T) (*authtest.Server, *config.Platform, []transport.Option)
}

// noRetries keeps the errs layer from waiting between attempts.
var noRetries = transport.WithRetryPolicy(errs.Policy{MaxRetries: -1})

// stackFailures is every kind of error the stack raises on a call: a
// configuration mistake found at the first call, TLS, the token endpoint's
// rejection and its outage, the proxy's 407, a failing credential command,
// and a timeout.
var stackFailures = []stackFailure{
	{"config: no token endpoint", errs.InvalidArgument, func(t *testing.T) (*authtest.Server, *config.Platform, []transport.Option) {
		srv := authtest.New(t)
		return srv, platform(srv), []transport.Option{noRetries, transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{ClientID: srv.ClientID()}))}
	}},
	{"tls: unknown certificate", errs.Unavailable, func(t *testing.T) (*authtest.Server, *config.Platform, []transport.Option) {
		srv := authtest.New(t)
		cfg := platform(srv)
		cfg.CACertFilePath, cfg.AuthType = "", config.AuthNone
		return srv, cfg, []transport.Option{noRetries}
	}},
	{"token endpoint: invalid_client", errs.Unauthenticated, func(t *testing.T) (*authtest.Server, *config.Platform, []transport.Option) {
		srv := authtest.New(t)
		cfg := platform(srv)
		cfg.ClientSecret = "wrong"
		return srv, cfg, []transport.Option{noRetries}
	}},
	{"token endpoint: outage", errs.Unavailable, func(t *testing.T) (*authtest.Server, *config.Platform, []transport.Option) {
		srv := authtest.New(t)
		srv.FailTokenRequests(1000, http.StatusServiceUnavailable, "")
		return srv, platform(srv), []transport.Option{noRetries}
	}},
	{"proxy: 407 from the metadata", errs.Unauthenticated, func(t *testing.T) (*authtest.Server, *config.Platform, []transport.Option) {
		srv := authtest.New(t, authtest.WithProxyAuth())
		return srv, platform(srv), []transport.Option{noRetries, transport.WithProxyTokenSource(proxyauth.Static("not-a-proxy-token"))}
	}},
	{"proxy: 407 from the token endpoint", errs.Unauthenticated, func(t *testing.T) (*authtest.Server, *config.Platform, []transport.Option) {
		srv := authtest.New(t, authtest.WithProxyAuth())
		return srv, platform(srv), []transport.Option{noRetries, transport.WithProxyTokenSource(proxyauth.Static("not-a-proxy-token")),
			transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{ClientID: srv.ClientID(), TokenEndpoint: srv.TokenURL(), AuthorizationMetadataKey: "authorization"}))}
	}},
	{"command: fails", errs.Unauthenticated, func(t *testing.T) (*authtest.Server, *config.Platform, []transport.Option) {
		srv := authtest.New(t)
		cfg := &config.Platform{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: config.AuthExternalCommand, Command: fakecmd.Fail(7, "please log in")}
		return srv, cfg, []transport.Option{noRetries}
	}},
	{"timeout: per attempt", errs.DeadlineExceeded, func(t *testing.T) (*authtest.Server, *config.Platform, []transport.Option) {
		srv := authtest.New(t)
		srv.SetLatency(time.Hour) // the server never answers in time
		return srv, platform(srv), []transport.Option{transport.WithRetryPolicy(errs.Policy{MaxRetries: -1, PerTryTimeout: time.Nanosecond})}
	}},
}

// rpcCall makes one call of a stream kind with a connect-go version.
type rpcCall func(ctx context.Context, c *http.Client, baseURL string, protocol string) error

var callsV1 = map[string]rpcCall{
	"unary": func(ctx context.Context, c *http.Client, u, p string) error {
		return unary(ctx, v1Client(c, u, p), "m")
	},
	"server": func(ctx context.Context, c *http.Client, u, p string) error {
		return serverStream(ctx, v1Client(c, u, p))
	},
	"client": func(ctx context.Context, c *http.Client, u, p string) error {
		return clientStream(ctx, v1Client(c, u, p))
	},
	"bidi": func(ctx context.Context, c *http.Client, u, p string) error {
		return bidiStream(ctx, v1Client(c, u, p))
	},
}

var callsV2 = map[string]rpcCall{
	"unary": func(ctx context.Context, c *http.Client, u, p string) error {
		_, err := v2Client(c, u, p).Unary(ctx, "m")
		return err
	},
	"server": func(ctx context.Context, c *http.Client, u, p string) error {
		_, err := v2Client(c, u, p).ServerStream(ctx, "m")
		return err
	},
	"client": func(ctx context.Context, c *http.Client, u, p string) error {
		_, err := v2Client(c, u, p).ClientStream(ctx, "a", "b")
		return err
	},
	"bidi": func(ctx context.Context, c *http.Client, u, p string) error {
		_, err := v2Client(c, u, p).BidiStream(ctx, "a", "b")
		return err
	},
}

func v1Client(c *http.Client, baseURL, protocol string) *authtest.TestClient {
	opts := []connect.ClientOption{connect.WithInterceptors(transport.Interceptor())}
	switch protocol {
	case "grpc":
		opts = append(opts, connect.WithGRPC())
	case "grpcweb":
		opts = append(opts, connect.WithGRPCWeb())
	}
	return authtest.NewTestClient(c, baseURL, opts...)
}

func v2Client(c *http.Client, baseURL, protocol string) *authtest.TestClientV2 {
	var opts []connecthttp.Option
	switch protocol {
	case "grpc":
		opts = append(opts, connecthttp.WithGRPC())
	case "grpcweb":
		opts = append(opts, connecthttp.WithGRPCWeb())
	}
	return authtest.NewTestClientV2(c, baseURL, opts, transport.InterceptorV2())
}

// assertCodesAgree checks that err has code want for errs.CodeOf and for
// both connect-go versions' CodeOf, and that errors.As finds all three
// error types.
func assertCodesAgree(t *testing.T, err error, want errs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	got, got1, got2 := errs.CodeOf(err), errs.Code(connect.CodeOf(err)), errs.Code(connectv2.CodeOf(err))
	if got != want || got1 != want || got2 != want {
		t.Fatalf("errs.CodeOf %v, v1 connect.CodeOf %v, v2 connect.CodeOf %v; want %v for all: %v", got, got1, got2, want, err)
	}
	if _, ok := errors.AsType[*errs.Error](err); !ok {
		t.Errorf("errors.As finds no *errs.Error in %v", err)
	}
	if _, ok := errors.AsType[*connect.Error](err); !ok {
		t.Errorf("errors.As finds no v1 *connect.Error in %v", err)
	}
	if _, ok := errors.AsType[*connectv2.Error](err); !ok {
		t.Errorf("errors.As finds no v2 *connect.Error in %v", err)
	}
}

// TestStackErrorsCarryTheirCodeToConnectV1AndV2 is the promise of the
// connect bridge: for every error the stack raises, on every protocol and
// stream kind, errs.CodeOf, connect-go v1's connect.CodeOf and v2's
// connect.CodeOf agree. A REST call through the same client gets the
// *errs.Error itself, inside net/http's *url.Error.
func TestStackErrorsCarryTheirCodeToConnectV1AndV2(t *testing.T) {
	t.Parallel()
	for _, f := range stackFailures {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			srv, cfg, opts := f.setup(t)
			c := newClient(t, cfg, opts...)
			forEachCall(t, func(t *testing.T, call func(context.Context, *http.Client, string) error) {
				assertCodesAgree(t, call(t.Context(), c, srv.URL()), f.want)
			})
			t.Run("rest", func(t *testing.T) {
				t.Parallel()
				_, err := restGet(t.Context(), c, srv, "m")
				ue, ok := errors.AsType[*url.Error](err)
				if !ok {
					t.Fatalf("REST error %v (%T) is no *url.Error", err, err)
				}
				e, ok := ue.Err.(*errs.Error) //nolint:errorlint // the *errs.Error itself, not one wrapped in a connect error
				if !ok {
					t.Fatalf("REST error wraps %T, want *errs.Error", ue.Err)
				}
				if e.Code != f.want {
					t.Errorf("REST code %v, want %v", e.Code, f.want)
				}
			})
		})
	}
}

// TestServerErrorsCarryTheirCodeWithTheInterceptors: with Interceptor (v1)
// or InterceptorV2 (v2), an error the server sends is an *errs.Error too,
// with the server's code, on every protocol and stream kind.
func TestServerErrorsCarryTheirCodeWithTheInterceptors(t *testing.T) {
	t.Parallel()
	forEachCall(t, func(t *testing.T, call func(context.Context, *http.Client, string) error) {
		srv := authtest.New(t)
		srv.FailNext(1, connect.CodeNotFound)
		c := newClient(t, platform(srv), noRetries)
		err := call(t.Context(), c, srv.URL())
		assertCodesAgree(t, err, errs.NotFound)
		if !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("errors.Is(%v, errs.ErrNotFound) = false", err)
		}
		if e, _ := errors.AsType[*errs.Error](err); e.Op != "server" {
			t.Errorf("Op %q, want server", e.Op)
		}
	})
}

// forEachCall runs test in a parallel subtest for each connect-go version ×
// protocol × stream kind, with the call to make.
func forEachCall(t *testing.T, test func(t *testing.T, call func(ctx context.Context, c *http.Client, baseURL string) error)) {
	t.Helper()
	for _, version := range []struct {
		name  string
		calls map[string]rpcCall
	}{{"v1", callsV1}, {"v2", callsV2}} {
		for _, protocol := range []string{"connect", "grpc", "grpcweb"} {
			for _, kind := range []string{"unary", "server", "client", "bidi"} {
				t.Run(version.name+"/"+protocol+"/"+kind, func(t *testing.T) {
					t.Parallel()
					test(t, func(ctx context.Context, c *http.Client, baseURL string) error {
						return version.calls[kind](ctx, c, baseURL, protocol)
					})
				})
			}
		}
	}
}
