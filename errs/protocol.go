package errs

import (
	"net/http"

	"github.com/authwire/authwire/internal/wire"
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

// fromWire maps the wire reader's protocols to this package's.
var fromWire = [...]Protocol{
	wire.Unknown: ProtocolUnknown,
	wire.Connect: ProtocolConnect,
	wire.GRPC:    ProtocolGRPC,
	wire.GRPCWeb: ProtocolGRPCWeb,
	wire.REST:    ProtocolREST,
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
	return fromWire[wire.RequestProtocol(req)]
}

// protocolOfResponse is the protocol of the call resp answers: the request's
// when there is one, corrected by the response's content type when it is an
// RPC one.
func protocolOfResponse(resp *http.Response) Protocol {
	return fromWire[wire.ResponseProtocol(resp)]
}

// headerValue is [wire.HeaderValue]: the first value of a canonical key.
func headerValue(h http.Header, canonicalKey string) string {
	return wire.HeaderValue(h, canonicalKey)
}
