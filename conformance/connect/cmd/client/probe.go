//go:build conformancegen

package main

import (
	"context"
	"errors"
	"net/http"
)

// The conformance suite passes even through a layer that drops the
// caller's context (connect-go also watches it), so the client checks that
// itself: every call runs with a marked, cancelable context, and a probe
// between authwire's layers and its base transport fails any request that
// arrives without that context.

// callKey marks the context of a call made by this program.
type callKey struct{}

// markCall returns ctx marked as the context of a call.
func markCall(ctx context.Context) context.Context {
	return context.WithValue(ctx, callKey{}, true)
}

// errContextLost is returned for a request whose context is not the
// caller's.
var errContextLost = errors.New("client: the stack did not pass the caller's context down to the base transport")

// contextProbe is the base of every stack: it forwards to next the requests
// that carry the caller's marked, cancelable context and fails the others.
type contextProbe struct{ next http.RoundTripper }

func (p contextProbe) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if ctx.Value(callKey{}) == nil || ctx.Done() == nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, errContextLost
	}
	return p.next.RoundTrip(req)
}

func (p contextProbe) CloseIdleConnections() {
	if c, ok := p.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
