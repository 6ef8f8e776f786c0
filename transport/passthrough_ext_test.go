package transport_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

// passthroughPlatform is srv's platform with authType Passthrough and no
// credentials of its own.
func passthroughPlatform(srv *authtest.Server) *config.Platform {
	cfg := platform(srv)
	cfg.AuthType, cfg.ClientID, cfg.ClientSecret = config.AuthPassthrough, "", ""
	return cfg
}

// newPassthrough starts a server and returns it with a Passthrough client.
func newPassthrough(t *testing.T, opts ...transport.Option) (*authtest.Server, *http.Client) {
	t.Helper()
	srv := authtest.New(t)
	return srv, newClient(t, passthroughPlatform(srv), opts...)
}

// Each call carries the token of its own context, over every protocol, and
// the stack never asks for a token of its own.
func TestPassthroughSendsTheCallersToken(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newPassthrough(t)
			tc := authtest.NewTestClient(c, srv.URL(), p.opts...)
			ctx := authn.WithPassthroughToken(t.Context(), srv.IssueToken())
			if err := unary(ctx, tc, "u"); err != nil {
				t.Fatal(err)
			}
			if err := serverStream(ctx, tc); err != nil {
				t.Fatal(err)
			}
			if got := srv.Counters(); got.TokenRequests != 0 || got.Unauthenticated != 0 || got.Attempts != 2 {
				t.Fatalf("counters %+v: want 2 accepted attempts and no token request", got)
			}
		})
	}
}

// Concurrent callers with different identities never share a token: the
// caller with a valid token succeeds, the one with a rejected token gets
// Unauthenticated, each on every call.
func TestPassthroughCallersDoNotShareTokens(t *testing.T) {
	t.Parallel()
	srv, c := newPassthrough(t)
	tc := authtest.NewTestClient(c, srv.URL(), connect.WithGRPC())
	good := authn.WithPassthroughToken(t.Context(), srv.IssueToken())
	bad := authn.WithPassthroughToken(t.Context(), "not-a-token-of-this-server")
	const n = 20
	var wg sync.WaitGroup
	errc := make(chan error, 2*n)
	for range n {
		wg.Go(func() { errc <- unary(good, tc, "g") })
		wg.Go(func() {
			if err := unary(bad, tc, "b"); connect.CodeOf(err) != connect.CodeUnauthenticated {
				errc <- errors.New("bad token: " + errString(err))
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.Counters(); got.TokenRequests != 0 || got.Unauthenticated != n || got.Attempts != 2*n {
		t.Fatalf("counters %+v: want %d rejections of %d attempts and no token request", got, n, 2*n)
	}
}

// A rejected token is returned to the caller as Unauthenticated after one
// attempt: no refresh, no replay.
func TestPassthroughRejectionReachesTheCaller(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newPassthrough(t)
			tok := srv.IssueToken()
			srv.RevokeAll()
			err := unary(authn.WithPassthroughToken(t.Context(), tok), authtest.NewTestClient(c, srv.URL(), p.opts...), "r")
			if connect.CodeOf(err) != connect.CodeUnauthenticated || errs.CodeOf(err) != errs.Unauthenticated {
				t.Fatalf("err = %v, want Unauthenticated", err)
			}
			if got := srv.Counters(); got.Attempts != 1 || got.TokenRequests != 0 {
				t.Fatalf("counters %+v: want one attempt and no token request", got)
			}
		})
	}
}

// Without a usable token in the context the call fails before it is sent.
func TestPassthroughWithoutToken(t *testing.T) {
	t.Parallel()
	srv, c := newPassthrough(t)
	tc := authtest.NewTestClient(c, srv.URL())
	for _, tc2 := range []struct {
		name   string
		token  string
		wantIs error
	}{
		{"none", "", authn.ErrNoPassthroughToken},
		{"with the scheme", "Bearer abc", nil},
		{"with a newline", "abc\ndef", nil},
	} {
		ctx := t.Context()
		if tc2.token != "" {
			ctx = authn.WithPassthroughToken(ctx, tc2.token)
		}
		err := unary(ctx, tc, "n")
		var e *errs.Error
		if !errors.As(err, &e) || e.Code != errs.Unauthenticated || connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Fatalf("%s: err = %v, want an Unauthenticated *errs.Error", tc2.name, err)
		}
		if tc2.wantIs != nil && !errors.Is(err, tc2.wantIs) {
			t.Errorf("%s: err = %v, want errors.Is %v", tc2.name, err, tc2.wantIs)
		}
	}
	if got := srv.Counters(); got.Attempts != 0 {
		t.Fatalf("%d attempts reached the server", got.Attempts)
	}
}

// The token goes in the header the server names, as for every flow, and
// nowhere else.
func TestPassthroughHeaderAndHosts(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithAuthorizationMetadataKey("flyte-authorization"))
	var (
		mu   sync.Mutex
		seen = map[string]http.Header{}
	)
	base := srv.HTTPClient().Transport
	rec := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen[r.URL.Path] = r.Header.Clone()
		mu.Unlock()
		return base.RoundTrip(r)
	})
	c := newClient(t, passthroughPlatform(srv), transport.WithBaseTransport(rec))
	tok := srv.IssueToken()
	if err := unary(authn.WithPassthroughToken(t.Context(), tok), authtest.NewTestClient(c, srv.URL()), "h"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, ok := seen[authtest.TestServiceUnaryProcedure]; !ok || len(seen) < 2 {
		t.Fatalf("requests seen: %v; want the call and the metadata it needs", seen)
	}
	for path, h := range seen {
		got := h.Get("Flyte-Authorization")
		switch {
		case path == authtest.TestServiceUnaryProcedure && (got != "Bearer "+tok || h.Get("Authorization") != ""):
			t.Errorf("call: flyte-authorization %q, authorization %q", got, h.Get("Authorization"))
		case path != authtest.TestServiceUnaryProcedure && got != "":
			t.Errorf("%s (metadata) got the token", path)
		}
	}
}

// A call that carries its own Authorization header needs no context token.
func TestPassthroughLeavesACallerSetHeader(t *testing.T) {
	t.Parallel()
	srv, c := newPassthrough(t)
	req := connect.NewRequest(wrapperspb.String("own"))
	req.Header().Set("Authorization", "Bearer "+srv.IssueToken())
	if _, err := authtest.NewTestClient(c, srv.URL()).Unary.CallUnary(t.Context(), req); err != nil {
		t.Fatal(err)
	}
}

func TestPassthroughRejectsATokenSource(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	_, err := transport.New(t.Context(), passthroughPlatform(srv), transport.WithTokenSource(authn.StaticToken("x")))
	if errs.CodeOf(err) != errs.InvalidArgument {
		t.Fatalf("err = %v, want InvalidArgument", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
