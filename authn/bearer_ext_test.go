package authn_test

import (
	"context"
	"errors"
	"golang.org/x/oauth2"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

const api = "https://api.example.com/svc/Method"

func okOr401(authorized bool, _ *http.Request) *http.Response {
	if authorized {
		return response(200, nil, []byte("ok"), nil)
	}
	return response(401, nil, []byte(`{"code":"unauthenticated"}`), nil)
}

func TestAttachesTokenAndCachesIt(t *testing.T) {
	t.Parallel()
	srv := newServer(okOr401)
	src := &tokens{srv: srv}
	c := stack(t, nil, srv, authn.WithTokenSource(src))
	for range 5 {
		req, _ := post(t, api, "x", true)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if n := src.n.Load(); n != 1 {
		t.Fatalf("token fetches = %d, want 1", n)
	}
	if got := srv.headers()[0]; got != "Bearer tok-1" {
		t.Fatalf("header = %q", got)
	}
}

func TestRejectionRefreshesOnceAndReplays(t *testing.T) {
	t.Parallel()
	srv := newServer(okOr401)
	src := &tokens{srv: srv}
	c := stack(t, nil, srv, authn.WithTokenSource(src))
	req, _ := post(t, api, "payload", true)
	resp, _ := c.Do(req)
	resp.Body.Close()
	srv.revoke("tok-1")
	before := srv.attempts.Load()
	req, body := post(t, api, "payload", true)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if got := srv.attempts.Load() - before; got != 2 {
		t.Fatalf("attempts = %d, want 2", got)
	}
	if n := src.n.Load(); n != 2 {
		t.Fatalf("token fetches = %d, want 2", n)
	}
	if got := srv.bodies[len(srv.bodies)-1]; got != "payload" {
		t.Fatalf("replayed body = %q", got)
	}
	if n := body.closes.Load(); n != 1 {
		t.Fatalf("caller body closed %d times, want 1", n)
	}
}

func TestPersistentRejectionCostsTwoAttempts(t *testing.T) {
	t.Parallel()
	srv := newServer(func(bool, *http.Request) *http.Response { return okOr401(false, nil) })
	src := &tokens{srv: srv}
	c := stack(t, nil, srv, authn.WithTokenSource(src))
	for i := range 3 {
		req, _ := post(t, api, "x", true)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if got := srv.attempts.Load(); got != int32(2*(i+1)) {
			t.Fatalf("after call %d: attempts = %d, want %d", i+1, got, 2*(i+1))
		}
		if got := src.n.Load(); got > int32(2*(i+1)) {
			t.Fatalf("after call %d: token fetches = %d", i+1, got)
		}
	}
}

func TestNonReplayableIsNotReplayedButNextCallIsFresh(t *testing.T) {
	t.Parallel()
	srv := newServer(okOr401)
	src := &tokens{srv: srv}
	c := stack(t, nil, srv, authn.WithTokenSource(src))
	req, _ := post(t, api, "x", true)
	resp, _ := c.Do(req)
	resp.Body.Close()
	srv.revoke("tok-1")

	req, body := post(t, api, "stream", false)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || srv.attempts.Load() != 2 {
		t.Fatalf("status %d attempts %d, want 401 after one attempt", resp.StatusCode, srv.attempts.Load()-1)
	}
	if body.closes.Load() != 1 {
		t.Fatalf("body closed %d times", body.closes.Load())
	}
	req, _ = post(t, api, "x", true)
	resp, _ = c.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 200 || src.n.Load() != 2 {
		t.Fatalf("next call: status %d, fetches %d", resp.StatusCode, src.n.Load())
	}
}

func TestConcurrentRejectionsRefreshOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(okOr401)
	src := &tokens{srv: srv}
	c := stack(t, nil, srv, authn.WithTokenSource(src))
	req, _ := post(t, api, "x", true)
	resp, _ := c.Do(req)
	resp.Body.Close()
	srv.revoke("tok-1")
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, api, nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if n := src.n.Load(); n != 2 {
		t.Fatalf("token fetches = %d, want 2", n)
	}
}

func TestLeavesOtherRequestsAlone(t *testing.T) {
	t.Parallel()
	srv := newServer(okOr401)
	src := &tokens{srv: srv}
	c := stack(t, nil, srv, authn.WithTokenSource(src))

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://idp.example.org/x", nil)
	resp, _ := c.Do(req)
	resp.Body.Close()
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, api, nil)
	req.Header.Set("Authorization", "Bearer callers-own")
	resp, _ = c.Do(req)
	resp.Body.Close()

	if diff := cmp.Diff([]string{"", "Bearer callers-own"}, srv.headers()); diff != "" {
		t.Fatalf("headers (-want +got):\n%s", diff)
	}
	if resp.StatusCode != 401 || srv.attempts.Load() != 2 || src.n.Load() != 0 {
		t.Fatalf("caller-set header was handled: status %d attempts %d fetches %d", resp.StatusCode, srv.attempts.Load(), src.n.Load())
	}
}

