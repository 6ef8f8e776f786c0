package authn

import (
	"net/http"

	"github.com/authwire/authwire/internal/wire"
)

// How a server says "unauthenticated" differs per protocol (see DESIGN.md):
// HTTP 401 for REST, Connect unary and proxies; grpc-status 16 in the headers
// for gRPC trailers-only answers; grpc-status 16 in the HTTP trailers, after
// an empty body, for grpc-go's ServeHTTP and connect-go servers; a trailer
// frame (gRPC-Web) or end-of-stream frame (Connect streaming) before any
// message. This file tells them apart with the wire reader
// (internal/wire), without buffering message bodies.

// verdict is what the headers alone say about a response.
type verdict int

const (
	accepted  verdict = iota // not a rejection
	rejected                 // a rejection
	undecided                // the body's first frame or the trailers decide
)

// judgeHeaders classifies a response by status and headers only. It does
// not allocate.
func judgeHeaders(resp *http.Response) (verdict, wire.Envelope) {
	if resp.StatusCode == http.StatusUnauthorized {
		return rejected, wire.Unframed
	}
	env := wire.EnvelopeOf(resp.Header)
	if env == wire.Unframed || resp.StatusCode != http.StatusOK {
		return accepted, env
	}
	if env != wire.ConnectFrames {
		if s := resp.Header["Grpc-Status"]; len(s) > 0 {
			if s[0] == "16" {
				return rejected, env
			}
			return accepted, env
		}
	}
	return undecided, env
}

// peek reads the start of an undecided response's body (see [wire.Peek]),
// into pb: a body that ends before any message with status Unauthenticated
// is a rejection. Either way resp.Body serves the whole body.
func peek(resp *http.Response, env wire.Envelope, pb *wire.PeekedBody) bool {
	st, ended := wire.Peek(resp, env, pb)
	return ended && st.Code == wire.CodeUnauthenticated
}

// watchBody wraps the body of a response that cannot be replayed (or was
// already replayed) so that a rejection seen only later — in the trailers at
// EOF, or in an end frame — still calls onReject, which invalidates the
// token for the next call.
func watchBody(resp *http.Response, env wire.Envelope, onReject func()) {
	wire.Watch(resp, env, func(st wire.Status) {
		if st.Code == wire.CodeUnauthenticated {
			onReject()
		}
	})
}
