package transport_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/fakecmd"
	"github.com/authwire/authwire/transport"
)

func TestMain(m *testing.M) {
	fakecmd.Main()
	os.Exit(m.Run())
}

// platform is the configuration a user would write for srv.
func platform(srv *authtest.Server) *config.Platform {
	return &config.Platform{
		Endpoint:       srv.Endpoint(),
		Insecure:       strings.HasPrefix(srv.URL(), "http://"),
		CACertFilePath: srv.CAFile(),
		AuthType:       config.AuthClientSecret,
		ClientID:       srv.ClientID(),
		ClientSecret:   srv.ClientSecret(),
	}
}

func newClient(t *testing.T, cfg *config.Platform, opts ...transport.Option) *http.Client {
	t.Helper()
	c, err := transport.NewClient(t.Context(), cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// backends are the two generations of Flyte server the stack must work
// against with the same configuration: flyteadmin's AuthMetadataService and
// its REST routes, and Flyte 2's flyteidl2.auth service only.
var backends = []struct {
	name string
	opts []authtest.Option
}{
	{"flyte1", nil},
	{"flyte2", []authtest.Option{authtest.WithFlyte2()}},
}

// onBackends runs test once per backend, in parallel subtests, with a new
// server built from the backend's options and extra.
func onBackends(t *testing.T, test func(t *testing.T, newServer func(extra ...authtest.Option) *authtest.Server)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, func(extra ...authtest.Option) *authtest.Server {
				return authtest.New(t, append(append([]authtest.Option(nil), b.opts...), extra...)...)
			})
		})
	}
}

var protocols = []struct {
	name string
	opts []connect.ClientOption
}{
	{"connect", nil},
	{"grpc", []connect.ClientOption{connect.WithGRPC()}},
	{"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}},
}

func unary(ctx context.Context, tc *authtest.TestClient, msg string) error {
	resp, err := tc.Unary.CallUnary(ctx, connect.NewRequest(wrapperspb.String(msg)))
	if err != nil {
		return err
	}
	if resp.Msg.GetValue() != msg {
		return fmt.Errorf("unary echoed %q", resp.Msg.GetValue())
	}
	return nil
}

func serverStream(ctx context.Context, tc *authtest.TestClient) error {
	s, err := tc.ServerStream.CallServerStream(ctx, connect.NewRequest(wrapperspb.String("s")))
	if err != nil {
		return err
	}
	defer s.Close()
	var got []string
	for s.Receive() {
		got = append(got, s.Msg().GetValue())
	}
	if err := s.Err(); err != nil {
		return err
	}
	if strings.Join(got, ",") != "s-0,s-1,s-2" {
		return fmt.Errorf("server stream got %q", got)
	}
	return nil
}

func clientStream(ctx context.Context, tc *authtest.TestClient) error {
	s := tc.ClientStream.CallClientStream(ctx)
	for _, m := range []string{"a", "b"} {
		if err := s.Send(wrapperspb.String(m)); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
	resp, err := s.CloseAndReceive()
	if err != nil {
		return err
	}
	if resp.Msg.GetValue() != "a,b" {
		return fmt.Errorf("client stream got %q", resp.Msg.GetValue())
	}
	return nil
}

func bidiStream(ctx context.Context, tc *authtest.TestClient) error {
	s := tc.BidiStream.CallBidiStream(ctx)
	defer s.CloseResponse()
	for _, m := range []string{"x", "y"} {
		if err := s.Send(wrapperspb.String(m)); err != nil {
			if errors.Is(err, io.EOF) {
				_, err = s.Receive()
			}
			return err
		}
		got, err := s.Receive()
		if err != nil {
			return err
		}
		if got.GetValue() != m {
			return fmt.Errorf("bidi echoed %q", got.GetValue())
		}
	}
	if err := s.CloseRequest(); err != nil {
		return err
	}
	if _, err := s.Receive(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("bidi end: %w", err)
	}
	return nil
}

func restGet(ctx context.Context, c *http.Client, srv *authtest.Server, msg string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/api/v1/echo?msg="+msg, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var body struct{ Msg string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return resp.StatusCode, err
	}
	if body.Msg != msg {
		return resp.StatusCode, fmt.Errorf("rest echoed %q", body.Msg)
	}
	return resp.StatusCode, nil
}

// TestOneClientServesEveryProtocolAndStreamKind is the core promise: one
// *http.Client for Connect, gRPC and gRPC-Web, every stream kind, and REST,
// over TLS and over h2c.
func TestOneClientServesEveryProtocolAndStreamKind(t *testing.T) {
	t.Parallel()
	onBackends(t, func(t *testing.T, newServer func(...authtest.Option) *authtest.Server) {
		testEveryProtocolAndStreamKind(t, newServer)
	})
}

func testEveryProtocolAndStreamKind(t *testing.T, newServer func(...authtest.Option) *authtest.Server) {
	for _, tr := range []struct {
		name string
		opts []authtest.Option
	}{{"tls", nil}, {"h2c", []authtest.Option{authtest.WithH2C()}}} {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(tr.opts...)
			c := newClient(t, platform(srv))
			for _, p := range protocols {
				tc := authtest.NewTestClient(c, srv.URL(), p.opts...)
				for name, call := range map[string]func(context.Context, *authtest.TestClient) error{
					"unary":  func(ctx context.Context, tc *authtest.TestClient) error { return unary(ctx, tc, "hi") },
					"server": serverStream,
					"client": clientStream,
					"bidi":   bidiStream,
				} {
					if err := call(t.Context(), tc); err != nil {
						t.Errorf("%s %s: %v", p.name, name, err)
					}
				}
			}
			if status, err := restGet(t.Context(), c, srv, "rest"); err != nil || status != 200 {
				t.Errorf("rest: %d, %v", status, err)
			}
			if n := srv.Counters().TokenRequests; n != 1 {
				t.Errorf("token requests = %d, want 1", n)
			}
		})
	}
}

