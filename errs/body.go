package errs

import (
	"io"
	"net/http"

	"github.com/authwire/authwire/internal/wire"
)

// maxErrorBody bounds how much of an error response is read to classify
// it.
const maxErrorBody = 1 << 20

// retriedBody marks a response the retry layer returned after more than one
// attempt; [AttemptsOf] reads it.
type retriedBody struct {
	io.ReadCloser
	attempts int
}

// AttemptsOf returns how many attempts the retry layer ([NewRetryTransport]) made for the
// call resp answers: more than 1 when it retried and then handed on the last
// failed response. It returns 1 for any other response and 0 for nil.
//
// The count travels in resp.Body (a wrapper that reads and closes the
// original body), never in the response's headers, which belong to the
// server. [FromResponse] puts it into the error's Attempts.
func AttemptsOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	body := resp.Body
	if p, ok := body.(*wire.PeekedBody); ok {
		body = p.Unwrap()
	}
	if b, ok := body.(*retriedBody); ok {
		return b.attempts
	}
	return 1
}

// cancelBody cancels an attempt's context when the response body is closed:
// the per-attempt timeout stops at the response headers, the context must
// live while the body is read.
type cancelBody struct {
	io.ReadCloser
	cancel func()
}

func (c *cancelBody) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
