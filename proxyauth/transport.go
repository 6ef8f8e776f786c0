package proxyauth

import (
	"io"
	"net/http"
	"strings"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/outgoing"
	"github.com/authwire/authwire/internal/wire"
)

const headerKey = "Proxy-Authorization"

// Transport is the proxy layer. Use [Wrap] to build one. It is safe for
// concurrent use.
type Transport struct {
	// Cred provides the proxy token; nil makes the layer a pass-through.
	Cred *Credential
	// Base is the next hop; nil means http.DefaultTransport.
	Base http.RoundTripper
}

var _ http.RoundTripper = (*Transport)(nil)

// Wrap returns the proxy layer over base, for RPCs and for the session alike
// (flytekit's upgrade_channel_to_proxy_authenticated and
// upgrade_session_to_proxy_authenticated).
func Wrap(base http.RoundTripper, cred *Credential) *Transport {
	return &Transport{Cred: cred, Base: base}
}

// RoundTrip attaches the proxy token to requests for the credential's hosts
// (on a clone; the caller's request is not modified) and leaves requests to
// other hosts, and requests that carry their own Proxy-Authorization,
// untouched. When the proxy rejects the token (407, or a 401 that carries a
// Proxy-Authenticate header or an HTML page), the token is refetched once,
// single-flight, and a replayable request is sent once more; a request that
// cannot be replayed gets the rejection. req.Body is closed on every path.
// The token goes only to a request whose scheme and host both match the
// credential's (see [WithHosts]). A nil request, and a next hop that returns
// neither a response nor an error or a response without a Body, get an
// *errs.Error matching [errs.ErrBrokenRoundTripper].
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := errs.CheckRequest("proxyauth", req); err != nil {
		return nil, err
	}
	c := t.Cred
	if c == nil || !c.appliesTo(req.URL) || req.Header[headerKey] != nil {
		return t.base().RoundTrip(req)
	}
	ctx := req.Context()
	e, err := c.cache.Get(ctx)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, call, err := t.send(req, e.Value, req.Body)
	if err != nil || !proxyRejected(resp) {
		return resp, err
	}
	c.cache.Invalidate(e.Gen)
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil
	}
	old := e.Value
	if e, err = c.cache.Get(ctx); err != nil {
		resp.Body.Close()
		return nil, err
	}
	if e.Value == old {
		return resp, nil // the same token again: a replay would be rejected too
	}
	wire.Drain(resp)
	body := req.Body
	if req.GetBody != nil {
		// The first attempt may still be reading the body GetBody rewinds.
		if err := call.WaitBody(ctx); err != nil {
			return nil, err
		}
		if body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	resp, _, err = t.send(req, e.Value, body)
	if err == nil && proxyRejected(resp) {
		c.cache.Invalidate(e.Gen)
	}
	return resp, err
}

// CloseIdleConnections forwards to the next hop.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Unwrap returns the next hop.
func (t *Transport) Unwrap() http.RoundTripper { return t.base() }

func (t *Transport) base() http.RoundTripper {
	if t.Base == nil {
		return http.DefaultTransport
	}
	return t.Base
}

// send sends req with body and the proxy token. When req is the copy an
// outer authwire layer made for this call (the bearer layer's), the token is
// set on it in place; otherwise on a copy of its own.
func (t *Transport) send(req *http.Request, value string, body io.ReadCloser) (*http.Response, *outgoing.Call, error) {
	r, c := req, outgoing.Claim(req)
	if c == nil || body != req.Body {
		c = new(outgoing.Call)
		r = c.Copy(req, body)
	}
	c.Set(headerKey, value)
	resp, err := t.base().RoundTrip(r)
	c.Done()
	if err := errs.CheckResponse("proxyauth", resp, err); err != nil {
		return nil, c, err
	}
	return resp, c, err
}

// proxyRejected reports whether resp is the proxy's rejection of the proxy
// token: a 407, or a 401 that names a proxy challenge or is an HTML page
// (what IAP-like proxies send); an application's 401 (JSON, gRPC, a Bearer
// challenge) is left to the bearer layer.
func proxyRejected(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusProxyAuthRequired:
		return true
	case http.StatusUnauthorized:
		if resp.Header["Proxy-Authenticate"] != nil {
			return true
		}
		ct := resp.Header.Get("Content-Type")
		return strings.HasPrefix(ct, "text/html") && resp.Header["Www-Authenticate"] == nil
	}
	return false
}
