package errs

import (
	"bytes"
	"io"
	"net/http"
)

const (
	// maxErrorBody bounds how much of an error response is read to
	// classify it.
	maxErrorBody = 1 << 20
	// maxDrain bounds how much of a discarded response is read so that its
	// connection can be reused.
	maxDrain = 64 << 10
)

// peekBody reads up to limit bytes of resp's body and puts them back: after
// it, resp.Body yields the whole body again and closing it closes the
// original. It returns what it read.
func peekBody(resp *http.Response, limit int64) []byte {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	orig := resp.Body
	var rest io.Reader = orig
	if err != nil {
		// Replay what was read, then the failure.
		rest = errReader{err}
	}
	resp.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), rest), closer: orig}
	return b
}

// replayBody is a response body some of which was read ahead of the caller.
type replayBody struct {
	io.Reader
	closer io.Closer
}

func (r *replayBody) Close() error { return r.closer.Close() }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// drain reads at most maxDrain bytes of a discarded response and closes it,
// so that an HTTP/1 connection goes back to the pool.
func drain(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	io.CopyN(io.Discard, resp.Body, maxDrain)
	resp.Body.Close()
}

// retriedBody marks a response the retry layer returned after more than one
// attempt; [AttemptsOf] reads it.
type retriedBody struct {
	io.ReadCloser
	attempts int
}

// AttemptsOf returns how many attempts the retry layer ([Wrap]) made for the
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
	if b, ok := resp.Body.(*retriedBody); ok {
		return b.attempts
	}
	if b, ok := resp.Body.(*replayBody); ok {
		if inner, ok := b.closer.(*retriedBody); ok {
			return inner.attempts
		}
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