func TestDoesNotMutateCallerRequest(t *testing.T) {
	t.Parallel()
	srv := newServer(okOr401)
	c := stack(t, nil, srv, authn.WithTokenSource(&tokens{srv: srv}))
	req, _ := post(t, api, "x", true)
	req.Header.Set("X-Caller", "1")
	resp, _ := c.Do(req)
	resp.Body.Close()
	if diff := cmp.Diff(http.Header{"X-Caller": {"1"}}, req.Header); diff != "" {
		t.Fatalf("caller's headers changed (-want +got):\n%s", diff)
	}
}

func TestCustomHeaderKey(t *testing.T) {
	t.Parallel()
	var got http.Header
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r.Header.Clone()
		return response(200, nil, nil, nil), nil
	})
	cfg := &config.Platform{Endpoint: "api.example.com", AuthorizationHeader: "flyte-authorization"}
	c := stack(t, cfg, rt, authn.WithTokenSource(authn.StaticToken("static")))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, api, nil)
	resp, _ := c.Do(req)
	resp.Body.Close()
	if got.Get("Flyte-Authorization") != "Bearer static" || got.Get("Authorization") != "" {
		t.Fatalf("headers = %v", got)
	}
}

func TestRefusesCleartextToRemoteHost(t *testing.T) {
	t.Parallel()
	srv := newServer(okOr401)
	cfg := &config.Platform{Endpoint: "http://api.example.com"}
	c := stack(t, cfg, srv, authn.WithTokenSource(authn.StaticToken("secret-token")))
	req, body := post(t, "http://api.example.com/x", "x", true)
	_, err := c.Do(req)
	if err == nil || errs.CodeOf(err) != errs.FailedPrecondition {
		t.Fatalf("err = %v, want FailedPrecondition", err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Fatal("token in error")
	}
	if body.closes.Load() != 1 || srv.attempts.Load() != 0 {
		t.Fatalf("closes %d attempts %d", body.closes.Load(), srv.attempts.Load())
	}

	loop := stack(t, &config.Platform{Endpoint: "http://127.0.0.1:8089"}, srv, authn.WithTokenSource(authn.StaticToken("t")))
	req, _ = post(t, "http://127.0.0.1:8089/x", "x", true)
	resp, err := loop.Do(req)
	if err != nil {
		t.Fatalf("loopback cleartext refused: %v", err)
	}
	resp.Body.Close()
}

func TestTokenFailureClosesBodyAndIsTyped(t *testing.T) {
	t.Parallel()
	srv := newServer(okOr401)
	boom := &errs.Error{Code: errs.Unauthenticated, Op: "test", Message: "no token"}
	c := stack(t, nil, srv, authn.WithTokenSource(authn.TokenSourceFunc(func(context.Context) (*oauth2.Token, error) { return nil, boom })))
	req, body := post(t, api, "x", true)
	_, err := c.Do(req)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if body.closes.Load() != 1 || srv.attempts.Load() != 0 {
		t.Fatalf("closes %d attempts %d", body.closes.Load(), srv.attempts.Load())
	}
}

func TestLazyModeAuthenticatesOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	var sandbox bool
	srv := newServer(func(authorized bool, r *http.Request) *http.Response {
		if sandbox {
			return response(200, nil, nil, nil)
		}
		return okOr401(authorized, r)
	})
	sandbox = true
	cfg := &config.Platform{Endpoint: "api.example.com", AuthType: config.AuthUnset, Command: []string{"unused"}}
	a, err := authn.New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: authn.Wrap(srv, a)}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, api, nil)
	resp, _ := c.Do(req)
	resp.Body.Close()
	if h := srv.headers(); h[0] != "" || resp.StatusCode != 200 {
		t.Fatalf("sandbox call sent %q, status %d", h[0], resp.StatusCode)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestStaticTokenRejectionIsNotReplayed: when the source hands out the
// rejected token again, a replay would be rejected too; the caller gets the
// first answer whole, its gRPC status included.
func TestStaticTokenRejectionIsNotReplayed(t *testing.T) {
	t.Parallel()
	srv := newServer(func(bool, *http.Request) *http.Response {
		return response(200, http.Header{"Content-Type": {"application/grpc"}}, nil, http.Header{"Grpc-Status": {"16"}})
	})
	c := stack(t, nil, srv, authn.WithTokenSource(authn.StaticToken("static")))
	req, _ := post(t, api, "x", true)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n := srv.attempts.Load(); n != 1 {
		t.Fatalf("attempts = %d, want 1", n)
	}
	if got := resp.Trailer.Get("Grpc-Status"); got != "16" {
		t.Fatalf("grpc-status = %q, want the rejection's 16", got)
	}
}

// TestCallerHeaderWithServerChosenNameIsKept: the server names the token
// header (authorization_metadata_key); a caller that set that header itself
// keeps its value, and the layer neither replaces it nor replays over it.
func TestCallerHeaderWithServerChosenNameIsKept(t *testing.T) {
	t.Parallel()
	var seen []string
	var mu sync.Mutex
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Flyte-Authorization"))
		mu.Unlock()
		return response(401, nil, nil, nil), nil
	})
	store := authn.StaticConfigStore(authn.ClientConfig{AuthorizationMetadataKey: "flyte-authorization"})
	a, err := authn.New(&config.Platform{Endpoint: "api.example.com"}, store, nil, authn.WithTokenSource(authn.StaticToken("stack-token")))
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: authn.Wrap(rt, a)}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, api, nil)
	req.Header.Set("Flyte-Authorization", "Bearer caller-token")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if diff := cmp.Diff([]string{"Bearer caller-token"}, seen); diff != "" {
		t.Fatalf("headers sent (-want +got):\n%s", diff)
	}
}

