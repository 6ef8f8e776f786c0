package transport_test

import (
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/proxyauth"
	"github.com/authwire/authwire/transport"
)

// The sets of options each constructor accepts, checked by the compiler: an
// option missing from a set does not compile in that constructor's call.
var (
	// Base, Session, New and NewClient.
	_ = []transport.BaseOption{
		transport.WithDialTimeout(time.Second),
		transport.WithTLSHandshakeTimeout(time.Second),
		transport.WithResponseHeaderTimeout(time.Second),
		transport.WithHealthPings(time.Second, time.Second),
		transport.WithIdleConnTimeout(time.Second),
		transport.WithDialer(nil),
		transport.WithRootCAs(nil),
		transport.WithClientCertificate(tls.Certificate{}),
	}
	// Session, New and NewClient.
	_ = []transport.SessionOption{
		transport.WithDialTimeout(time.Second), // every BaseOption
		transport.WithBaseTransport(http.DefaultTransport),
		transport.WithProxyTokenSource(proxyauth.Static("token")),
		transport.WithHosts("data.example.com"),
		transport.WithClock(time.Now),
		transport.WithSessionTimeout(time.Second),
	}
	// New and NewClient.
	_ = []transport.Option{
		transport.WithDialTimeout(time.Second),    // every BaseOption
		transport.WithSessionTimeout(time.Second), // every SessionOption
		transport.WithTokenSource(authn.StaticToken("token")),
		transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{})),
		transport.WithLogger(nil),
		transport.WithAuthnOptions(authn.WithPrompt(nil), authn.WithRefreshWindow(time.Minute)),
		transport.WithRetryPolicy(errs.Policy{}),
		transport.WithRetryNonIdempotent(),
		transport.WithIdempotentProcedures("/flyteidl.service.AdminService/GetTask"),
	}
	// transport.WithAuthnOptions takes authn's flow options only: the
	// clock, logger, hosts and token source are the stack's, set above.
	_ = []authn.FlowOption{
		authn.WithAuthStyle(0),
		authn.WithCommandTimeout(time.Second),
		authn.WithFetchTimeout(time.Second),
		authn.WithRefreshWindow(time.Second),
		authn.WithPrompt(nil),
		authn.WithBrowser(nil),
		authn.WithTokenStore(nil),
		authn.WithKeyring(nil),
	}
)

// TestBaseTransportExcludesBaseOptions: WithBaseTransport replaces the
// transport a BaseOption configures, so Session and New reject the two
// together, naming the option, instead of ignoring it.
func TestBaseTransportExcludesBaseOptions(t *testing.T) {
	t.Parallel()
	cfg := &config.Platform{Endpoint: "flyte.example.com", AuthType: config.AuthNone}
	_, sessionErr := transport.Session(cfg, transport.WithDialTimeout(time.Second), transport.WithBaseTransport(http.DefaultTransport))
	_, newErr := transport.New(t.Context(), cfg, transport.WithBaseTransport(http.DefaultTransport), transport.WithRootCAs(nil))
	for name, tc := range map[string]struct {
		err    error
		option string
	}{"Session": {sessionErr, "WithDialTimeout"}, "New": {newErr, "WithRootCAs"}} {
		var e *errs.Error
		if !errors.As(tc.err, &e) || e.Code != errs.InvalidArgument {
			t.Fatalf("%s: err = %v, want InvalidArgument", name, tc.err)
		}
		if !strings.Contains(e.Message, "WithBaseTransport") || !strings.Contains(e.Message, tc.option) {
			t.Errorf("%s: message %q does not name WithBaseTransport and %s", name, e.Message, tc.option)
		}
	}
	if _, err := transport.New(t.Context(), cfg, transport.WithBaseTransport(http.DefaultTransport)); err != nil {
		t.Errorf("WithBaseTransport alone: %v", err)
	}
}
