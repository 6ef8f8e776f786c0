package errs

import (
	"errors"
	"strconv"
	"strings"
)

// Error is authwire's error. Every failure the stack produces itself (a token
// that cannot be fetched, a command that fails, a configuration mistake) is an
// *Error; so is every wire or transport failure this package classifies.
//
// Only Code is needed; every other field may be empty. The zero Code is
// Unknown for the purpose of [CodeOf]. An *Error holds no token, no secret
// and no URL query or user info.
type Error struct {
	// Code is the gRPC/Connect code.
	Code Code
	// Op names who raised the error: the layer or package of the stack
	// ("transport" for a failure of the connection or the base transport,
	// "retry" for the retry layer's own, "authn", "proxyauth", "credcmd"),
	// or "server" for a failure the server reported (an error answer read
	// by the stack, or a wire error through transport's connect
	// interceptors).
	Op string
	// Message describes the failure: for a wire failure, the server's
	// message. It never holds a token or a secret.
	Message string
	// Hint says what to change, when there is something to change.
	Hint string
	// Err is the cause, if any: the Go error of a transport failure, an
	// [*OAuthError] for an OAuth error answer, a context error.
	Err error

	// Protocol is the protocol of the call that failed; ProtocolUnknown for
	// failures not tied to a call.
	Protocol Protocol
	// Procedure names the call: the procedure path for RPCs
	// ("/flyteidl.service.AdminService/GetTask"), the method and URL for
	// REST ("GET https://host/api/v1/projects"), without user info, query
	// or fragment.
	Procedure string
	// HTTPStatus is the response's status code when there was a response,
	// else 0.
	HTTPStatus int
	// Attempts is how many times the retry layer sent the call before giving
	// up; 0 when the error did not come through it.
	Attempts int
	// Details are the error details the server attached (google.rpc.Status
	// details), in wire order.
	Details []Detail
}

// Detail is one error detail a server attached to a failure: a protobuf Any.
type Detail struct {
	// Type is the fully qualified message name
	// ("google.rpc.RetryInfo"), without a type URL prefix.
	Type string
	// Value is the message in protobuf binary encoding. It is nil when the
	// wire carried the detail as JSON (grpc-gateway bodies).
	Value []byte
}

// Error formats "op: procedure: code (HTTP status): giving up after N
// attempts: message: cause (hint)", leaving out empty parts. The code
// appears only for errors about a call (with a Procedure or an HTTPStatus),
// the status only when it is not 200 (gRPC reports failures in 200
// responses), the attempt count only when there was more than one.
func (e *Error) Error() string {
	if e == nil {
		return "errs: <nil>"
	}
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
	}
	add := func(s string) {
		if s != "" {
			sep()
			b.WriteString(s)
		}
	}
	add(e.Op)
	add(e.Procedure)
	if e.Procedure != "" || e.HTTPStatus != 0 {
		sep()
		b.WriteString(e.code().String())
		if e.HTTPStatus != 0 && e.HTTPStatus != 200 {
			b.WriteString(" (HTTP ")
			b.WriteString(strconv.Itoa(e.HTTPStatus))
			b.WriteString(")")
		}
	}
	if e.Attempts > 1 {
		add("giving up after " + strconv.Itoa(e.Attempts) + " attempts")
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

// Unwrap returns the cause. It is nil-safe.
func (e *Error) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Is reports whether target is the sentinel of e's code, so that
// errors.Is(err, ErrNotFound) holds for every NotFound *Error.
func (e *Error) Is(target error) bool {
	s, ok := target.(*sentinel)
	return ok && e != nil && e.code() == s.code
}

// Kind returns the Flyte kind of e's code.
func (e *Error) Kind() Kind { return e.code().Kind() }

// code is e.Code with the zero value read as Unknown.
func (e *Error) code() Code {
	if e.Code == OK {
		return Unknown
	}
	return e.Code
}

// CodeOf returns the code of err: the code of the first *Error in err's
// chain; else the code of a connect-go *connect.Error in the chain (so the
// errors connect-go builds from a server's answer report the same code
// through CodeOf as through connect.CodeOf); else Canceled or
// DeadlineExceeded for context errors; OK for nil and Unknown otherwise.
// Typed nil pointers in the chain are skipped.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	if e, ok := errors.AsType[*Error](err); ok && e != nil {
		return e.code()
	}
	if c, ok := connectCode(err); ok {
		return c
	}
	if c, ok := contextCode(err); ok {
		return c
	}
	return Unknown
}
