package transport_test

// The fault suite: a hung, garbled, oversized or abusive peer at every read
// the stack makes for credentials, and a misbehaving credential command.
// Each case asserts that the call fails (or recovers) within its bound, that
// the error names what to change, and that no goroutine is left behind.
// Bounds are injected and short; no case sleeps. The cases do not run in
// parallel, so that the goroutine check sees only their own goroutines.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcmd"
	"github.com/authwire/authwire/internal/fakecmd"
	"github.com/authwire/authwire/transport"
)

// faultBound is the injected bound of the hang cases.
const faultBound = time.Second

// noHang is how long a case may take before it counts as hung: far above
// every injected bound, far below the test timeout.
const noHang = 20 * time.Second

// faultCase prepares a fault case: a goroutine check that runs after every
// other cleanup (servers closed, idle connections dropped), and a context
// that turns a hang into a failure.
func faultCase(t *testing.T) context.Context {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
	ctx, cancel := context.WithTimeout(t.Context(), noHang)
	t.Cleanup(cancel)
	return ctx
}

// call makes one unary call through c and reports how long it took.
func call(ctx context.Context, t *testing.T, c *http.Client, srv *authtest.Server) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	err := unary(ctx, authtest.NewTestClient(c, srv.URL()), "f")
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("the call hung for %s", noHang)
	}
	return time.Since(start), err
}

// wantError checks err's code and that its text says each of want.
func wantError(t *testing.T, err error, code errs.Code, want ...string) {
	t.Helper()
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("code = %v (%v); want %v", got, err, code)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

// TestFaultTokenEndpointHungThenRecovered: a token endpoint that accepts
// the request and never answers fails the call at the fetch bound; once
// it recovers, the next call gets a token from a fresh request instead of
// joining the stuck one.
func TestFaultTokenEndpointHungThenRecovered(t *testing.T) {
	ctx := faultCase(t)
	srv := authtest.New(t)
	endStall := srv.Stall(authtest.RouteToken)
	c := newClient(t, platform(srv), transport.WithAuthnOptions(authn.WithFetchTimeout(faultBound)))

	took, err := call(ctx, t, c, srv)
	wantError(t, err, errs.Unavailable, "took longer than 1s", "token endpoint")
	if took > noHang/2 {
		t.Fatalf("the hung fetch took %s to fail; bound %s", took, faultBound)
	}
	endStall()
	if _, err := call(ctx, t, c, srv); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	// The bound, not the server, ended the first call (the error says so);
	// on a loaded machine its request may not even have reached the server
	// by then. What must not happen is a second stuck request.
	if n := srv.Stalled(); n > 1 {
		t.Fatalf("stalled requests = %d; want at most 1", n)
	}
	if n := srv.Counters().TokensIssued; n != 1 {
		t.Fatalf("tokens issued = %d; want 1 (the recovery call's fresh request)", n)
	}
}

// TestFaultMetadataHungThenRecovered: a hung AuthMetadataService (RPC and
// REST route alike) fails the call once the session bound has passed for
// both; after recovery the next call asks again and succeeds.
func TestFaultMetadataHungThenRecovered(t *testing.T) {
	ctx := faultCase(t)
	srv := authtest.New(t)
	endStall := srv.Stall(authtest.RouteMetadata)
	c := newClient(t, platform(srv), transport.WithSessionTimeout(faultBound))

	_, err := call(ctx, t, c, srv)
	wantError(t, err, errs.Unavailable, "client configuration")
	endStall()
	if _, err := call(ctx, t, c, srv); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	if srv.Stalled() == 0 {
		t.Fatal("no metadata request was stalled")
	}
}

// TestFaultTokenAnswers: garbage and oversized token endpoint answers fail
// the call with an authentication error at once; the stack reads at most
// 1 MiB of them.
func TestFaultTokenAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"html", http.StatusOK, "<html>a proxy's login page</html>"},
		{"truncated json", http.StatusOK, `{"access_token": "at`},
		{"oversized", http.StatusOK, `{"access_token":"` + strings.Repeat("a", 8<<20) + `"}`},
		{"oversized error", http.StatusBadRequest, `{"error":"invalid_client","error_description":"` + strings.Repeat("a", 8<<20) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv := authtest.New(t)
			srv.FailTokenRequests(1, tc.status, tc.body)
			c := newClient(t, platform(srv))
			_, err := call(ctx, t, c, srv)
			wantError(t, err, errs.Unauthenticated, "token request")
			if len(err.Error()) > 4<<10 {
				t.Fatalf("error of %d bytes carries the answer", len(err.Error()))
			}
		})
	}
}

