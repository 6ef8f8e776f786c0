package wire

import (
	"encoding/binary"
	"io"
	"net/http"
)

// Watch wraps resp's body, framed as env, so that onEnd learns the status
// the body ends with while the caller reads it: the HTTP trailers at EOF
// for gRPC, the end frame for gRPC-Web and Connect streams. onEnd is called
// at most once, and not at all when the caller stops early, when there is
// no status, or when the end frame is larger than [MaxEndFrame]. Frames are
// tracked across reads without buffering messages; only an end frame's
// payload is kept. An Unframed body is left alone.
func Watch(resp *http.Response, env Envelope, onEnd func(Status)) {
	if env == Unframed {
		return
	}
	resp.Body = &watchedBody{rc: resp.Body, resp: resp, env: env, onEnd: onEnd}
}

type watchedBody struct {
	rc    io.ReadCloser
	resp  *http.Response
	env   Envelope
	onEnd func(Status)
	done  bool

	hdr     [prefixLen]byte
	hdrLen  int
	left    uint32 // payload bytes left in the current frame
	end     bool   // the current frame is an end frame
	endData []byte // the end frame's payload so far
}

func (w *watchedBody) Read(b []byte) (int, error) {
	n, err := w.rc.Read(b)
	if w.done {
		return n, err
	}
	if w.env != GRPCFrames {
		w.scan(b[:n])
	} else if err == io.EOF {
		w.done = true
		if st, ok := HeaderStatus(w.resp.Trailer); ok {
			w.onEnd(st)
		}
	}
	return n, err
}

// scan advances the frame tracker over p.
func (w *watchedBody) scan(p []byte) {
	for len(p) > 0 && !w.done {
		if w.hdrLen < prefixLen {
			c := copy(w.hdr[w.hdrLen:], p)
			w.hdrLen += c
			p = p[c:]
			if w.hdrLen == prefixLen {
				w.left = binary.BigEndian.Uint32(w.hdr[1:])
				w.end = isEndFrame(w.hdr[0], w.env)
				if w.end && w.left > MaxEndFrame {
					w.done = true // too large to be a status: stop watching
				}
				w.finishIfComplete()
			}
			continue
		}
		c := min(uint32(len(p)), w.left)
		if w.end {
			w.endData = append(w.endData, p[:c]...)
		}
		w.left -= c
		p = p[c:]
		w.finishIfComplete()
	}
}

// finishIfComplete reports the end frame once its payload is complete, and
// starts the next frame after a message.
func (w *watchedBody) finishIfComplete() {
	if w.done || w.hdrLen < prefixLen || w.left > 0 {
		return
	}
	if w.end {
		w.done = true
		w.onEnd(EndFrameStatus(w.hdr[0], w.endData, w.env, w.resp.Header))
	}
	w.hdrLen = 0
}

func (w *watchedBody) Close() error { return w.rc.Close() }
