package transport

import (
	"errors"
	"io"
	"net/http"

	"connectrpc.com/connect"
	connectv2 "connectrpc.com/connect/v2"

	"github.com/authwire/authwire/errs"
)

// connectBridge is the outermost layer of [New]'s stack, between connect-go
// clients and the errs layer. connect-go turns any error its HTTP client
// returns into Unavailable unless the error unwraps to its own *connect.Error
// — v1's or v2's, each recognising only its own type. For a Connect, gRPC or
// gRPC-Web request (told by [errs.ProtocolOf]: both connect-go versions mark
// every call they send) it returns each error of the stack as a
// [connectError], so connect.CodeOf agrees with errs.CodeOf in both
// versions. A REST request's error passes unchanged: REST callers get the
// *errs.Error itself (inside net/http's *url.Error).
type connectBridge struct{ next http.RoundTripper }

var _ http.RoundTripper = (*connectBridge)(nil)

// RoundTrip sends req through the next layer and bridges a failure of an
// RPC request. It does not touch req: the layers below clone it.
func (c *connectBridge) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		if p := errs.ProtocolOf(req); p != errs.ProtocolREST && p != errs.ProtocolUnknown {
			err = bridgeError(err, req.URL.Path)
		}
		return nil, err
	}
	return resp, nil
}

// CloseIdleConnections forwards to the next layer.
func (c *connectBridge) CloseIdleConnections() {
	if ci, ok := c.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// Unwrap returns the next layer.
func (c *connectBridge) Unwrap() http.RoundTripper { return c.next }

// connectError is one error that is an *errs.Error, a connect-go v1
// *connect.Error and a v2 *connect.Error at once, all three with the same
// code: errors.As finds each, so errs.CodeOf, errs.KindOf, errors.Is(err,
// errs.ErrNotFound) and both versions' connect.CodeOf agree. It prints as
// the error it was made from.
type connectError struct {
	origin error // the error it was made from: its text is the text
	e      *errs.Error
	v1     *connect.Error
	v2     *connectv2.Error
}

func (c *connectError) Error() string { return c.origin.Error() }

// Unwrap returns the connect errors first, so that errors.As finds them
// before any other connect error deeper in the origin's chain (the cause of
// a stack error may be a call's failure with another code), then the
// *errs.Error and the origin.
func (c *connectError) Unwrap() []error { return []error{c.v1, c.v2, c.e, c.origin} }

// bridgeError is the one place that builds a [connectError]: from an error
// the stack raised (an *errs.Error in the chain), or from an error connect-go
// decoded from the wire (a v1 or v2 *connect.Error), adding whichever of the
// three the chain lacks. Both versions' interceptors and the bridge layer
// use it. procedure names the call, for a wire error's *errs.Error. An
// error that is already bridged, nil, or none of the three is returned
// unchanged; so is an *errs.Error of code OK, which no connect error can
// carry.
func bridgeError(err error, procedure string) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*connectError](err); ok {
		return err
	}
	c := &connectError{origin: err}
	c.e, _ = errors.AsType[*errs.Error](err)
	c.v1, _ = errors.AsType[*connect.Error](err)
	c.v2, _ = errors.AsType[*connectv2.Error](err)
	var code errs.Code
	switch {
	case c.e != nil:
		code = c.e.Code
		if code == errs.OK {
			return err
		}
		if errors.Is(err, io.EOF) {
			c.e = hideEOF(c.e)
			c.origin, err = c.e, c.e
		}
	case c.v1 != nil:
		code = errs.Code(c.v1.Code())
		c.e = wireError(code, c.v1.Message(), procedure, v1Details(c.v1))
	case c.v2 != nil:
		code = errs.Code(c.v2.Code())
		c.e = wireError(code, c.v2.Message(), procedure, v2Details(c.v2))
	default:
		return err
	}
	if c.v1 == nil || errs.Code(c.v1.Code()) != code {
		c.v1 = connect.NewError(connect.Code(code), err)
	}
	if c.v2 == nil || errs.Code(c.v2.Code()) != code {
		c.v2 = connectv2.NewError(connectv2.Code(code), err.Error()).WithCause(err)
	}
	return c
}

// hideEOF returns a copy of e whose cause no longer matches io.EOF under
// errors.Is (it matches io.ErrUnexpectedEOF instead). connect-go (v1 and
// v2) reads io.EOF as the clean end of a stream: it replaces any error of
// its HTTP client that matches io.EOF — net/http reports a connection the
// server closed before answering that way — with io.ErrUnexpectedEOF,
// which would drop the stack's error, its code and its hint.
func hideEOF(e *errs.Error) *errs.Error {
	cp := *e
	cp.Err = unexpectedEOF{cp.Err}
	return &cp
}

// unexpectedEOF is a cause that prints as err and is io.ErrUnexpectedEOF
// for errors.Is; it does not unwrap.
type unexpectedEOF struct{ err error }

func (u unexpectedEOF) Error() string        { return u.err.Error() }
func (u unexpectedEOF) Is(target error) bool { return target == io.ErrUnexpectedEOF }

// wireError is the *errs.Error of a failure a server reported and
// connect-go decoded. Its Op is "server": the server raised it, no layer of
// the stack.
func wireError(code errs.Code, msg, procedure string, details []errs.Detail) *errs.Error {
	return &errs.Error{Code: code, Op: "server", Message: msg, Procedure: procedure, Details: details}
}

func v1Details(ce *connect.Error) []errs.Detail {
	var out []errs.Detail
	for _, d := range ce.Details() {
		out = append(out, errs.Detail{Type: d.Type(), Value: d.Bytes()})
	}
	return out
}

func v2Details(ce *connectv2.Error) []errs.Detail {
	var out []errs.Detail
	for _, d := range ce.Details() {
		out = append(out, errs.Detail{Type: d.Type, Value: d.Value})
	}
	return out
}
