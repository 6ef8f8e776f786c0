package transport_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

// browser returns an opener that does what a person's browser does: follow
// the authorization URL, which authtest approves and redirects to the
// loopback callback.
func browser(srv *authtest.Server) func(context.Context, string) error {
	return func(ctx context.Context, url string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		go func() {
			resp, err := srv.HTTPClient().Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
		return nil
	}
}

// TestPKCEThroughTheStack: the browser login, then refresh instead of a
// second login after a revocation, for every protocol's calls alike.
func TestPKCEThroughTheStack(t *testing.T) {
	t.Parallel()
	onBackends(t, testPKCE)
}

func testPKCE(t *testing.T, newServer func(...authtest.Option) *authtest.Server) {
	srv := newServer(authtest.WithRedirectURI("http://127.0.0.1:0/callback"))
	cfg := &config.Platform{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: config.AuthPKCE}
	var prompt strings.Builder
	c := newClient(t, cfg, transport.WithAuthnOptions(
		authn.WithBrowser(browser(srv)),
		authn.WithPrompt(&syncWriter{w: &prompt}),
		authn.WithTokenStore(authn.NewMemoryTokenStore()),
	))
	for _, p := range protocols {
		if err := unary(t.Context(), authtest.NewTestClient(c, srv.URL(), p.opts...), "pkce"); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
	}
	got := srv.Counters()
	if got.Authorizations != 1 || got.CodeGrants != 1 {
		t.Fatalf("authorizations %d, code grants %d; want one login", got.Authorizations, got.CodeGrants)
	}
	srv.RevokeAll()
	if err := unary(t.Context(), authtest.NewTestClient(c, srv.URL(), connect.WithGRPC()), "again"); err != nil {
		t.Fatal(err)
	}
	got = srv.Counters()
	if got.Authorizations != 1 || got.RefreshGrants != 1 {
		t.Fatalf("after revocation: authorizations %d, refresh grants %d; want the refresh token used, no new login", got.Authorizations, got.RefreshGrants)
	}
}

func TestDeviceFlowThroughTheStack(t *testing.T) {
	t.Parallel()
	onBackends(t, testDeviceFlow)
}

func testDeviceFlow(t *testing.T, newServer func(...authtest.Option) *authtest.Server) {
	srv := newServer()
	srv.SetDevicePending(2)
	cfg := &config.Platform{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: config.AuthDeviceFlow,
		DeviceFlow: config.DeviceFlowConfig{PollInterval: time.Millisecond}}
	var prompt strings.Builder
	c := newClient(t, cfg, transport.WithAuthnOptions(
		authn.WithPrompt(&syncWriter{w: &prompt}),
		authn.WithTokenStore(authn.NewMemoryTokenStore()),
	))
	var wg sync.WaitGroup
	for i := range 21 {
		p := protocols[i%len(protocols)]
		wg.Go(func() {
			if err := unary(t.Context(), authtest.NewTestClient(c, srv.URL(), p.opts...), "device"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := srv.Counters()
	if got.DeviceAuthorizations != 1 || got.DeviceGrants != 1 || got.DevicePolls != 3 {
		t.Fatalf("device authorizations %d, grants %d, polls %d; want 1, 1, 3", got.DeviceAuthorizations, got.DeviceGrants, got.DevicePolls)
	}
	if !strings.Contains(prompt.String(), "/oauth2/device") {
		t.Fatalf("prompt does not show the verification URI: %q", prompt.String())
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
