package errs

import (
	"net/http"
	"strings"
)

// Protocol is the wire protocol of a call. It decides how a response is
// read: each protocol reports failures in its own way.
type Protocol uint8

// The protocols.
const (
	// ProtocolUnknown is the protocol of an error not tied to a call.
	ProtocolUnknown Protocol = iota
	// ProtocolConnect is the Connect protocol, unary (POST or GET) and
	// streaming.
	ProtocolConnect
	// ProtocolGRPC is gRPC over HTTP/2.
	ProtocolGRPC
	// ProtocolGRPCWeb is gRPC-Web.
	ProtocolGRPCWeb
	// ProtocolREST is every other HTTP call.
	ProtocolREST
)

var protocolNames = [...]string{
	ProtocolUnknown: "unknown",
	ProtocolConnect: "connect",
	ProtocolGRPC:    "grpc",
	ProtocolGRPCWeb: "grpcweb",
	ProtocolREST:    "rest",
}

// String returns the protocol's name ("grpcweb").
func (p Protocol) String() string {
	if int(p) < len(protocolNames) {
		return protocolNames[p]
	}
	return "unknown"
}

// rpc reports whether p is one of the RPC protocols, whose codes connect-go
// computes itself and which this package must agree with.
func (p Protocol) rpc() bool {
	return p == ProtocolConnect || p == ProtocolGRPC || p == ProtocolGRPCWeb
}

// ProtocolOf tells the protocol of req from its method, headers and URL,
// without reading the body: gRPC-Web and gRPC by their content types
// (application/grpc-web…, application/grpc…), Connect by its streaming
// content type (application/connect+…), its Connect-Protocol-Version header
// (unary POST) or its connect=v1 query parameter (unary GET). Every other
// request is REST. ProtocolOf(nil) is ProtocolUnknown. It does not allocate.
func ProtocolOf(req *http.Request) Protocol {
	if req == nil {
		return ProtocolUnknown
	}
	if p := protocolOfContentType(headerValue(req.Header, "Content-Type")); p != ProtocolREST {
		return p
	}
	if headerValue(req.Header, "Connect-Protocol-Version") != "" {
		return ProtocolConnect
	}
	if req.Method == http.MethodGet && req.URL != nil && hasQueryPair(req.URL.RawQuery, "connect=v1") {
		return ProtocolConnect
	}
	return ProtocolREST
}

// protocolOfContentType maps a content type to the RPC protocol it belongs
// to, or ProtocolREST.
func protocolOfContentType(ct string) Protocol {
	switch {
	case hasMediaType(ct, "application/grpc-web"), hasMediaType(ct, "application/grpc-web-text"):
		return ProtocolGRPCWeb
	case hasMediaType(ct, "application/grpc"):
		return ProtocolGRPC
	case strings.HasPrefix(ct, "application/connect+"):
		return ProtocolConnect
	}
	return ProtocolREST
}

// protocolOfResponse is the protocol of the call resp answers: the request's
// when there is one, corrected by the response's content type when it is an
// RPC one.
func protocolOfResponse(resp *http.Response) Protocol {
	p := ProtocolOf(resp.Request)
	if p == ProtocolUnknown || p == ProtocolREST {
		if rp := protocolOfContentType(headerValue(resp.Header, "Content-Type")); rp != ProtocolREST {
			return rp
		}
		return ProtocolREST
	}
	return p
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

// headerValue returns the first value of a canonical key without the
// canonicalisation http.Header.Get does.
func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}
