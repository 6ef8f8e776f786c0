package errs_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	_ "google.golang.org/protobuf/types/known/anypb" // google/protobuf/any.proto for the Status descriptor

	"github.com/authwire/authwire/errs"
)

// The seeds below are also committed under testdata/fuzz, with the inputs
// that once found bugs. Run one target with, for example,
//
//	go test ./errs -run '^$' -fuzz '^FuzzConnectErrorBody$' -fuzztime 30s

// maxErrorString bounds an error string: the server's text is cut at 1 KiB
// per field, and a few fields and fixed words surround it.
const maxErrorString = 8 << 10

// checkError asserts what holds for any error this package makes of any
// input: a known shape, bounded, one line of valid UTF-8.
func checkError(t *testing.T, err error) *errs.Error {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := errors.AsType[*errs.Error](err)
	if !ok {
		t.Fatalf("error %T, want *errs.Error", err)
	}
	msg := err.Error()
	if len(msg) > maxErrorString {
		t.Fatalf("error string of %d bytes", len(msg))
	}
	if !utf8.ValidString(msg) || strings.ContainsAny(msg, "\r\n\x00") {
		t.Fatalf("error string %q is not one line of UTF-8", msg)
	}
	if e.Code == errs.OK {
		t.Fatalf("an error with code ok")
	}
	return e
}

// fuzzResponse builds a response for req with the body, and checks that
// FromResponse leaves the body whole for the caller.
func fromFuzzResponse(t *testing.T, req *http.Request, status int, body []byte, kv ...string) *errs.Error {
	t.Helper()
	resp := newResponse(status, string(body), kv...)
	resp.Request = req
	err := errs.FromResponse(resp)
	got, rerr := io.ReadAll(resp.Body)
	if rerr != nil || !bytes.Equal(got, body) {
		t.Fatalf("the body changed: %q, want %q", got, body)
	}
	return checkError(t, err)
}

func fuzzStatus(status int) int {
	if status < 100 || status > 599 {
		return 500
	}
	return status
}

func FuzzConnectErrorBody(f *testing.F) {
	f.Add(503, []byte(`{"code":"unavailable","message":"down"}`))
	f.Add(404, []byte(`{"code":"not_found","message":"gone","details":[{"type":"google.rpc.ErrorInfo","value":"CgFh"}]}`))
	f.Add(500, []byte(`{"code":"code_99"}`))
	f.Add(400, []byte(`{"code":7}`))
	f.Add(401, []byte(`{"details":[null]}`))
	f.Add(200, []byte(`{}`))
	req, _ := http.NewRequest(http.MethodPost, "http://flyte.test/s.v1.S/M", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Connect-Protocol-Version", "1")
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = fuzzStatus(status)
		e := fromFuzzResponse(t, req, status, body, "Content-Type", "application/json")
		if status == 200 {
			if e != nil {
				t.Fatalf("a 200 is an error: %v", e)
			}
			return
		}
		if e == nil || e.Code > errs.Unauthenticated {
			t.Fatalf("a %d gives %v; want a Connect code", status, e)
		}
	})
}

func FuzzGRPCStatusHeaders(f *testing.F) {
	f.Add("14", "server%20is%20down", "")
	f.Add("5", "caf%C3%A9", statusDetailsBin(5, "detailed"))
	f.Add("3", "%zz", "")
	f.Add("0", "", "")
	f.Add("99999999999", "x", "AAAA")
	f.Add("16", "", "CAUSBGZyb20=")
	req, _ := http.NewRequest(http.MethodPost, "http://flyte.test/s.v1.S/M", nil)
	req.Header.Set("Content-Type", "application/grpc")
	f.Fuzz(func(t *testing.T, status, message, details string) {
		kv := []string{"Content-Type", "application/grpc", "Grpc-Status", status, "Grpc-Message", message}
		if details != "" {
			kv = append(kv, "Grpc-Status-Details-Bin", details)
		}
		e := fromFuzzResponse(t, req, 200, nil, kv...)
		if status == "0" && e != nil {
			t.Fatalf("status 0 is an error: %v", e)
		}
		if status != "0" && strings.TrimSpace(status) != "" && e == nil {
			t.Fatalf("status %q is no error", status)
		}
		// Without details, a well-formed message is decoded whole (up to
		// the bound).
		if e != nil && details == "" && e.Code != errs.Internal && e.Code != errs.Unknown {
			dec := percentDecoded(message)
			if want := cleaned(dec); utf8.ValidString(dec) && len(want) < 1000 && e.Message != want {
				t.Fatalf("message %q, want %q", e.Message, want)
			}
		}
	})
}

