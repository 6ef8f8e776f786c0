package wire

import (
	"io"
	"net/http"
)

// MaxDrain bounds how much of a discarded response is read so that its
// connection can be reused.
const MaxDrain = 64 << 10

// Drain reads at most [MaxDrain] bytes of a discarded response's body and
// closes it, so that an HTTP/1 connection can go back to the pool. A nil
// response or body is left alone.
func Drain(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	io.CopyN(io.Discard, resp.Body, MaxDrain)
	resp.Body.Close()
}