func TestColdStartSharesOneTokenAndOneMetadataRound(t *testing.T) {
	t.Parallel()
	onBackends(t, testColdStart)
}

func testColdStart(t *testing.T, newServer func(...authtest.Option) *authtest.Server) {
	srv := newServer()
	c := newClient(t, platform(srv))
	tc := authtest.NewTestClient(c, srv.URL(), connect.WithGRPC())
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if err := unary(t.Context(), tc, fmt.Sprint(i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := srv.Counters()
	if got.TokenRequests != 1 || got.GetOAuth2Metadata != 1 || got.GetPublicClientConfig != 1 {
		t.Fatalf("token requests %d, GetOAuth2Metadata %d, GetPublicClientConfig %d; want 1 each",
			got.TokenRequests, got.GetOAuth2Metadata, got.GetPublicClientConfig)
	}
	if got.Attempts != 200 {
		t.Fatalf("attempts = %d, want 200", got.Attempts)
	}
}

func TestRevocationRecoveredWithOneRefresh(t *testing.T) {
	t.Parallel()
	calls := map[string]func(context.Context, *authtest.TestClient) error{
		"unary":  func(ctx context.Context, tc *authtest.TestClient) error { return unary(ctx, tc, "r") },
		"server": serverStream,
	}
	for _, p := range protocols {
		for name, call := range calls {
			t.Run(p.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				onBackends(t, func(t *testing.T, newServer func(...authtest.Option) *authtest.Server) {
					testRevocation(t, newServer(), p.opts, call)
				})
			})
		}
	}
	t.Run("rest", func(t *testing.T) {
		t.Parallel()
		onBackends(t, testRevocationREST)
	})
}

// testRevocation: after a revocation, one call costs one refresh and one
// replay.
func testRevocation(t *testing.T, srv *authtest.Server, opts []connect.ClientOption, call func(context.Context, *authtest.TestClient) error) {
	c := newClient(t, platform(srv))
	tc := authtest.NewTestClient(c, srv.URL(), opts...)
	if err := call(t.Context(), tc); err != nil {
		t.Fatal(err)
	}
	srv.RevokeAll()
	before := srv.Counters()
	if err := call(t.Context(), tc); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	after := srv.Counters()
	if d := after.TokenRequests - before.TokenRequests; d != 1 {
		t.Errorf("extra token requests = %d, want 1", d)
	}
	if d := after.Attempts - before.Attempts; d != 2 {
		t.Errorf("attempts = %d, want 2", d)
	}
}

func testRevocationREST(t *testing.T, newServer func(...authtest.Option) *authtest.Server) {
	srv := newServer()
	c := newClient(t, platform(srv))
	restGet(t.Context(), c, srv, "a")
	srv.RevokeAll()
	before := srv.Counters()
	if status, err := restGet(t.Context(), c, srv, "b"); err != nil || status != 200 {
		t.Fatalf("after revocation: %d, %v", status, err)
	}
	after := srv.Counters()
	if after.TokenRequests-before.TokenRequests != 1 || after.Attempts-before.Attempts != 2 {
		t.Fatalf("token requests +%d, attempts +%d; want +1, +2",
			after.TokenRequests-before.TokenRequests, after.Attempts-before.Attempts)
	}
}

func TestRevokedBidiFailsOnceThenRecovers(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t)
			c := newClient(t, platform(srv))
			tc := authtest.NewTestClient(c, srv.URL(), p.opts...)
			if err := bidiStream(t.Context(), tc); err != nil {
				t.Fatal(err)
			}
			srv.RevokeAll()
			err := bidiStream(t.Context(), tc)
			if connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Fatalf("revoked bidi: %v, want Unauthenticated", err)
			}
			if err := bidiStream(t.Context(), tc); err != nil {
				t.Fatalf("next bidi: %v", err)
			}
		})
	}
}

