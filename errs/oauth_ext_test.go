package errs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/authwire/authwire/errs"
)

// TestOAuthErrorIsCleaned: what an identity provider writes cannot forge a
// line or hide text in an error string, whether the error was made by
// NewOAuthError or by hand.
func TestOAuthErrorIsCleaned(t *testing.T) {
	t.Parallel()
	const dirty = "bad\r\nerrs: forged\x1b[2K\x00\u0085\u2028\u202e\u2066hidden\x7f"
	made := errs.NewOAuthError("invalid_client\n", dirty, "https://idp.test/e\r\n")
	byHand := &errs.OAuthError{ErrorCode: "invalid_client", ErrorDescription: dirty}
	for name, oe := range map[string]*errs.OAuthError{"NewOAuthError": made, "by hand": byHand} {
		e := errs.FromOAuth("authn", "token request rejected", oe)
		msg := e.Error()
		if strings.ContainsAny(msg, "\r\n\x1b\x00\x7f\u0085\u2028\u202e\u2066") {
			t.Errorf("%s: %q holds control characters", name, msg)
		}
		if !strings.Contains(msg, "invalid_client") || !strings.Contains(msg, "hidden") || !strings.Contains(msg, "clientId") {
			t.Errorf("%s: %q lost the code, the text or the hint", name, msg)
		}
		if e.Code != errs.Unauthenticated {
			t.Errorf("%s: code %v", name, e.Code)
		}
		if got, ok := errors.AsType[*errs.OAuthError](e); !ok || got != oe {
			t.Errorf("%s: the OAuthError is not in the chain", name)
		}
	}
	if made.ErrorCode != "invalid_client" || strings.ContainsAny(made.ErrorURI, "\r\n") {
		t.Errorf("NewOAuthError kept %q, %q", made.ErrorCode, made.ErrorURI)
	}
}

func TestOAuthErrorSentinels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code                  string
		denied, deviceExpired bool
	}{
		{"access_denied", true, false},
		{"expired_token", false, true},
		{"invalid_grant", false, false},
	} {
		err := errs.FromOAuth("authn", "", errs.NewOAuthError(tc.code, "", ""))
		if got := errors.Is(err, errs.ErrLoginDenied); got != tc.denied {
			t.Errorf("%s: errors.Is(ErrLoginDenied) = %v", tc.code, got)
		}
		if got := errors.Is(err, errs.ErrDeviceCodeExpired); got != tc.deviceExpired {
			t.Errorf("%s: errors.Is(ErrDeviceCodeExpired) = %v", tc.code, got)
		}
	}
}
