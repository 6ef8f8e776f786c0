package authn_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// recorder is a session transport that records every request and answers
// each with a token.
type recorder struct{ n atomic.Int32 }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.n.Add(1)
	if req.Body != nil {
		req.Body.Close()
	}
	body := `{"access_token":"at","token_type":"Bearer","expires_in":3600}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body))}, nil
}

// TestEndpointsThatWouldLeakCredentialsAreRefused: a token, device or
// authorization endpoint over cleartext http to a remote host (insecure is
// false), or one that is not an http(s) URL at all, is refused before
// anything is sent or opened, with an error that names the endpoint and what
// to change. Loopback hosts, and insecure: true, may use http.
func TestEndpointsThatWouldLeakCredentialsAreRefused(t *testing.T) {
	t.Parallel()
	const remote = "http://idp.example.com"
	for _, tc := range []struct {
		name     string
		mode     config.AuthType
		insecure bool
		tokenURL string // the configuration's tokenUrl
		cc       authn.ClientConfig
		want     errs.Code // OK: allowed
		names    string    // in the message
	}{
		{"client secret, server's http token_endpoint", config.AuthClientSecret, false, "", authn.ClientConfig{TokenEndpoint: remote + "/token"}, errs.FailedPrecondition, "token_endpoint"},
		{"client secret, http tokenUrl", config.AuthClientSecret, false, remote + "/token", authn.ClientConfig{}, errs.FailedPrecondition, "tokenUrl"},
		{"client secret, tokenUrl not a URL", config.AuthClientSecret, false, "--help", authn.ClientConfig{}, errs.InvalidArgument, "tokenUrl"},
		{"client secret, insecure: true", config.AuthClientSecret, true, "", authn.ClientConfig{TokenEndpoint: remote + "/token"}, errs.OK, ""},
		{"client secret, loopback http", config.AuthClientSecret, false, "", authn.ClientConfig{TokenEndpoint: "http://127.0.0.1:9/token"}, errs.OK, ""},
		{"pkce, http token_endpoint", config.AuthPKCE, false, "", authn.ClientConfig{TokenEndpoint: remote + "/token", AuthorizationEndpoint: "https://idp.example.com/authorize"}, errs.FailedPrecondition, "token_endpoint"},
		{"pkce, http authorization_endpoint", config.AuthPKCE, false, "", authn.ClientConfig{TokenEndpoint: "https://idp.example.com/token", AuthorizationEndpoint: remote + "/authorize"}, errs.FailedPrecondition, "authorization_endpoint"},
		{"pkce, file: authorization_endpoint", config.AuthPKCE, false, "", authn.ClientConfig{TokenEndpoint: "https://idp.example.com/token", AuthorizationEndpoint: "file:///etc/passwd"}, errs.InvalidArgument, "authorization_endpoint"},
		{"pkce, javascript: authorization_endpoint", config.AuthPKCE, false, "", authn.ClientConfig{TokenEndpoint: "https://idp.example.com/token", AuthorizationEndpoint: "javascript:alert(1)"}, errs.InvalidArgument, "authorization_endpoint"},
		{"pkce, option as authorization_endpoint", config.AuthPKCE, false, "", authn.ClientConfig{TokenEndpoint: "https://idp.example.com/token", AuthorizationEndpoint: "--help"}, errs.InvalidArgument, "authorization_endpoint"},
		{"device, http device_authorization_endpoint", config.AuthDeviceFlow, false, "", authn.ClientConfig{TokenEndpoint: "https://idp.example.com/token", DeviceAuthorizationEndpoint: remote + "/device"}, errs.FailedPrecondition, "device_authorization_endpoint"},
		{"device, http token_endpoint", config.AuthDeviceFlow, false, "", authn.ClientConfig{TokenEndpoint: remote + "/token", DeviceAuthorizationEndpoint: "https://idp.example.com/device"}, errs.FailedPrecondition, "token_endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := &config.Platform{Endpoint: "flyte.example.com", AuthType: tc.mode, Insecure: tc.insecure, TokenURL: tc.tokenURL, ClientID: "id", ClientSecret: "s3cr3t"}
			sent := new(recorder)
			var opened atomic.Int32
			open := func(context.Context, string) error { opened.Add(1); return errors.New("no browser here") }
			a, err := authn.New(cfg, authn.StaticConfigStore(tc.cc), &http.Client{Transport: sent},
				authn.WithTokenStore(authn.NewMemoryTokenStore()), authn.WithBrowser(open), authn.WithPrompt(io.Discard))
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.Token(t.Context())
			if tc.want == errs.OK {
				if err != nil || sent.n.Load() != 1 {
					t.Fatalf("err = %v, requests %d; want a token request", err, sent.n.Load())
				}
				return
			}
			if errs.CodeOf(err) != tc.want || !errors.Is(err, authn.ErrInsecureEndpoint) {
				t.Fatalf("err = %v; want %v matching ErrInsecureEndpoint", err, tc.want)
			}
			var e *errs.Error
			if !errors.As(err, &e) || !strings.Contains(e.Message, tc.names) || e.Hint == "" {
				t.Fatalf("err = %v; want it to name %s and what to change", err, tc.names)
			}
			if strings.Contains(err.Error(), "s3cr3t") || sent.n.Load() != 0 || opened.Load() != 0 {
				t.Fatalf("requests sent %d, browser opened %d", sent.n.Load(), opened.Load())
			}
		})
	}
}
