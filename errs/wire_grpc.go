package errs

import (
	"net/http"

	"github.com/authwire/authwire/internal/wire"
)

// gRPC's media types
// (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md,
// https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md).
const (
	grpcBare    = "application/grpc"
	grpcWebBare = "application/grpc-web"
)

// grpcResponseError classifies a gRPC or gRPC-Web response as connect-go
// does: a status other than 200 by the HTTP table, then the content type,
// then grpc-status in the headers (a trailers-only response) or, once the
// body was read, in the trailers.
func grpcResponseError(resp *http.Response, p Protocol) *Error {
	if resp.StatusCode != http.StatusOK {
		return &Error{Code: rpcCodeFromHTTP(resp.StatusCode), Message: textMessage(resp)}
	}
	bare := grpcBare
	if p == ProtocolGRPCWeb {
		bare = grpcWebBare
	}
	reqCT := ""
	if resp.Request != nil {
		reqCT = headerValue(resp.Request.Header, "Content-Type")
	}
	if e := checkCodec(reqCT, headerValue(resp.Header, "Content-Type"), bare+"+", bare); e != nil {
		return e
	}
	st, ok := wire.HeaderStatus(resp.Header)
	if !ok {
		st, ok = wire.HeaderStatus(resp.Trailer)
	}
	if !ok {
		return nil
	}
	return statusError(st)
}

// statusError is the *Error for a status the wire reader read, or nil for
// success.
func statusError(st wire.Status) *Error {
	if st.Code == wire.CodeOK {
		return nil
	}
	return &Error{Code: Code(st.Code), Message: cleanMessage(st.Message), Details: details(st.Details)}
}

// details converts the wire reader's details.
func details(ds []wire.Detail) []Detail {
	if len(ds) == 0 {
		return nil
	}
	out := make([]Detail, len(ds))
	for i, d := range ds {
		out[i] = Detail(d)
	}
	return out
}