// cleaned is a server's text as an error quotes it: control characters
// as spaces, trimmed.
func cleaned(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}

// percentDecoded is a second, independent percent-decoder for grpc-message.
func percentDecoded(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Add("120")
	f.Add("0")
	f.Add(now.Add(time.Minute).Format(http.TimeFormat))
	f.Add("Sunday, 01-Mar-26 12:01:00 GMT")
	f.Add("Sun Mar  1 12:01:00 2026")
	f.Add("-5")
	f.Add("1.5")
	f.Add("99999999999999999999999")
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := errs.ParseRetryAfter(v, now)
		if !ok {
			if d != 0 {
				t.Fatalf("%q: not ok, yet %v", v, d)
			}
			return
		}
		if d < 0 {
			t.Fatalf("%q: negative wait %v", v, d)
		}
		if s := strings.TrimSpace(v); len(s) > 0 && len(s) < 10 && s[0] >= '0' && s[0] <= '9' {
			if n, err := strconv.Atoi(s); err == nil && d != time.Duration(n)*time.Second {
				t.Fatalf("%q: %v, want %ds", v, d, n)
			}
		}
	})
}

func FuzzStatusJSON(f *testing.F) {
	f.Add(404, []byte(`{"code":5,"message":"task not found","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"x"}]}`))
	f.Add(409, []byte(`{"error":"exists","code":6,"message":"exists"}`))
	f.Add(403, []byte(`{"error":{"code":403,"message":"no","status":"PERMISSION_DENIED"}}`))
	f.Add(500, []byte(`{"code":-1}`))
	f.Add(500, []byte(`{"code":1e3}`))
	f.Add(400, []byte(`[]`))
	req, _ := http.NewRequest(http.MethodGet, "http://flyte.test/api/v1/tasks", nil)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = fuzzStatus(status)
		e := fromFuzzResponse(t, req, status, body, "Content-Type", "application/json")
		if (e != nil) != (status >= 400) {
			t.Fatalf("status %d gives %v", status, e)
		}
	})
}

func FuzzOAuthErrorBody(f *testing.F) {
	f.Add([]byte(`{"error":"invalid_client","error_description":"Client authentication failed","error_uri":"https://idp.test/e"}`))
	f.Add([]byte(`{"error":"invalid_grant"}`))
	f.Add([]byte(`{"error":""}`))
	f.Add([]byte(`{"error":5}`))
	f.Add([]byte(`{"error":"slow_down","error_description":"\u0000\n"}`))
	req, _ := http.NewRequest(http.MethodPost, "http://idp.test/oauth2/token", nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		oe, ok := errs.ParseOAuthError(body)
		if ok {
			if oe.ErrorCode == "" {
				t.Fatalf("ok without an error code")
			}
			for _, s := range []string{oe.ErrorCode, oe.ErrorDescription, oe.ErrorURI} {
				if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\x00") || len(s) > 1100 {
					t.Fatalf("field %q is not one bounded line", s)
				}
			}
		}
		e := fromFuzzResponse(t, req, 400, body, "Content-Type", "application/json")
		if e == nil {
			t.Fatalf("a 400 is no error")
		}
		if got, _ := errors.AsType[*errs.OAuthError](e); ok && !hasCodeMember(body) && (got == nil || got.ErrorCode != oe.ErrorCode) {
			t.Fatalf("an OAuth error body gave the cause %v, want %v", got, oe)
		}
	})
}

// hasCodeMember reports whether a JSON object has a "code" member (in any
// case, as encoding/json matches), which wins over the OAuth reading.
func hasCodeMember(body []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return false
	}
	for k := range m {
		if strings.EqualFold(k, "code") {
			return true
		}
	}
	return false
}

