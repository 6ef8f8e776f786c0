package suite

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/authwire/authwire/bench/benchserver"
)

// The headers the authwire stack adds to every call of the benchmarks.
const (
	bearerHeader = "Authorization"
	proxyHeader  = "Proxy-Authorization"
)

// IdealTransport is the limit for any client that must send a bearer token
// and a proxy token: it sets the two header values, computed once, on the
// caller's request and sends it, with no other work. It breaks the
// http.RoundTripper contract (it modifies the caller's request), which
// the callers of the benchmarks allow: connect-go and the REST caller
// build a new header map for every call.
type IdealTransport struct {
	Next          http.RoundTripper
	bearer, proxy []string
}

// RoundTrip sets the two headers on req and sends it.
func (t *IdealTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req.Header[bearerHeader] = t.bearer
	req.Header[proxyHeader] = t.proxy
	return t.Next.RoundTrip(req)
}

// CloseIdleConnections forwards to the next hop.
func (t *IdealTransport) CloseIdleConnections() {
	if c, ok := t.Next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// NewIdeal returns the ideal client's RoundTripper for the target over tr:
// base with the header values the authwire stack sends, taken from one
// call through the stack (see [StackHeaders]).
func NewIdeal(ctx context.Context, t *benchserver.Target, tr Transport, base http.RoundTripper) (*IdealTransport, error) {
	h, err := StackHeaders(ctx, t, tr)
	if err != nil {
		return nil, err
	}
	return &IdealTransport{Next: base, bearer: h[bearerHeader], proxy: h[proxyHeader]}, nil
}

// StackHeaders makes one REST call through the authwire stack for the
// target over tr, with a recording hop as the stack's base transport, and
// returns the bearer and proxy headers the stack sent.
func StackHeaders(ctx context.Context, t *benchserver.Target, tr Transport) (http.Header, error) {
	base, err := Base(t, tr)
	if err != nil {
		return nil, err
	}
	rec := &recordingHop{next: base, path: benchserver.RESTPath}
	stack, err := stackOver(ctx, t, tr, rec)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: stack}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, URL(t, tr)+benchserver.RESTPath, bytes.NewReader([]byte("ideal")))
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return rec.headers()
}

// recordingHop keeps the headers of the last request to path (not those to
// the token or proxy-token routes) and sends it on.
type recordingHop struct {
	next http.RoundTripper
	path string
	last http.Header
}

func (r *recordingHop) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == r.path {
		r.last = req.Header.Clone()
	}
	return r.next.RoundTrip(req)
}

// headers returns the bearer and proxy headers of the recorded request.
func (r *recordingHop) headers() (http.Header, error) {
	h := http.Header{}
	for _, k := range []string{bearerHeader, proxyHeader} {
		v := r.last.Values(k)
		if len(v) != 1 {
			return nil, fmt.Errorf("suite: the stack sent %d values of %s, want 1", len(v), k)
		}
		h[k] = []string{v[0]}
	}
	return h, nil
}
