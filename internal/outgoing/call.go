// Package outgoing holds the copy of a request that authwire's layers send
// in place of the caller's: a shallow copy with its own header map, and
// storage for the header values the layers add, so that setting a
// credential header costs no allocation beyond the copy itself.
package outgoing

import (
	"io"
	"net/http"
)

// maxValues is how many header values a Call stores in place; a layer that
// sets more allocates for the extra ones.
const maxValues = 2

// Call is the copy of one request that a layer sends. The zero value is
// ready for [Call.Copy]; a Call is used for one copy only and is not safe
// for concurrent use (a request is sent by one goroutine at a time).
type Call struct {
	req    *http.Request
	values [maxValues]string
	used   int
}

// Copy returns a shallow copy of req for this Call, with body as its Body
// and a header map of its own, sized for the values the layers add. The
// copy shares everything else with req (URL, trailer, context), which
// authwire's layers only read; its header values are req's slices capped
// at their length, so an append below this layer reallocates rather than
// writing into the caller's arrays. req itself is not modified.
func (c *Call) Copy(req *http.Request, body io.ReadCloser) *http.Request {
	r := req.WithContext(req.Context())
	r.Body = body
	r.Header = make(http.Header, len(req.Header)+maxValues)
	for k, v := range req.Header {
		r.Header[k] = v[:len(v):len(v)]
	}
	c.req = r
	return r
}

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