// TestBrokenNextHopIsATypedError: a nil request, and a next hop that breaks
// the RoundTripper contract, give errors rather than panics.
func TestBrokenNextHopIsATypedError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		hop  roundTripFunc
		code errs.Code
	}{
		{"nil response and nil error", func(*http.Request) (*http.Response, error) { return nil, nil }, errs.Internal},
		{"401 without a body", func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 401, Header: http.Header{}}, nil
		}, errs.Internal},
		{"200 without a body", func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/grpc"}}}, nil
		}, errs.Internal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := authn.New(&config.Platform{Endpoint: "api.example.com"}, nil, nil, authn.WithTokenSource(authn.StaticToken("tok")))
			if err != nil {
				t.Fatal(err)
			}
			req, body := post(t, api, "x", true)
			resp, err := authn.Wrap(tc.hop, a).RoundTrip(req)
			if resp != nil || errs.CodeOf(err) != tc.code || !errors.Is(err, errs.ErrBrokenRoundTripper) {
				t.Fatalf("resp %v, err %v; want no response and %v", resp, err, tc.code)
			}
			if body.closes.Load() > 1 {
				t.Fatalf("body closed %d times", body.closes.Load())
			}
		})
	}
	a, err := authn.New(&config.Platform{Endpoint: "api.example.com"}, nil, nil, authn.WithTokenSource(authn.StaticToken("tok")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authn.Wrap(http.DefaultTransport, a).RoundTrip(nil); errs.CodeOf(err) != errs.InvalidArgument || !errors.Is(err, errs.ErrBrokenRoundTripper) {
		t.Fatalf("nil request: err = %v", err)
	}
}
