package errs

import (
	"errors"
	"net/http"
)

// ErrBrokenRoundTripper is matched (errors.Is) by the error a layer returns
// instead of panicking when it is handed a nil request, or when its next
// RoundTripper breaks the http.RoundTripper contract: neither a response nor
// an error, or a response without a Body.
var ErrBrokenRoundTripper = errors.New("http.RoundTripper contract broken")

// CheckRequest returns nil for a request a layer can send, else an *Error of
// code InvalidArgument for op ("authn", "proxyauth"): a nil request or one
// without a URL. It closes the body of a request it refuses.
func CheckRequest(op string, req *http.Request) error {
	if req != nil && req.URL != nil {
		return nil
	}
	if req != nil && req.Body != nil {
		req.Body.Close()
	}
	return &Error{Code: InvalidArgument, Op: op, Message: "nil request or request URL", Err: ErrBrokenRoundTripper}
}

// CheckResponse returns nil for what a next hop may return — an error, or a
// response with a Body — else an *Error of code Internal for op that names
// the broken contract.
func CheckResponse(op string, resp *http.Response, err error) error {
	switch {
	case err != nil:
		return nil
	case resp == nil:
		return &Error{Code: Internal, Op: op, Message: "the next RoundTripper returned neither a response nor an error", Err: ErrBrokenRoundTripper}
	case resp.Body == nil:
		return &Error{Code: Internal, Op: op, Message: "the next RoundTripper returned a response without a Body", Err: ErrBrokenRoundTripper, HTTPStatus: resp.StatusCode}
	}
	return nil
}
