package wire

import (
	"net/http"
	"strings"
)

// Protocol is the wire protocol of a call.
type Protocol uint8

// The protocols.
const (
	// Unknown is the protocol of no call (a nil request).
	Unknown Protocol = iota
	// Connect is the Connect protocol, unary (POST or GET) and streaming.
	Connect
	// GRPC is gRPC over HTTP/2.
	GRPC
	// GRPCWeb is gRPC-Web, binary or base64 ("-text").
	GRPCWeb
	// REST is every other HTTP call.
	REST
)

// RequestProtocol tells the protocol of req from its method, headers and
// URL, without reading the body: gRPC-Web and gRPC by their content types,
// Connect by its streaming content type (application/connect+…), its
// Connect-Protocol-Version header (unary POST) or its connect=v1 query
// parameter (unary GET). Every other request is REST; nil is Unknown. It
// does not allocate.
func RequestProtocol(req *http.Request) Protocol {
	if req == nil {
		return Unknown
	}
	if p := ContentTypeProtocol(HeaderValue(req.Header, "Content-Type")); p != REST {
		return p
	}
	if HeaderValue(req.Header, "Connect-Protocol-Version") != "" {
		return Connect
	}
	if req.Method == http.MethodGet && req.URL != nil && hasQueryPair(req.URL.RawQuery, "connect=v1") {
		return Connect
	}
	return REST
}

// ResponseProtocol is the protocol of the call resp answers: its request's
// when that is an RPC protocol, else the one the response's content type
// names, else REST.
func ResponseProtocol(resp *http.Response) Protocol {
	if p := RequestProtocol(resp.Request); p != Unknown && p != REST {
		return p
	}
	return ContentTypeProtocol(HeaderValue(resp.Header, "Content-Type"))
}

// ContentTypeProtocol maps a content type to the RPC protocol it belongs
// to: application/grpc-web… (and -text), application/grpc…,
// application/connect+…; anything else is REST. Connect unary types
// (application/proto, application/json) are REST here: only the request's
// headers tell them apart.
func ContentTypeProtocol(ct string) Protocol {
	switch {
	case hasMediaType(ct, "application/grpc-web"), hasMediaType(ct, "application/grpc-web-text"):
		return GRPCWeb
	case hasMediaType(ct, "application/grpc"):
		return GRPC
	case strings.HasPrefix(ct, connectStreamingPrefix):
		return Connect
	}
	return REST
}

// connectStreamingPrefix starts the content types of Connect streams
// (https://connectrpc.com/docs/protocol/#streaming-request).
const connectStreamingPrefix = "application/connect+"

// Envelope is how a response body is framed, and so where its status is.
type Envelope uint8

// The envelopes.
const (
	// Unframed bodies (REST, Connect unary, base64 gRPC-Web) are not read
	// by frame: the HTTP status, headers and body say it all.
	Unframed Envelope = iota
	// GRPCFrames bodies carry messages; the status is in the headers or
	// the HTTP trailers.
	GRPCFrames
	// GRPCWebFrames bodies carry messages and end with a trailer frame;
	// a trailers-only answer has the status in the headers.
	GRPCWebFrames
	// ConnectFrames bodies (Connect streams) carry messages and end with
	// an end-of-stream frame.
	ConnectFrames
)

// EnvelopeOf returns the framing of a body with headers h, by its content
// type.
func EnvelopeOf(h http.Header) Envelope {
	ct := HeaderValue(h, "Content-Type")
	switch ContentTypeProtocol(ct) {
	case GRPC:
		return GRPCFrames
	case GRPCWeb:
		if hasMediaType(ct, "application/grpc-web-text") {
			return Unframed // base64: not read by frame
		}
		return GRPCWebFrames
	case Connect:
		return ConnectFrames
	}
	return Unframed
}

// HeaderValue returns the first value of a canonical key without the
// canonicalisation http.Header.Get does.
func HeaderValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// hasMediaType reports whether ct is base itself, base+codec or base with
// parameters ("application/grpc", "application/grpc+proto",
// "application/grpc;charset=…").
func hasMediaType(ct, base string) bool {
	rest, ok := strings.CutPrefix(ct, base)
	return ok && (rest == "" || rest[0] == '+' || rest[0] == ';')
}

// hasQueryPair reports whether the raw query holds the exact key=value pair.
func hasQueryPair(raw, pair string) bool {
	for raw != "" {
		var p string
		p, raw, _ = strings.Cut(raw, "&")
		if p == pair {
			return true
		}
	}
	return false
}