// TestFaultNegativeExpiresIn: a token answered with a negative expires_in
// is reused, not fetched again on every call.
func TestFaultNegativeExpiresIn(t *testing.T) {
	ctx := faultCase(t)
	srv := authtest.New(t)
	srv.FailTokenRequests(100, http.StatusOK, fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","expires_in":-30}`, srv.IssueToken()))
	c := newClient(t, platform(srv))
	for range 20 {
		if _, err := call(ctx, t, c, srv); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Counters().TokenRequests; n != 1 {
		t.Fatalf("token requests for 20 calls = %d; want 1", n)
	}
}

// devicePlatform is a device-flow configuration for srv.
func devicePlatform(srv *authtest.Server) *config.Platform {
	cfg := platform(srv)
	cfg.AuthType, cfg.ClientID, cfg.ClientSecret = config.AuthDeviceFlow, "", "" // the server's public client
	return cfg
}

// deviceClient is a client whose logins prompt into a buffer and keep
// their tokens in memory.
func deviceClient(t *testing.T, cfg *config.Platform, opts ...transport.Option) *http.Client {
	t.Helper()
	return newClient(t, cfg, append([]transport.Option{transport.WithAuthnOptions(
		authn.WithPrompt(&bytes.Buffer{}), authn.WithTokenStore(authn.NewMemoryTokenStore()))}, opts...)...)
}

// TestFaultDeviceIntervalAbuse: a server asking for a poll interval of
// years cannot hold the login (and the process-wide login lock) past the
// login's deadline.
func TestFaultDeviceIntervalAbuse(t *testing.T) {
	ctx := faultCase(t)
	srv := authtest.New(t, authtest.WithDeviceInterval(100*365*24*time.Hour))
	cfg := devicePlatform(srv)
	cfg.DeviceFlow.Timeout = faultBound
	c := deviceClient(t, cfg)
	_, err := call(ctx, t, c, srv)
	wantError(t, err, errs.DeadlineExceeded, "not approved within", "deviceFlowConfig.timeout")
}

// TestFaultDeviceOversizedPoll: an oversized answer to a device poll ends
// the login at once, naming the size.
func TestFaultDeviceOversizedPoll(t *testing.T) {
	ctx := faultCase(t)
	srv := authtest.New(t)
	srv.FailTokenRequests(1, http.StatusBadRequest, `{"error":"authorization_pending","x":"`+strings.Repeat("a", 2<<20)+`"}`)
	cfg := devicePlatform(srv)
	cfg.DeviceFlow.PollInterval = time.Millisecond
	c := deviceClient(t, cfg)
	_, err := call(ctx, t, c, srv)
	wantError(t, err, errs.Unauthenticated, "more than 1048576 bytes", "tokenUrl")
}

// TestFaultDeviceAuthorizationAnswers: garbage and oversized answers of
// the device authorization endpoint fail the login with an error naming
// the request (a non-JSON answer is transient, as a proxy's page may be).
func TestFaultDeviceAuthorizationAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       errs.Code
		want       string
	}{
		{"html", "<html>login</html>", errs.Unavailable, "device authorization request"},
		{"oversized", `{"device_code":"` + strings.Repeat("a", 8<<20) + `"}`, errs.Unauthenticated, "more than 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := faultCase(t)
			srv := authtest.New(t)
			idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(tc.body))
			}))
			t.Cleanup(idp.Close)
			c := deviceClient(t, devicePlatform(srv), transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{
				ClientID: "flytectl", TokenEndpoint: idp.URL + "/token", DeviceAuthorizationEndpoint: idp.URL + "/device",
			})))
			_, err := call(ctx, t, c, srv)
			wantError(t, err, tc.code, tc.want, "device authorization")
		})
	}
}

// commandPlatform is an ExternalCommand configuration for srv.
func commandPlatform(srv *authtest.Server, argv []string) *config.Platform {
	cfg := platform(srv)
	cfg.AuthType, cfg.ClientSecret, cfg.Command = config.AuthExternalCommand, "", argv
	return cfg
}

// TestFaultCommandHangWithChildren: a token command that starts a child
// and hangs is stopped at its timeout, child included.
func TestFaultCommandHangWithChildren(t *testing.T) {
	ctx := faultCase(t)
	srv := authtest.New(t)
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	c := newClient(t, commandPlatform(srv, fakecmd.HangWithChild(pidFile)),
		transport.WithAuthnOptions(authn.WithCommandTimeout(2*time.Second)))
	took, err := call(ctx, t, c, srv)
	wantError(t, err, errs.Unauthenticated, "timed out after 2s")
	if took > noHang/2 {
		t.Fatalf("the command took %s to fail", took)
	}
	if !fakecmd.CanTellRunning() {
		return
	}
	pid, err := fakecmd.ChildPid(pidFile, 0)
	if err != nil {
		t.Fatalf("the command started no child within its timeout: %v", err)
	}
	if fakecmd.Running(pid) {
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill()
		}
		t.Fatalf("child %d of the timed-out command survived it", pid)
	}
}

// TestFaultCommandFlood: a command printing 100 MB is stopped at 1 MiB;
// nothing of it becomes a token.
func TestFaultCommandFlood(t *testing.T) {
	ctx := faultCase(t)
	srv := authtest.New(t)
	c := newClient(t, commandPlatform(srv, fakecmd.Flood("stdout", 100<<20)))
	_, err := call(ctx, t, c, srv)
	wantError(t, err, errs.Unauthenticated, "more than 1 MiB to stdout", "print only the token")
	if !errors.Is(err, credcmd.ErrOutputTooLarge) {
		t.Errorf("error %v does not match credcmd.ErrOutputTooLarge", err)
	}
	if n := srv.Counters().TokenRequests; n != 0 {
		t.Fatalf("token requests = %d", n)
	}
}
