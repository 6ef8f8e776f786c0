// Package outgoing holds the one copy of a request that authwire's layers
// send in place of the caller's: a shallow copy with its own header map and
// storage for the header values the layers add. The outermost layer that
// adds a header makes the copy; the layers beneath it claim that same copy
// and set their headers on it in place, so a call through the whole stack
// costs one copy, not one per layer.
package outgoing

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
)

// maxValues is how many header values a Call stores in place; a layer that
// sets more allocates for the extra ones.
const maxValues = 2

// Call is the copy of one request and what the layers know about it. The
// zero value is ready for [Call.Copy]; a Call serves one copy only. It is
// used by the goroutine that sends the request, one layer after another,
// and is not safe for concurrent use.
type Call struct {
	ctx     markCtx
	req     *http.Request
	body    trackedBody
	values  [maxValues]string
	used    uint8 // with the flags, in one word (as trackedBody's counters): the bearer layer's per-call state fits 176 B
	claimed bool
	done    bool
}

// markCtx is the copy's context: the caller's, plus the Call, so that the
// layers beneath can recognise the copy without any registry.
type markCtx struct {
	context.Context
	call *Call
}

type callKey struct{}

func (m *markCtx) Value(key any) any {
	if key == (callKey{}) {
		return m.call
	}
	return m.Context.Value(key)
}

// Copy returns a shallow copy of req for this Call, with body as its Body
// (tracked, when req can be replayed, so that [Call.WaitBody] can tell when
// the transport is done with it)
// and a header map of its own, sized for the values the layers add. The
// copy shares everything else with req (URL, trailer), which authwire's
// layers only read; its header values are req's slices capped at their
// length, so an append beneath reallocates rather than writing into the
// caller's arrays. Its context is req's with the Call attached; deadlines,
// cancellation and values are req's. req itself is not modified.
func (c *Call) Copy(req *http.Request, body io.ReadCloser) *http.Request {
	c.ctx = markCtx{Context: req.Context(), call: c}
	r := req.WithContext(&c.ctx)
	r.Body = body
	if req.GetBody != nil && body != nil && body != http.NoBody {
		c.body.rc = body
		r.Body = &c.body
	}
	r.Header = make(http.Header, len(req.Header)+maxValues)
	for k, v := range req.Header {
		r.Header[k] = v[:len(v):len(v)]
	}
	c.req = r
	return r
}

// Claim returns the Call of which req is the copy, for a layer beneath the
// one that made it to set its header on in place; nil when req is not such
// a copy: the caller's own request, a copy another RoundTripper made, a copy
// already claimed, or one whose call is [Call.Done]. The copy is handed out
// once, so a layer that gets it owns it for the rest of the call.
func Claim(req *http.Request) *Call {
	c, _ := req.Context().Value(callKey{}).(*Call)
	if c == nil || c.req != req || c.claimed || c.done {
		return nil
	}
	c.claimed = true
	return c
}

// Done tells that the next hop has returned: from now on the copy belongs
// to the response (resp.Request) and [Claim] no longer hands it out, so a
// caller that sends resp.Request again gets it copied, not modified.
func (c *Call) Done() { c.done = true }

// Set sets header key of the copy to the single value v.
func (c *Call) Set(key, v string) {
	if c.used == maxValues {
		c.req.Header[key] = []string{v}
		return
	}
	c.values[c.used] = v
	c.req.Header[key] = c.values[c.used : c.used+1 : c.used+1]
	c.used++
}

// WaitBody waits until the next hop has closed the copy's body, or ctx is
// done. A layer must call it before Request.GetBody for a replay:
// connect-go's GetBody rewinds the one payload the first attempt may still
// be reading. It returns at once for a copy whose body is not tracked.
func (c *Call) WaitBody(ctx context.Context) error {
	return c.body.wait(ctx)
}

// errBodyClosed is what a read of a tracked body returns after Close.
var errBodyClosed = errors.New("outgoing: request body read after close")

// trackedBody reports when the transport is done with it: closed, and no
// read in flight. After Close it reads nothing more, so a read the
// transport had not finished cannot consume the payload a replay rewinds.
type trackedBody struct {
	rc     io.ReadCloser
	mu     sync.Mutex
	active int32 // reads in flight; with closed, in one word
	closed bool
	done   chan struct{} // made by the first waiter; closed when finished
}

// enter registers a read; false when the body is already closed.
func (b *trackedBody) enter() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.active++
	return true
}

func (b *trackedBody) leave() {
	b.mu.Lock()
	b.active--
	b.signalLocked()
	b.mu.Unlock()
}

func (b *trackedBody) signalLocked() {
	if b.closed && b.active == 0 && b.done != nil {
		select {
		case <-b.done:
		default:
			close(b.done)
		}
	}
}

func (b *trackedBody) Read(p []byte) (int, error) {
	if !b.enter() {
		return 0, errBodyClosed
	}
	defer b.leave()
	return b.rc.Read(p)
}

// WriteTo keeps the body's own io.WriterTo, if it has one.
func (b *trackedBody) WriteTo(w io.Writer) (int64, error) {
	if !b.enter() {
		return 0, errBodyClosed
	}
	defer b.leave()
	if wt, ok := b.rc.(io.WriterTo); ok {
		return wt.WriteTo(w)
	}
	return io.Copy(w, struct{ io.Reader }{b.rc})
}

func (b *trackedBody) Close() error {
	b.mu.Lock()
	first := !b.closed
	b.closed = true
	b.signalLocked()
	b.mu.Unlock()
	if !first {
		return nil
	}
	return b.rc.Close()
}

func (b *trackedBody) wait(ctx context.Context) error {
	b.mu.Lock()
	if b.rc == nil || (b.closed && b.active == 0) {
		b.mu.Unlock()
		return nil
	}
	if b.done == nil {
		b.done = make(chan struct{})
	}
	done := b.done
	b.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
