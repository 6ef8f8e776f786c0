package errs

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
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
	body, err := decodeContent(peekBody(resp, limit), headerValue(resp.Header, "Content-Encoding"))
	if err != nil {
		return &Error{Code: Internal, Message: err.Error()}
	}
	var w connectWireError
	if json.Unmarshal(body, &w) != nil {
		return &Error{Code: rpcCodeFromHTTP(resp.StatusCode)}
	}
	code, ok := codeFromName(w.Code)
	if !ok {
		code = rpcCodeFromHTTP(resp.StatusCode)
	}
	return &Error{Code: code, Message: cleanMessage(w.Message), Details: w.details()}
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

// decodeContent undoes a Content-Encoding, reading at most maxErrorBody
// bytes of decompressed data.
func decodeContent(b []byte, encoding string) ([]byte, error) {
	switch encoding {
	case "", "identity":
		return b, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, errors.New("malformed gzip error body")
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxErrorBody))
		if err != nil {
			return nil, errors.New("malformed gzip error body")
		}
		return out, nil
	}
	return nil, errors.New("unknown encoding " + quote(encoding))
}

// connectWireError is a Connect error as JSON
// (https://connectrpc.com/docs/protocol/#error-end-stream). Like connect-go
// it fails on a non-string code or message and on a malformed detail, and
// leaves an unknown code name to the caller.
type connectWireError struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Details []connectDetail `json:"details"`
}

func (w *connectWireError) details() []Detail {
	if len(w.Details) == 0 {
		return nil
	}
	ds := make([]Detail, len(w.Details))
	for i, d := range w.Details {
		ds[i] = Detail(d)
	}
	return ds
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
	v, err := decodeBinaryHeader(w.Value)
	if err != nil {
		return err
	}
	*d = connectDetail{Type: typeName(w.Type), Value: v}
	return nil
}

// connectEndStreamError reads a Connect end-of-stream message.
func connectEndStreamError(payload []byte) *Error {
	var end struct {
		Error *connectWireError `json:"error"`
	}
	if err := json.Unmarshal(payload, &end); err != nil {
		return &Error{Code: Internal, Message: "malformed end-of-stream message"}
	}
	if end.Error == nil {
		return nil
	}
	code, ok := codeFromName(end.Error.Code)
	if !ok {
		code = Unknown
	}
	return &Error{Code: code, Message: cleanMessage(end.Error.Message), Details: end.Error.details()}
}

// typeName strips the type URL prefix ("type.googleapis.com/") of an Any's
// type.
func typeName(typeURL string) string {
	if i := strings.LastIndexByte(typeURL, '/'); i >= 0 {
		return typeURL[i+1:]
	}
	return typeURL
}
