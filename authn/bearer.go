package authn

import (
	"io"
	"net/http"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcache"
	"github.com/authwire/authwire/internal/outgoing"
	"github.com/authwire/authwire/internal/wire"
)

// Transport is the bearer layer: an http.RoundTripper that authenticates
// requests with Auth's token and refreshes it once per rejection. Use [Wrap]
// to build one. It is safe for concurrent use.
type Transport struct {
	// Auth provides tokens. It must not be nil.
	Auth *Authenticator
	// Base is the next hop; nil means http.DefaultTransport.
	Base http.RoundTripper
}

var _ http.RoundTripper = (*Transport)(nil)

// Wrap returns the bearer layer over base (flytekit's
// upgrade_channel_to_authenticated and AuthenticationHTTPAdapter in one).
func Wrap(base http.RoundTripper, auth *Authenticator) *Transport {
	return &Transport{Auth: auth, Base: base}
}

// RoundTrip authenticates req and sends it. The caller's request is never
// modified: the token goes on a copy. When the server rejects the token,
// RoundTrip invalidates that token and, if the request can be replayed
// (Request.GetBody is set, or there is no body), sends it once more with a
// fresh one; a request that cannot be replayed gets the rejection and the
// next call gets a fresh token. Requests to other hosts, and requests that
// already carry a header of the token's name (Authorization, the configured
// one, or the one the server chose), pass through untouched. req.Body is
// closed on every path. A nil request, and a next hop that returns neither a
// response nor an error or a response without a Body, get an *errs.Error
// matching [errs.ErrBrokenRoundTripper].
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := errs.CheckRequest("authn", req); err != nil {
		return nil, err
	}
	a := t.Auth
	if !a.appliesTo(req) {
		return t.base().RoundTrip(req)
	}
	if err := a.checkCleartext(req); err != nil {
		closeBody(req)
		return nil, err
	}
	ctx := req.Context()
	cred, hasCred, err := a.credential(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	if hasCred && callerSet(req, cred.Value.key) {
		return t.base().RoundTrip(req)
	}
	canReplay := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	at := new(attempt)
	resp, err := t.send(at, req, cred, hasCred, req.Body)
	if err != nil {
		return nil, err
	}
	v, f := judgeHeaders(resp)
	if v == undecided && canReplay && peek(resp, f, &at.peeked) {
		v = rejected
	}
	switch {
	case v == accepted || (v == undecided && canReplay):
		return resp, nil
	case v == undecided:
		watchBody(resp, f, func() { a.reject(cred, hasCred) })
		return resp, nil
	}
	a.reject(cred, hasCred)
	if !canReplay {
		return resp, nil
	}
	return t.replay(req, resp, at, cred, hasCred)
}

// replay sends req a second time with a fresh credential. first is the
// rejected first answer, sent in attempt at with credential old (hadOld
// false: none). first is returned as it is when the fresh credential is the
// rejected one again (a static token): a replay would only be rejected too.
func (t *Transport) replay(req *http.Request, first *http.Response, at *attempt, old credcache.Entry[credential], hadOld bool) (*http.Response, error) {
	a := t.Auth
	ctx := req.Context()
	cred, hasCred, err := a.credential(ctx)
	if err != nil {
		wire.Drain(first)
		return nil, err
	}
	if (hadOld && hasCred && cred.Value.value == old.Value.value) || (hasCred && callerSet(req, cred.Value.key)) {
		return first, nil // the same token again, or a header the caller set: leave it
	}
	wire.Drain(first)
	body := req.Body
	if req.GetBody != nil {
		// The first attempt may still be reading the body GetBody rewinds.
		if err := at.call.WaitBody(ctx); err != nil {
			return nil, err
		}
		if body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	resp, err := t.send(new(attempt), req, cred, hasCred, body)
	if err != nil {
		return nil, err
	}
	switch v, f := judgeHeaders(resp); v {
	case rejected:
		a.reject(cred, hasCred)
	case undecided:
		watchBody(resp, f, func() { a.reject(cred, hasCred) })
	}
	return resp, nil
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

// attempt is what the layer allocates for one attempt of a call, in one
// piece: the request copy and room for a peeked response body.
type attempt struct {
	call   outgoing.Call
	peeked wire.PeekedBody
}

// send sends a copy of req with body and, when hasCred, the credential's
// header. The layers beneath set their headers on the same copy (see
// internal/outgoing) until the next hop returns.
func (t *Transport) send(at *attempt, req *http.Request, e credcache.Entry[credential], hasCred bool, body io.ReadCloser) (*http.Response, error) {
	r := at.call.Copy(req, body)
	if hasCred {
		at.call.Set(e.Value.key, e.Value.value)
	}
	resp, err := t.base().RoundTrip(r)
	at.call.Done()
	if err := errs.CheckResponse("authn", resp, err); err != nil {
		return nil, err
	}
	return resp, err
}

// callerSet reports whether the caller set header key (canonical) on req:
// the caller's value wins over the token, whatever the key.
func callerSet(req *http.Request, key string) bool {
	_, set := req.Header[key]
	return set
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
