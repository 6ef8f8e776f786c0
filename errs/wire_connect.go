package errs

import (
	"net/http"
	"strings"

	"github.com/authwire/authwire/internal/wire"
)

// The Connect protocol's media types
// (https://connectrpc.com/docs/protocol/#unary-request).
const (
	connectUnaryPrefix     = "application/"
	connectStreamingPrefix = "application/connect+"
)

// connectResponseError classifies a Connect response as connect-go does.
func connectResponseError(resp *http.Response, limit int64) *Error {
	reqCT := ""
	if resp.Request != nil {
		reqCT = headerValue(resp.Request.Header, "Content-Type")
	}
	ct := headerValue(resp.Header, "Content-Type")
	if strings.HasPrefix(reqCT, connectStreamingPrefix) || (reqCT == "" && strings.HasPrefix(ct, connectStreamingPrefix)) {
		if resp.StatusCode != http.StatusOK {
			return &Error{Code: rpcCodeFromHTTP(resp.StatusCode), Message: textMessage(resp)}
		}
		return checkCodec(reqCT, ct, connectStreamingPrefix, "")
	}
	if resp.StatusCode == http.StatusOK {
		return checkCodec(reqCT, ct, connectUnaryPrefix, "")
	}
	if resp.StatusCode == http.StatusNotModified && resp.Request != nil && resp.Request.Method == http.MethodGet {
		return &Error{Code: Unknown, Message: "not modified"}
	}
	if ct != "application/json" && ct != "application/json; charset=utf-8" {
		return &Error{Code: rpcCodeFromHTTP(resp.StatusCode), Message: textMessage(resp)}
	}
	body, err := wire.Decompress(wire.PeekAll(resp, limit), headerValue(resp.Header, "Content-Encoding"), maxErrorBody)
	if err != nil {
		return &Error{Code: Internal, Message: "error body: " + err.Error()}
	}
	st, known, err := wire.ParseConnectError(body)
	if err != nil {
		return &Error{Code: rpcCodeFromHTTP(resp.StatusCode)}
	}
	if !known {
		st.Code = uint32(rpcCodeFromHTTP(resp.StatusCode))
	}
	return &Error{Code: Code(st.Code), Message: cleanMessage(st.Message), Details: details(st.Details)}
}

// checkCodec mirrors connect-go's content-type check of a successful
// response: outside the protocol's family (prefix, or bare for gRPC) it is
// Unknown, in the family with a codec other than the request's it is
// Internal. An empty request content type (a Connect GET, or no request)
// accepts any codec.
func checkCodec(reqCT, respCT, prefix, bare string) *Error {
	inFamily := strings.HasPrefix(respCT, prefix) || (bare != "" && respCT == bare)
	if !inFamily {
		return &Error{Code: Unknown, Message: "invalid content-type " + quote(respCT), Hint: notRPCHint(respCT)}
	}
	if reqCT == "" {
		return nil
	}
	if codecOf(reqCT, prefix, bare) == codecOf(respCT, prefix, bare) {
		return nil
	}
	return &Error{Code: Internal, Message: "invalid content-type " + quote(respCT) + " for a request of " + quote(reqCT)}
}

// codecOf returns the codec a content type names: what follows the prefix,
// "proto" for the bare gRPC type, and "json" for JSON with a UTF-8 charset.
func codecOf(ct, prefix, bare string) string {
	if bare != "" && ct == bare {
		return "proto"
	}
	c := strings.TrimPrefix(ct, prefix)
	if c == "json; charset=utf-8" {
		return "json"
	}
	return c
}

func notRPCHint(ct string) string {
	if mediaType(ct) == "text/html" {
		return "the answer is an HTML page, likely from a proxy or load balancer in front of the server rather than from the service"
	}
	return ""
}

func quote(s string) string {
	return `"` + cleanMessage(s) + `"`
}
