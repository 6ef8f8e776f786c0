//go:build conformancegen

package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// breakModes are the -break values: each wraps the stack in a deliberately
// wrong layer, so a test can show that the suite notices.
var breakModes = map[string]func(http.RoundTripper) http.RoundTripper{
	// shallow-response returns a shallow copy of every response. net/http
	// fills the trailers of the response it returned, at body EOF, so the
	// copy never sees them: gRPC calls lose their status.
	"shallow-response": func(next http.RoundTripper) http.RoundTripper { return shallowResponse{next} },
	// detach-context sends every request with a context that keeps the
	// caller's values but not its cancellation or deadline.
	"detach-context": func(next http.RoundTripper) http.RoundTripper { return detachContext{next} },
}

// breakLayer returns the wrapper for mode; "" means none.
func breakLayer(mode string) (func(http.RoundTripper) http.RoundTripper, error) {
	if mode == "" {
		return nil, nil
	}
	wrap, ok := breakModes[mode]
	if !ok {
		return nil, fmt.Errorf("client: unknown -break mode %q (known: %v)", mode, slices.Sorted(maps.Keys(breakModes)))
	}
	return wrap, nil
}

type shallowResponse struct{ next http.RoundTripper }

func (s shallowResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	cp := *resp
	cp.Trailer = resp.Trailer.Clone()
	return &cp, nil
}

type detachContext struct{ next http.RoundTripper }

func (d detachContext) RoundTrip(req *http.Request) (*http.Response, error) {
	return d.next.RoundTrip(req.Clone(context.WithoutCancel(req.Context())))
}