func TestRejectingServerCostsAtMostTwoAttempts(t *testing.T) {
	t.Parallel()
	onBackends(t, testRejectingServer)
}

func testRejectingServer(t *testing.T, newServer func(...authtest.Option) *authtest.Server) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer()
			srv.RejectAll(true)
			c := newClient(t, platform(srv))
			tc := authtest.NewTestClient(c, srv.URL(), p.opts...)
			err := unary(t.Context(), tc, "x")
			if connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Fatalf("err = %v, want Unauthenticated", err)
			}
			got := srv.Counters()
			if got.Attempts > 2 || got.TokenRequests > 2 {
				t.Fatalf("attempts %d, token requests %d; want at most 2 each", got.Attempts, got.TokenRequests)
			}
		})
	}
}

func TestProxyCommandRunsOnceAndStaysOnTheFlyteHost(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithProxyAuth())
	other := authtest.New(t) // a third-party host: must never see the proxy token
	cfg := platform(srv)
	cfg.ProxyCommand = fakecmd.Fetch(srv.ProxyTokenURL(), srv.CAFile())
	c := newClient(t, cfg)
	tc := authtest.NewTestClient(c, srv.URL(), connect.WithGRPC())
	for i := range 100 {
		if err := unary(t.Context(), tc, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Counters()
	if got.ProxyTokens != 1 {
		t.Fatalf("proxy command ran %d times for 100 calls", got.ProxyTokens)
	}
	if got.ProxyRejected != 0 {
		t.Fatalf("proxy rejected %d requests: the header was missing somewhere", got.ProxyRejected)
	}
	for _, path := range []string{"/oauth2/token", "/flyteidl.service.AuthMetadataService/GetOAuth2Metadata", "/flyteidl.service.AuthMetadataService/GetPublicClientConfig"} {
		if got.ProxyAuthorizedPath(path) == 0 {
			t.Errorf("%s never got proxy-authorization", path)
		}
	}
	// The same stack talking to another host sends no proxy token there.
	otherCfg := platform(other)
	otherCfg.ProxyCommand = cfg.ProxyCommand
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, other.URL()+"/api/v1/echo?msg=x", nil)
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if n := other.Counters().ProxyAuthorized; n != 0 {
		t.Fatalf("third-party host received the proxy token %d times", n)
	}
}

