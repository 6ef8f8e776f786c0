package config

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrInvalid is matched by every [*FieldError] through [errors.Is].
var ErrInvalid = errors.New("config: invalid configuration")

// FieldError reports a configuration value that cannot be used. Key is the
// key's path as users write it: "admin.authType" or "console.endpoint" when
// loaded from a flytectl YAML file, "credentials.auth_mode" from a flytekit
// INI file, "FLYTE_CREDENTIALS_AUTH_MODE" from the environment, and the bare
// key ("authType") for a [Platform] built by hand. Value is the offending
// value, left empty for secrets. File and Line locate the value when it came
// from a file; both are zero otherwise.
//
// The message is always one line.
type FieldError struct {
	Key    string
	Value  string
	Reason string
	Err    error // optional cause
	File   string
	Line   int
}

func (e *FieldError) Error() string {
	msg := messagePrefix(e.File, e.Line, e.Key) + e.Reason
	if e.Value != "" {
		msg += fmt.Sprintf(": %q", e.Value)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// messagePrefix returns "config: FILE:LINE: KEY: ", leaving out the parts
// that are empty or zero; errors and warnings share it.
func messagePrefix(file string, line int, key string) string {
	s := "config: "
	if file != "" {
		s += file
		if line > 0 {
			s += ":" + strconv.Itoa(line)
		}
		s += ": "
	}
	if key != "" {
		s += key + ": "
	}
	return s
}

// Unwrap returns the cause, if any.
func (e *FieldError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrInvalid].
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }
