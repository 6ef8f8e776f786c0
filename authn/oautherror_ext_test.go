package authn_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// tokenEndpoint is a token endpoint that answers every request with status
// and body.
func tokenEndpoint(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/token"
}

// clientSecretAuthenticator is a client-secret authenticator that gets its
// tokens from tokenURL.
func clientSecretAuthenticator(t *testing.T, tokenURL string) *authn.Authenticator {
	t.Helper()
	cfg := &config.Platform{Endpoint: "api.example.com", AuthType: config.AuthClientSecret,
		ClientID: "app", ClientSecret: "s3cret", TokenURL: tokenURL, Scopes: []string{"all"}}
	a, err := authn.New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// clientSecretToken asks a client-secret authenticator for a token from
// tokenURL.
func clientSecretToken(t *testing.T, tokenURL string) error {
	t.Helper()
	_, err := clientSecretAuthenticator(t, tokenURL).Token(t.Context())
	return err
}

// TestTokenEndpointErrorsAreOneModel checks that every RFC 6749 and RFC 8628
// error code a token endpoint answers reaches the caller as an
// *errs.OAuthError with the code errs.OAuthCode gives it, the same code the
// errs layer and the bearer layer give the same answer, and a description cleaned of control
// characters.
func TestTokenEndpointErrorsAreOneModel(t *testing.T) {
	t.Parallel()
	const description = "line one\r\nauthn: forged line\x1b[31m\u202ereversed\u0085"
	for _, code := range []string{
		"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
		"invalid_scope", "access_denied", "expired_token", "server_error", "something_new",
	} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			status := http.StatusBadRequest
			if code == "invalid_client" {
				status = http.StatusUnauthorized
			}
			b, _ := json.Marshal(map[string]string{"error": code, "error_description": description})
			body := string(b)
			err := clientSecretToken(t, tokenEndpoint(t, status, body))
			oe, ok := errors.AsType[*errs.OAuthError](err)
			if !ok || oe.ErrorCode != code {
				t.Fatalf("err = %v; want an *errs.OAuthError %s in the chain", err, code)
			}
			if got, want := errs.CodeOf(err), errs.OAuthCode(code); got != want {
				t.Errorf("code %v, want %v", got, want)
			}
			resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(body)), Request: httptest.NewRequest(http.MethodPost, "https://idp.test/token", nil)}
			if layer := errs.CodeOf(errs.FromResponse(resp)); layer != errs.CodeOf(err) {
				t.Errorf("the errs layer reads the answer as %v, the token flow as %v", layer, errs.CodeOf(err))
			}
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "https://api.example.com/api/v1/projects", nil)
			unused := roundTripFunc(func(*http.Request) (*http.Response, error) {
				t.Error("a call went out without a token")
				return nil, errors.New("unused")
			})
			_, berr := authn.Wrap(unused, clientSecretAuthenticator(t, tokenEndpoint(t, status, body))).RoundTrip(req)
			if boe, ok := errors.AsType[*errs.OAuthError](berr); !ok || boe.ErrorCode != code || errs.CodeOf(berr) != errs.CodeOf(err) {
				t.Errorf("the bearer layer reports %v (code %v), the token flow %v", berr, errs.CodeOf(berr), errs.CodeOf(err))
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n\x1b\u202e\u0085") || !strings.Contains(msg, `client "app"`) || strings.Contains(msg, "s3cret") {
				t.Errorf("error %q: want one clean line naming the client, without the secret", msg)
			}
			if !strings.Contains(oe.ErrorDescription, "line one") || !strings.Contains(oe.ErrorDescription, "reversed") {
				t.Errorf("description %q lost its text", oe.ErrorDescription)
			}
		})
	}
}

func TestTokenEndpointTransientAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
	}{
		{http.StatusServiceUnavailable, `{"error":"temporarily_unavailable"}`},
		{http.StatusInternalServerError, `{"error":"server_error"}`},
		{http.StatusBadGateway, `<html>bad gateway</html>`},
		{http.StatusTooManyRequests, `{"error":"slow_down"}`},
	} {
		err := clientSecretToken(t, tokenEndpoint(t, tc.status, tc.body))
		if errs.CodeOf(err) != errs.Unavailable {
			t.Errorf("HTTP %d %s: code %v, want Unavailable (%v)", tc.status, tc.body, errs.CodeOf(err), err)
		}
	}
}

// TestTokenTypeMustBeBearer: a token the bearer layer would send as Bearer
// but is not one is refused with a typed error.
func TestTokenTypeMustBeBearer(t *testing.T) {
	t.Parallel()
	for tokenType, ok := range map[string]bool{"": true, "bearer": true, "Bearer": true, "BEARER": true, "DPoP": false, "mac": false, "N_A": false} {
		t.Run(tokenType, func(t *testing.T) {
			t.Parallel()
			body := `{"access_token":"tok-123","expires_in":3600`
			if tokenType != "" {
				body += `,"token_type":"` + tokenType + `"`
			}
			err := clientSecretToken(t, tokenEndpoint(t, http.StatusOK, body+"}"))
			if ok {
				if err != nil {
					t.Fatalf("token_type %q: %v", tokenType, err)
				}
				return
			}
			e, isErr := errors.AsType[*errs.Error](err)
			if !isErr || e.Code != errs.FailedPrecondition || !strings.Contains(err.Error(), tokenType) || !strings.Contains(err.Error(), "Bearer") {
				t.Fatalf("token_type %q: err = %v; want FailedPrecondition naming the type", tokenType, err)
			}
			if strings.Contains(err.Error(), "tok-123") {
				t.Fatalf("the error shows the token: %v", err)
			}
		})
	}
}
