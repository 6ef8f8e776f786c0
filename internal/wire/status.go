package wire

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// Status is the status a response reports: a code in the gRPC numbering
// (CodeOK for success), the server's message and details. Message is the
// server's text as sent (or a "protocol error" message of this package):
// callers make it fit for an error string.
type Status struct {
	Code    uint32
	Message string
	Details []Detail
}

// Detail is one error detail: the message type (without the
// type.googleapis.com/ prefix) and its binary Protobuf value, when sent.
type Detail struct {
	Type  string
	Value []byte
}

// HeaderStatus reads grpc-status, grpc-message and grpc-status-details-bin
// from h (the headers of a trailers-only answer, or the trailers). ok is
// false when h has no grpc-status. Like connect-go and grpc-go, the
// details' code and message win over the headers'; malformed values give a
// protocol error (Unknown for grpc-status, Internal for the others); a
// status other than "0" that reads as 0 is Unknown. For "0" it does not
// allocate.
func HeaderStatus(h http.Header) (st Status, ok bool) {
	status := HeaderValue(h, "Grpc-Status")
	if status == "" {
		return Status{}, false
	}
	if status == "0" {
		return Status{}, true
	}
	code, err := strconv.ParseUint(status, 10, 32)
	if err != nil {
		return protocolError(CodeUnknown, "invalid grpc-status "+strconv.Quote(status)), true
	}
	msg, err := percentDecode(HeaderValue(h, "Grpc-Message"))
	if err != nil {
		return protocolError(CodeInternal, "invalid grpc-message"), true
	}
	st = Status{Code: uint32(code), Message: msg}
	if bin := HeaderValue(h, "Grpc-Status-Details-Bin"); bin != "" {
		raw, err := DecodeBinaryHeader(bin)
		if err != nil {
			return protocolError(CodeInternal, "invalid grpc-status-details-bin"), true
		}
		if st, err = ParseStatusProto(raw); err != nil {
			return protocolError(CodeInternal, "invalid grpc-status-details-bin: "+err.Error()), true
		}
	}
	if st.Code == CodeOK {
		st.Code = CodeUnknown // "00", or details that contradict the failure
	}
	return st, true
}

func protocolError(code uint32, msg string) Status {
	return Status{Code: code, Message: "protocol error: " + msg}
}

// percentDecode undoes gRPC's percent-encoding of grpc-message: "%XY" with
// two hex digits is a byte; a "%" without them is an error.
func percentDecode(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", errors.New("invalid percent-encoding")
		}
		b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
		i += 2
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

// DecodeBinaryHeader decodes a gRPC binary header value (and a Connect
// detail's value): base64, padded or not.
func DecodeBinaryHeader(s string) ([]byte, error) {
	if len(s)%4 != 0 {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.StdEncoding.DecodeString(s)
}

// TypeName strips the type URL prefix ("type.googleapis.com/") of an Any's
// type.
func TypeName(typeURL string) string {
	if i := strings.LastIndexByte(typeURL, '/'); i >= 0 {
		return typeURL[i+1:]
	}
	return typeURL
}
