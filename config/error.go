package config

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched by every [*FieldError] through [errors.Is].
var ErrInvalid = errors.New("config: invalid configuration")

// FieldError reports a configuration value that cannot be used. Key is the
// key's path as users write it ("admin.authType" when loaded from a file,
// "authType" otherwise). Value is the offending value, left empty for secrets.
type FieldError struct {
	Key    string
	Value  string
	Reason string
	Err    error // optional cause
}

func (e *FieldError) Error() string {
	msg := "config: " + e.Key + ": " + e.Reason
	if e.Value != "" {
		msg = fmt.Sprintf("config: %s: %s: %q", e.Key, e.Reason, e.Value)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause, if any.
func (e *FieldError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrInvalid].
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }
