package authn

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// How a server says "unauthenticated" differs per protocol (see DESIGN.md):
// HTTP 401 for REST, Connect unary and proxies; grpc-status 16 in the headers
// for gRPC trailers-only answers; grpc-status 16 in the HTTP trailers, after
// an empty body, for grpc-go's ServeHTTP and connect-go servers; a trailer
// frame (gRPC-Web) or end-of-stream frame (Connect streaming) before any
// message. This file tells them apart without buffering message bodies.

const (
	grpcStatusUnauthenticated = "16"
	maxEndFrame               = 64 << 10 // end frames hold status and metadata only
	flagCompressed            = 0x01
	flagConnectEndStream      = 0x02
	flagGRPCWebTrailer        = 0x80
)

// framing is the body framing of a response, decided by its content type.
type framing int

const (
	framingNone    framing = iota // REST, Connect unary: the status code says it all
	framingGRPC                   // status in headers or HTTP trailers
	framingGRPCWeb                // status in headers or a trailer frame
	framingConnect                // Connect streaming: error in the end-stream frame
)

func framingOf(h http.Header) framing {
	ct := h["Content-Type"]
	if len(ct) == 0 {
		return framingNone
	}
	switch t := ct[0]; {
	case strings.HasPrefix(t, "application/grpc-web-text"):
		return framingNone // base64 framing: not inspected
	case strings.HasPrefix(t, "application/grpc-web"):
		return framingGRPCWeb
	case strings.HasPrefix(t, "application/grpc"):
		return framingGRPC
	case strings.HasPrefix(t, "application/connect+"):
		return framingConnect
	}
	return framingNone
}

// verdict is what the headers alone say about a response.
type verdict int

const (
	accepted  verdict = iota // not a rejection
	rejected                 // a rejection
	undecided                // the body's first frame or the trailers decide
)

// judgeHeaders classifies a response by status and headers only.
func judgeHeaders(resp *http.Response) (verdict, framing) {
	if resp.StatusCode == http.StatusUnauthorized {
		return rejected, framingNone
	}
	f := framingOf(resp.Header)
	if f == framingNone || resp.StatusCode != http.StatusOK {
		return accepted, f
	}
	if f != framingConnect {
		if s := resp.Header["Grpc-Status"]; len(s) > 0 {
			if s[0] == grpcStatusUnauthenticated {
				return rejected, f
			}
			return accepted, f
		}
	}
	return undecided, f
}

// peek reads the start of an undecided response's body: an empty gRPC body
// whose trailers carry status 16, or an end frame that carries
// Unauthenticated, is a rejection; anything else is handed on with the
// peeked bytes put back, in pb. Either way resp.Body serves the whole body. Only the first frame header, and an end
// frame of at most 64 KiB, is read: message bodies are never buffered.
func peek(resp *http.Response, f framing, pb *peekedBody) bool {
	*pb = peekedBody{rc: resp.Body}
	n, err := io.ReadFull(resp.Body, pb.hdr[:])
	pb.buf = pb.hdr[:n]
	resp.Body = pb // a rejection may be handed on too, when it cannot be replayed
	switch {
	case err == io.EOF && f == framingGRPC:
		pb.err = io.EOF
		if s := resp.Trailer["Grpc-Status"]; len(s) > 0 && s[0] == grpcStatusUnauthenticated {
			return true
		}
	case err != nil:
		pb.err = err
	case isEndFrame(pb.hdr[0], f):
		size := binary.BigEndian.Uint32(pb.hdr[1:])
		if size <= maxEndFrame {
			frame := make([]byte, 5+int(size))
			copy(frame, pb.hdr[:])
			m, err := io.ReadFull(pb.rc, frame[5:])
			pb.buf, pb.err = frame[:5+m], err
			if err == nil && endFrameRejects(frame[0], frame[5:], f, resp.Header) {
				return true
			}
		}
	}
	return false
}

// peekedBody serves the peeked bytes, then the rest of the body.
type peekedBody struct {
	hdr [5]byte
	buf []byte
	err error // the error the peek met, returned after buf
	rc  io.ReadCloser
}