func FuzzBearerChallenge(f *testing.F) {
	f.Add(`Bearer realm="flyte", error="invalid_token", error_description="The access token expired"`)
	f.Add(`Basic realm="x", Bearer error=insufficient_scope, scope="a b"`)
	f.Add(`Negotiate abc==, Bearer`)
	f.Add(`Bearer error="unterminated`)
	f.Add(`bearer ERROR="x\"y"`)
	f.Fuzz(func(t *testing.T, header string) {
		e, ok := errs.ParseBearerChallenge(header)
		if ok != (e != nil) {
			t.Fatalf("ok %v with %v", ok, e)
		}
		if ok && !strings.Contains(strings.ToLower(header), "bearer") {
			t.Fatalf("a Bearer challenge in %q", header)
		}
		if ok {
			for _, s := range []string{e.ErrorCode, e.ErrorDescription, e.ErrorURI} {
				if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\x00") || len(s) > 1100 {
					t.Fatalf("field %q is not one bounded line", s)
				}
			}
		}
	})
}

// statusDescriptor is google.rpc.Status, built here so that the protobuf
// runtime can decode what this package's own decoder decodes.
func statusDescriptor(t testing.TB) protoreflect.MessageDescriptor {
	t.Helper()
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:       proto.String("authwire_test/status.proto"),
		Package:    proto.String("authwire_test.rpc"),
		Syntax:     proto.String("proto3"),
		Dependency: []string{"google/protobuf/any.proto"},
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("Status"),
			Field: []*descriptorpb.FieldDescriptorProto{
				{Name: proto.String("code"), Number: proto.Int32(1), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_INT32.Enum(), JsonName: proto.String("code")},
				{Name: proto.String("message"), Number: proto.Int32(2), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum(), JsonName: proto.String("message")},
				{Name: proto.String("details"), Number: proto.Int32(3), Label: descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_MESSAGE.Enum(), TypeName: proto.String(".google.protobuf.Any"), JsonName: proto.String("details")},
			},
		}},
	}, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatal(err)
	}
	return fd.Messages().Get(0)
}

func FuzzStatusDetailsBin(f *testing.F) {
	for _, s := range []string{statusDetailsBin(5, "from details"), statusDetailsBin(-1, ""), "CAUSAmhp", "CAUaAA==", "CP////8PEgA=", "GgMKAf8="} {
		b, _ := base64.StdEncoding.DecodeString(s)
		if b == nil {
			b, _ = base64.RawStdEncoding.DecodeString(s)
		}
		f.Add(b)
	}
	f.Add([]byte{0x0b, 0x08, 0x01, 0x0c})       // a group
	f.Add([]byte{0x08, 0x80, 0x80, 0x80, 0x80}) // a truncated varint
	f.Add([]byte{0x12, 0x02, 0xff, 0xfe})       // a message that is not UTF-8
	f.Add([]byte{0x0a, 0x01, 'x', 0x08, 0x07})  // code with the wrong wire type
	f.Add([]byte{0x00})                         // field number 0
	md := statusDescriptor(f)
	req, _ := http.NewRequest(http.MethodPost, "http://flyte.test/s.v1.S/M", nil)
	req.Header.Set("Content-Type", "application/grpc")
	f.Fuzz(func(t *testing.T, raw []byte) {
		e := fromFuzzResponse(t, req, 200, nil, "Content-Type", "application/grpc", "Grpc-Status", "2",
			"Grpc-Status-Details-Bin", base64.RawStdEncoding.EncodeToString(raw))
		// The protobuf runtime is the reference, as it is for connect-go.
		m := dynamicpb.NewMessage(md)
		if err := proto.Unmarshal(raw, m); err != nil {
			if e.Code != errs.Internal || !strings.Contains(e.Message, "grpc-status-details-bin") {
				t.Fatalf("protobuf rejects %x (%v); errs reads %v", raw, err, e)
			}
			return
		}
		code := int32(m.Get(md.Fields().ByNumber(1)).Int())
		msg := m.Get(md.Fields().ByNumber(2)).String()
		want := errs.Code(uint32(code))
		if code == 0 {
			want = errs.Unknown // a zero code in the details of a failure
		}
		if e.Code != want {
			t.Fatalf("%x: code %v, protobuf says %d", raw, e.Code, code)
		}
		if n := m.Get(md.Fields().ByNumber(3)).List().Len(); n != len(e.Details) {
			t.Fatalf("%x: %d details, protobuf says %d", raw, len(e.Details), n)
		}
		if want := cleaned(msg); utf8.ValidString(msg) && len(want) < 1000 && e.Message != want {
			t.Fatalf("%x: message %q, protobuf says %q", raw, e.Message, msg)
		}
	})
}
