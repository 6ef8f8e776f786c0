package wire

import (
	"encoding/binary"
	"io"
	"net/http"
)

// Peek reads the start of resp's body, framed as env, and puts what it read
// back: afterwards resp.Body is pb, which serves the whole body and closes
// the original. It reads the first frame's 5-byte prefix and, when that
// frame is an end frame of at most [MaxEndFrame] bytes, the frame itself —
// never a message.
//
// ended reports that the body ends before any message, and st is then the
// status it ends with: a gRPC body that is empty, with grpc-status in the
// trailers; a gRPC-Web trailer frame or Connect end-of-stream frame first.
// Otherwise (a message first, an empty body without a status, a read
// error, an end frame too large to be a status) ended is false.
//
// pb is caller-provided storage, so that a peek allocates nothing unless
// the body starts with an end frame.
func Peek(resp *http.Response, env Envelope, pb *PeekedBody) (st Status, ended bool) {
	*pb = PeekedBody{rest: resp.Body}
	n, err := io.ReadFull(resp.Body, pb.hdr[:])
	pb.buf = pb.hdr[:n]
	resp.Body = pb
	switch {
	case err == io.EOF && env == GRPCFrames:
		pb.err = io.EOF
		return HeaderStatus(resp.Trailer)
	case err != nil:
		pb.err = err
	case isEndFrame(pb.hdr[0], env):
		size := binary.BigEndian.Uint32(pb.hdr[1:])
		if size > MaxEndFrame {
			return Status{}, false
		}
		frame := make([]byte, prefixLen+int(size))
		copy(frame, pb.hdr[:])
		m, err := io.ReadFull(pb.rest, frame[prefixLen:])
		pb.buf, pb.err = frame[:prefixLen+m], err
		if err == nil {
			return EndFrameStatus(frame[0], frame[prefixLen:], env, resp.Header), true
		}
	}
	return Status{}, false
}

// PeekAll reads up to limit bytes of resp's body and puts them back, as
// [Peek] does; it returns what it read. It is for error bodies, which are
// small; a nil or empty body is left alone.
func PeekAll(resp *http.Response, limit int64) []byte {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	resp.Body = &PeekedBody{buf: b, err: err, rest: resp.Body}
	return b
}

// PeekedBody is a response body some of which was read ahead of its
// reader: it serves the bytes read ahead, then the error the read-ahead met
// (if any), then the rest of the original body. Close closes the original.
type PeekedBody struct {
	hdr  [prefixLen]byte // room for a frame prefix, so a peek does not allocate
	buf  []byte          // what is left of the bytes read ahead
	err  error
	rest io.ReadCloser
}

func (p *PeekedBody) Read(b []byte) (int, error) {
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		return n, nil
	}
	if p.err != nil {
		return 0, p.err
	}
	return p.rest.Read(b)
}

// Close closes the original body.
func (p *PeekedBody) Close() error { return p.rest.Close() }

// Unwrap returns the original body.
func (p *PeekedBody) Unwrap() io.ReadCloser { return p.rest }
