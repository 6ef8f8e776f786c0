package wire

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/textproto"
)

// The envelope (https://connectrpc.com/docs/protocol/#streaming-response,
// https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md): one flags
// byte, a 4-byte big-endian length, the payload.
const (
	prefixLen            = 5
	flagCompressed       = 0x01
	flagConnectEndStream = 0x02
	flagGRPCWebTrailer   = 0x80
)

// MaxEndFrame bounds the end frames this package reads: they hold a status
// and metadata, never messages.
const MaxEndFrame = 64 << 10

// isEndFrame reports whether a frame with these flags ends a body framed
// as env.
func isEndFrame(flags byte, env Envelope) bool {
	switch env {
	case GRPCWebFrames:
		return flags&flagGRPCWebTrailer != 0
	case ConnectFrames:
		return flags&flagConnectEndStream != 0
	}
	return false
}

// EndFrameStatus returns the status an end frame reports: flags and
// payload are the frame's, h the response headers (they name the
// compression), env the body's framing.
func EndFrameStatus(flags byte, payload []byte, env Envelope, h http.Header) Status {
	if flags&flagCompressed != 0 {
		key := "Grpc-Encoding"
		if env == ConnectFrames {
			key = "Connect-Content-Encoding"
		}
		enc := HeaderValue(h, key)
		if enc == "" || enc == "identity" {
			return protocolError(CodeInternal, "compressed end frame without an encoding")
		}
		var err error
		if payload, err = Decompress(payload, enc, MaxEndFrame); err != nil {
			return protocolError(CodeInternal, err.Error())
		}
	}
	if env == ConnectFrames {
		return ParseEndStream(payload)
	}
	return ParseTrailerBlock(payload)
}

// ParseEndStream reads a Connect end-of-stream message
// ({"error":{"code":…,"message":…,"details":[…]},"metadata":{…}}): no
// error is success, an unknown code name is Unknown, a malformed message
// is Internal.
func ParseEndStream(payload []byte) Status {
	var end struct {
		Error *connectError `json:"error"`
	}
	if err := json.Unmarshal(payload, &end); err != nil {
		return protocolError(CodeInternal, "malformed end-of-stream message")
	}
	if end.Error == nil {
		return Status{}
	}
	st, known := end.Error.status()
	if !known {
		st.Code = CodeUnknown
	}
	return st
}

// ParseConnectError reads a Connect error body
// ({"code":"not_found","message":…,"details":[…]}). Like connect-go it
// fails on a non-string code or message and on a malformed detail; known
// is false when the code name is not one of the codes (the caller then
// takes the code from the HTTP status).
func ParseConnectError(body []byte) (st Status, known bool, err error) {
	var w connectError
	if err := json.Unmarshal(body, &w); err != nil {
		return Status{}, false, err
	}
	st, known = w.status()
	return st, known, nil
}

// connectError is a Connect error as JSON
// (https://connectrpc.com/docs/protocol/#error-end-stream).
type connectError struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details []connectDetail `json:"details"`
}

func (w *connectError) status() (Status, bool) {
	code, known := CodeFromName(w.Code)
	st := Status{Code: code, Message: w.Message}
	if len(w.Details) > 0 {
		st.Details = make([]Detail, len(w.Details))
		for i, d := range w.Details {
			st.Details[i] = Detail(d)
		}
	}
	return st, known
}

// connectDetail is one Connect error detail: {"type":…,"value":base64}.
type connectDetail Detail

func (d *connectDetail) UnmarshalJSON(b []byte) error {
	var w struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	v, err := DecodeBinaryHeader(w.Value)
	if err != nil {
		return err
	}
	*d = connectDetail{Type: TypeName(w.Type), Value: v}
	return nil
}

// ParseTrailerBlock reads a gRPC-Web trailer frame's header block
// ("grpc-status: 14\r\ngrpc-message: …\r\n") as [HeaderStatus] reads
// headers. A block that does not parse is Internal, one without
// grpc-status Unknown.
func ParseTrailerBlock(payload []byte) Status {
	// The block is HTTP/1 header lines without the blank line that ends
	// them; add it so net/textproto can read it.
	// The full slice expression makes append copy: payload is not ours.
	block := append(payload[:len(payload):len(payload)], '\n')
	mh, err := textproto.NewReader(bufio.NewReaderSize(bytes.NewReader(block), len(block))).ReadMIMEHeader()
	if err != nil {
		return protocolError(CodeInternal, "malformed gRPC-Web trailers")
	}
	if st, ok := HeaderStatus(http.Header(mh)); ok {
		return st
	}
	return protocolError(CodeUnknown, "gRPC-Web trailers without grpc-status")
}
