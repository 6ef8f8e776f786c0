package authn

import "errors"

// ErrStateMismatch is in the chain of the error of a login whose callback
// carried a state other than the one this login sent, so it was rejected
// (a stale tab, or a forged request). The OAuth errors that end a login are
// [*errs.OAuthError] values; match them with errors.As, or with
// errs.ErrLoginDenied and errs.ErrDeviceCodeExpired.
var ErrStateMismatch = errors.New("login callback state mismatch")
