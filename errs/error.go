package errs

import (
	"errors"
	"strings"
)

// Error is authwire's error. Every failure the stack produces itself (a token
// that cannot be fetched, a command that fails, a configuration mistake) is an
// *Error; so is every wire failure the mapping layer classifies.
//
// The zero Code is Unknown for the purpose of [CodeOf].
type Error struct {
	// Code is the gRPC/Connect code.
	Code Code
	// Op names the layer and operation that failed ("authn: token").
	Op string
	// Message describes the failure. It never holds a token or a secret.
	Message string
	// Hint says what to change, when there is something to change.
	Hint string
	// Err is the cause, if any.
	Err error
}

// Error formats "op: message: cause (hint)", leaving out empty parts.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	add := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(s)
	}
	add(e.Message)
	if e.Err != nil {
		add(e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code.
func (e *Error) Is(target error) bool {
	s, ok := target.(*sentinel)
	return ok && e.Code == s.code
}

// CodeOf returns the code of the first *Error in err's chain, Canceled or
// DeadlineExceeded for context errors, OK for nil, and Unknown otherwise.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	if e, ok := errors.AsType[*Error](err); ok && e != nil {
		if e.Code == OK {
			return Unknown
		}
		return e.Code
	}
	if c, ok := contextCode(err); ok {
		return c
	}
	return Unknown
}
