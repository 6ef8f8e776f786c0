package errs

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"net/textproto"
	"strconv"
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
	if e, ok := grpcStatusError(resp.Header); ok {
		return e
	}
	if e, ok := grpcStatusError(resp.Trailer); ok {
		return e
	}
	return nil
}

// grpcStatusError reads grpc-status, grpc-message and
// grpc-status-details-bin from h. ok is false when h has no grpc-status; e
// is nil for status 0. Like connect-go (and grpc-go), the details' code and
// message win over the headers', and malformed values are protocol errors.
func grpcStatusError(h http.Header) (e *Error, ok bool) {
	status := headerValue(h, "Grpc-Status")
	if status == "" {
		return nil, false
	}
	if status == "0" {
		return nil, true
	}
	code, err := strconv.ParseUint(status, 10, 32)
	if err != nil {
		return &Error{Code: Unknown, Message: "protocol error: invalid grpc-status " + quote(status)}, true
	}
	msg, err := percentDecode(headerValue(h, "Grpc-Message"))
	if err != nil {
		return &Error{Code: Internal, Message: "protocol error: invalid grpc-message"}, true
	}
	e = &Error{Code: Code(code), Message: cleanMessage(msg)}
	if e.Code == OK {
		e.Code = Unknown // "00" and the like: a status that is not "0" is a failure
	}
	if bin := headerValue(h, "Grpc-Status-Details-Bin"); bin != "" {
		raw, err := decodeBinaryHeader(bin)
		if err != nil {
			return &Error{Code: Internal, Message: "protocol error: invalid grpc-status-details-bin"}, true
		}
		st, err := parseStatusProto(raw)
		if err != nil {
			return &Error{Code: Internal, Message: "protocol error: invalid grpc-status-details-bin: " + err.Error()}, true
		}
		e.Code, e.Message, e.Details = Code(uint32(st.code)), cleanMessage(st.message), st.details
		if e.Code == OK {
			e.Code = Unknown // details that contradict the failure say nothing
		}
	}
	return e, true
}

// grpcWebTrailerError reads a gRPC-Web trailer frame's header block.
func grpcWebTrailerError(payload []byte) *Error {
	// The block is HTTP/1 header lines without the blank line that ends
	// them; add it so net/textproto can read it.
	block := append(bytes.Clone(payload), '\n')
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(block)))
	mh, err := r.ReadMIMEHeader()
	if err != nil {
		return &Error{Code: Internal, Message: "protocol error: malformed gRPC-Web trailers"}
	}
	if e, ok := grpcStatusError(http.Header(mh)); ok {
		return e
	}
	return &Error{Code: Unknown, Message: "protocol error: gRPC-Web trailers without grpc-status"}
}

// percentDecode undoes gRPC's percent-encoding of grpc-message: "%XY" with
// two hex digits is a byte; a "%" without them is an error.
func percentDecode(s string) (string, error) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", errors.New("invalid percent-encoding")
			}
			n++
			i += 2
		}
	}
	if n == 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s)-2*n)
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// decodeBinaryHeader decodes a gRPC binary header value: base64, padded or
// not.
func decodeBinaryHeader(s string) ([]byte, error) {
	if len(s)%4 != 0 {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.StdEncoding.DecodeString(s)
}
