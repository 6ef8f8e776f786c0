package authn

import "errors"

// ErrStateMismatch is in the chain of the error of a browser login that
// timed out after its callback had received answers with a state other than
// the one this login sent (a stale tab, or a forged request); such answers
// are ignored. The OAuth errors that end a login are [*errs.OAuthError]
// values; match them with errors.As, or with errs.ErrLoginDenied and
// errs.ErrDeviceCodeExpired.
var ErrStateMismatch = errors.New("login callback state mismatch")