func (p *peekedBody) Read(b []byte) (int, error) {
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		return n, nil
	}
	if p.err != nil {
		return 0, p.err
	}
	return p.rc.Read(b)
}

func (p *peekedBody) Close() error { return p.rc.Close() }

func isEndFrame(flags byte, f framing) bool {
	switch f {
	case framingGRPCWeb:
		return flags&flagGRPCWebTrailer != 0
	case framingConnect:
		return flags&flagConnectEndStream != 0
	}
	return false
}

// endFrameRejects reports whether an end frame's payload says
// Unauthenticated: a gRPC-Web trailer block with grpc-status 16, or a Connect
// end-stream message whose error code is "unauthenticated".
func endFrameRejects(flags byte, payload []byte, f framing, h http.Header) bool {
	if flags&flagCompressed != 0 {
		var ok bool
		if payload, ok = gunzip(payload, h, f); !ok {
			return false
		}
	}
	if f == framingConnect {
		var end struct {
			Error *struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		return json.Unmarshal(payload, &end) == nil && end.Error != nil && end.Error.Code == "unauthenticated"
	}
	for line := range strings.SplitSeq(string(payload), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "grpc-status") {
			return strings.TrimSpace(v) == grpcStatusUnauthenticated
		}
	}
	return false
}

func gunzip(payload []byte, h http.Header, f framing) ([]byte, bool) {
	key := "Grpc-Encoding"
	if f == framingConnect {
		key = "Connect-Content-Encoding"
	}
	if h.Get(key) != "gzip" {
		return nil, false
	}
	zr, err := gzip.NewReader(bytes.NewReader(payload))
	if err != nil {
		return nil, false
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxEndFrame+1))
	if err != nil || len(out) > maxEndFrame {
		return nil, false
	}
	return out, true
}

// watchBody wraps the body of a response that cannot be replayed (or was
// already replayed) so that a rejection seen only later — in the trailers at
// EOF, or in an end frame — still invalidates the token, for the next call.
// It tracks frame boundaries without buffering messages.
func watchBody(resp *http.Response, f framing, onReject func()) {
	if f == framingNone {
		return
	}
	resp.Body = &watchedBody{rc: resp.Body, resp: resp, f: f, onReject: onReject}
}

type watchedBody struct {
	rc       io.ReadCloser
	resp     *http.Response
	f        framing
	onReject func()
	done     bool

	hdr     [5]byte
	hdrLen  int
	left    uint32 // payload bytes left in the current frame
	end     bool   // the current frame is an end frame
	endData []byte // the end frame's payload, when small enough
}

func (w *watchedBody) Read(b []byte) (int, error) {
	n, err := w.rc.Read(b)
	if !w.done {
		if w.f != framingGRPC {
			w.scan(b[:n])
		}
		if err == io.EOF && w.f == framingGRPC {
			w.done = true
			if s := w.resp.Trailer["Grpc-Status"]; len(s) > 0 && s[0] == grpcStatusUnauthenticated {
				w.onReject()
			}
		}
	}
	return n, err
}

// scan advances the frame tracker over p.
func (w *watchedBody) scan(p []byte) {
	for len(p) > 0 && !w.done {
		if w.hdrLen < 5 {
			c := copy(w.hdr[w.hdrLen:], p)
			w.hdrLen += c
			p = p[c:]
			if w.hdrLen == 5 {
				w.left = binary.BigEndian.Uint32(w.hdr[1:])
				w.end = isEndFrame(w.hdr[0], w.f)
				if w.end && w.left > maxEndFrame {
					w.done = true // too large to be a status: give up watching
				}
				w.finishIfEmpty()
			}
			continue
		}
		c := min(uint32(len(p)), w.left)
		if w.end {
			w.endData = append(w.endData, p[:c]...)
		}
		w.left -= c
		p = p[c:]
		w.finishIfEmpty()
	}
}

func (w *watchedBody) finishIfEmpty() {
	if w.hdrLen < 5 || w.left > 0 {
		return
	}
	if w.end {
		w.done = true
		if endFrameRejects(w.hdr[0], w.endData, w.f, w.resp.Header) {
			w.onReject()
		}
	}
	w.hdrLen = 0
}

func (w *watchedBody) Close() error { return w.rc.Close() }