func TestExternalCommand(t *testing.T) {
	t.Parallel()
	t.Run("runs once, again after revocation", func(t *testing.T) {
		t.Parallel()
		srv := authtest.New(t)
		cfg := &config.Platform{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: config.AuthExternalCommand,
			Command: fakecmd.Fetch(srv.CommandTokenURL(), srv.CAFile())}
		c := newClient(t, cfg)
		tc := authtest.NewTestClient(c, srv.URL())
		for range 20 {
			if err := unary(t.Context(), tc, "c"); err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.Counters().CommandTokens; n != 1 {
			t.Fatalf("command ran %d times for 20 calls", n)
		}
		srv.RevokeAll()
		if err := unary(t.Context(), tc, "c"); err != nil {
			t.Fatal(err)
		}
		if n := srv.Counters().CommandTokens; n != 2 {
			t.Fatalf("command ran %d times, want 2 after a revocation", n)
		}
	})
	for _, tc := range []struct {
		name    string
		argv    []string
		timeout time.Duration
		want    []string
	}{
		{"hangs", fakecmd.Hang(), 200 * time.Millisecond, []string{"timed out after 200ms"}},
		{"fails", fakecmd.Fail(7, "please log in"), 0, []string{"exited with status 7", "please log in"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t)
			cfg := &config.Platform{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: config.AuthExternalCommand, Command: tc.argv}
			c := newClient(t, cfg, transport.WithAuthnOptions(authnCommandTimeout(tc.timeout)))
			err := unary(t.Context(), authtest.NewTestClient(c, srv.URL()), "x")
			if connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Fatalf("err = %v, want Unauthenticated", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := srv.Counters().Attempts; n != 0 {
				t.Errorf("a call went out without a token: attempts %d", n)
			}
		})
	}
}

func TestLazyMode(t *testing.T) {
	t.Parallel()
	t.Run("sandbox needs no token", func(t *testing.T) {
		t.Parallel()
		srv := authtest.New(t, authtest.WithAnonymous())
		cfg := platform(srv)
		cfg.AuthType = config.AuthUnset
		c := newClient(t, cfg)
		if err := unary(t.Context(), authtest.NewTestClient(c, srv.URL(), connect.WithGRPC()), "x"); err != nil {
			t.Fatal(err)
		}
		got := srv.Counters()
		if got.TokenRequests != 0 || got.GetOAuth2Metadata != 0 {
			t.Fatalf("sandbox call fetched a token (%d) or metadata (%d)", got.TokenRequests, got.GetOAuth2Metadata)
		}
	})
	t.Run("authenticates on first rejection", func(t *testing.T) {
		t.Parallel()
		srv := authtest.New(t)
		cfg := platform(srv)
		cfg.AuthType = config.AuthUnset
		c := newClient(t, cfg)
		tc := authtest.NewTestClient(c, srv.URL(), connect.WithGRPC())
		for range 3 {
			if err := unary(t.Context(), tc, "x"); err != nil {
				t.Fatal(err)
			}
		}
		got := srv.Counters()
		if got.TokenRequests != 1 || got.Attempts != 4 {
			t.Fatalf("token requests %d, attempts %d; want 1 and 4", got.TokenRequests, got.Attempts)
		}
	})
}

func TestConstructionRejectsBadSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  config.Platform
		key  string
	}{
		{"unknown auth type", config.Platform{Endpoint: "h", AuthType: config.AuthType(42)}, "authType"},
		{"client secret without id", config.Platform{Endpoint: "h", AuthType: config.AuthClientSecret, ClientSecret: "s"}, "clientId"},
		{"client secret without secret", config.Platform{Endpoint: "h", AuthType: config.AuthClientSecret, ClientID: "id"}, "clientSecret"},
		{"unreadable secret file", config.Platform{Endpoint: "h", AuthType: config.AuthClientSecret, ClientID: "id", ClientSecretLocation: "/nonexistent/secret"}, "clientSecretLocation"},
		{"empty command", config.Platform{Endpoint: "h", AuthType: config.AuthExternalCommand}, "command"},
		{"unreadable CA file", config.Platform{Endpoint: "h", AuthType: config.AuthNone, CACertFilePath: "/nonexistent/ca.pem"}, "caCertFilePath"},
		{"malformed endpoint", config.Platform{Endpoint: "ftp://h", AuthType: config.AuthNone}, "endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := transport.New(t.Context(), &tc.cfg)
			if errs.CodeOf(err) != errs.InvalidArgument {
				t.Fatalf("err = %v, want InvalidArgument", err)
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err = %v, want a FieldError naming %s", err, tc.key)
			}
		})
	}
	if _, err := config.ParseAuthType("client-secret"); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("ParseAuthType: %v", err)
	}
}

// TestWithHostsRejectsMalformedHosts: a host the tokens may go to is parsed
// at construction; one with a path is a typed configuration error.
func TestWithHostsRejectsMalformedHosts(t *testing.T) {
	t.Parallel()
	for _, mode := range []config.AuthType{config.AuthNone, config.AuthExternalCommand} {
		cfg := &config.Platform{Endpoint: "h", AuthType: mode, Command: []string{"cmd"}}
		_, err := transport.New(t.Context(), cfg, transport.WithHosts("data.example.com", "https://data.example.com/path"))
		if errs.CodeOf(err) != errs.InvalidArgument || !strings.Contains(err.Error(), "WithHosts") {
			t.Fatalf("%v: err = %v, want InvalidArgument naming WithHosts", mode, err)
		}
	}
}
