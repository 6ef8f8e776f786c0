package wire_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/authwire/authwire/internal/wire"
	"github.com/authwire/authwire/internal/wiretest"
)

var (
	frame = wiretest.Frame
	gz    = wiretest.Gzip
)

// countingBody counts what is read from it and how often it is closed.
type countingBody struct {
	r      io.Reader
	read   int
	closes int
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	return n, err
}

func (c *countingBody) Close() error { c.closes++; return nil }

func response(ct string, body []byte, trailer http.Header, kv ...string) (*http.Response, *countingBody) {
	cb := &countingBody{r: bytes.NewReader(body)}
	h := http.Header{"Content-Type": {ct}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return &http.Response{StatusCode: 200, Header: h, Body: cb, Trailer: trailer}, cb
}

// TestPeek pins what the first frame says and that the body reaches the
// caller whole, with no more read ahead than a frame prefix (and an end
// frame).
func TestPeek(t *testing.T) {
	t.Parallel()
	msg := frame(0, "a message that must not be read ahead")
	big := frame(0x80, strings.Repeat("x", wire.MaxEndFrame+1))
	for _, tc := range []struct {
		name      string
		ct        string
		body      []byte
		trailer   http.Header
		kv        []string
		ended     bool
		code      uint32
		readAhead int
	}{
		{"grpc message first", "application/grpc", msg, http.Header{"Grpc-Status": {"16"}}, nil, false, 0, 5},
		{"grpc empty body, status in trailers", "application/grpc+proto", nil, http.Header{"Grpc-Status": {"16"}}, nil, true, 16, 0},
		{"grpc empty body, no status", "application/grpc", nil, nil, nil, false, 0, 0},
		{"grpc-web trailer frame", "application/grpc-web+proto", frame(0x80, "grpc-status: 16\r\ngrpc-message: expired\r\n"), nil, nil, true, 16, 45},
		{"grpc-web gzip trailer frame", "application/grpc-web", frame(0x81, gz("grpc-status:5\r\n")), nil, []string{"Grpc-Encoding", "gzip"}, true, 5, -1},
		{"grpc-web compressed without encoding", "application/grpc-web", frame(0x81, gz("grpc-status:5\r\n")), nil, nil, true, wire.CodeInternal, -1},
		{"grpc-web message first", "application/grpc-web+proto", append(msg, frame(0x80, "grpc-status: 16\r\n")...), nil, nil, false, 0, 5},
		{"grpc-web oversized end frame", "application/grpc-web", big, nil, nil, false, 0, 5},
		{"grpc-web-text is not read", "application/grpc-web-text", []byte("AAAA"), nil, nil, false, 0, -1},
		{"connect end-stream", "application/connect+proto", frame(0x02, `{"error":{"code":"unauthenticated","message":"m"}}`), nil, nil, true, 16, -1},
		{"connect gzip end-stream", "application/connect+json", frame(0x03, gz(`{"error":{"code":"not_found"}}`)), nil, []string{"Connect-Content-Encoding", "gzip"}, true, 5, -1},
		{"connect success end-stream", "application/connect+proto", frame(0x02, `{}`), nil, nil, true, 0, -1},
		{"connect message first", "application/connect+proto", append(msg, frame(0x02, "{}")...), nil, nil, false, 0, 5},
		{"truncated prefix", "application/grpc-web", []byte{0x80, 0}, nil, nil, false, 0, 2},
		{"truncated end frame", "application/grpc-web", frame(0x80, "grpc-status: 16")[:10], nil, nil, false, 0, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, cb := response(tc.ct, tc.body, tc.trailer, tc.kv...)
			env := wire.EnvelopeOf(resp.Header)
			var pb wire.PeekedBody
			st, ended := wire.Peek(resp, env, &pb)
			if ended != tc.ended || st.Code != tc.code {
				t.Fatalf("Peek = %+v, %v; want code %d, %v", st, ended, tc.code, tc.ended)
			}
			if tc.readAhead >= 0 && cb.read != tc.readAhead {
				t.Errorf("read %d bytes ahead, want %d", cb.read, tc.readAhead)
			}
			got, _ := io.ReadAll(resp.Body)
			if !bytes.Equal(got, tc.body) {
				t.Errorf("body changed: %d bytes, want %d", len(got), len(tc.body))
			}
			resp.Body.Close()
			if cb.closes != 1 {
				t.Errorf("original closed %d times", cb.closes)
			}
		})
	}
}

// TestPeekAll pins that an error body read ahead is put back, followed by
// the error the read met.
func TestPeekAll(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	cb := &countingBody{r: io.MultiReader(strings.NewReader("0123456789"), &failing{boom})}
	resp := &http.Response{Body: cb}
	if got := wire.PeekAll(resp, 4); string(got) != "0123" {
		t.Fatalf("PeekAll = %q", got)
	}
	if got, err := io.ReadAll(resp.Body); string(got) != "0123456789" || !errors.Is(err, boom) {
		t.Fatalf("body %q, %v", got, err)
	}
	resp = &http.Response{Body: &countingBody{r: io.MultiReader(strings.NewReader("abc"), &failing{boom})}}
	if got := wire.PeekAll(resp, 10); string(got) != "abc" {
		t.Fatalf("PeekAll = %q", got)
	}
	if got, err := io.ReadAll(resp.Body); string(got) != "abc" || !errors.Is(err, boom) {
		t.Fatalf("after a failed read-ahead: %q, %v", got, err)
	}
	resp = &http.Response{Body: http.NoBody}
	if wire.PeekAll(resp, 10) != nil || resp.Body != http.NoBody {
		t.Fatalf("an empty body was wrapped")
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

func TestDrain(t *testing.T) {
	t.Parallel()
	cb := &countingBody{r: bytes.NewReader(make([]byte, 3*wire.MaxDrain))}
	wire.Drain(&http.Response{Body: cb})
	if cb.read != wire.MaxDrain || cb.closes != 1 {
		t.Fatalf("read %d bytes, closed %d times; want %d and once", cb.read, cb.closes, wire.MaxDrain)
	}
	wire.Drain(nil)
	wire.Drain(&http.Response{})
}

func TestEndFrames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		connect bool
		payload string
		want    uint32
		msg     string
	}{
		{"connect success", true, `{"metadata":{"a":["b"]}}`, 0, ""},
		{"connect error", true, `{"error":{"code":"unavailable","message":"m"}}`, 14, "m"},
		{"connect error without code", true, `{"error":{"message":"m"}}`, wire.CodeUnknown, "m"},
		{"connect unknown code", true, `{"error":{"code":"code_99"}}`, wire.CodeUnknown, ""},
		{"connect malformed", true, `{"error":`, wire.CodeInternal, "protocol error: malformed end-of-stream message"},
		{"connect bad detail", true, `{"error":{"code":"internal","details":[{"type":"t","value":"!"}]}}`, wire.CodeInternal, "protocol error: malformed end-of-stream message"},
		{"grpc-web success", false, "grpc-status: 0\r\n", 0, ""},
		{"grpc-web error", false, "grpc-status: 16\r\ngrpc-message: no%20token\r\n", 16, "no token"},
		{"grpc-web key case", false, "GRPC-STATUS:7\n", 7, ""},
		{"grpc-web without status", false, "x-other: 1\r\n", wire.CodeUnknown, "protocol error: gRPC-Web trailers without grpc-status"},
		{"grpc-web malformed", false, "not a header line", wire.CodeInternal, "protocol error: malformed gRPC-Web trailers"},
		{"grpc-web bad status", false, "grpc-status: x\r\n", wire.CodeUnknown, `protocol error: invalid grpc-status "x"`},
		{"grpc-web status 00", false, "grpc-status: 00\r\n", wire.CodeUnknown, ""},
	} {
		var st wire.Status
		if tc.connect {
			st = wire.ParseEndStream([]byte(tc.payload))
		} else {
			st = wire.ParseTrailerBlock([]byte(tc.payload))
		}
		if st.Code != tc.want || st.Message != tc.msg {
			t.Errorf("%s: %d %q, want %d %q", tc.name, st.Code, st.Message, tc.want, tc.msg)
		}
	}
}

func TestCodeNames(t *testing.T) {
	t.Parallel()
	for c := uint32(0); c <= 16; c++ {
		name, ok := wire.CodeName(c)
		if !ok {
			t.Fatalf("code %d has no name", c)
		}
		back, ok := wire.CodeFromName(name)
		if c == 0 {
			if ok {
				t.Errorf(`"ok" is accepted as an error code`)
			}
			continue
		}
		if !ok || back != c {
			t.Errorf("%q reads as %d, %v", name, back, ok)
		}
	}
	for name, want := range map[string]bool{"code_17": true, "code_16": false, "code_x": false, "": false, "NOT_FOUND": false} {
		if _, ok := wire.CodeFromName(name); ok != want {
			t.Errorf("CodeFromName(%q) ok = %v", name, ok)
		}
	}
	if _, ok := wire.CodeName(17); ok {
		t.Errorf("code 17 has a name")
	}
}

func TestEnvelopeOf(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]wire.Envelope{
		"application/grpc":             wire.GRPCFrames,
		"application/grpc+proto":       wire.GRPCFrames,
		"application/grpcfoo":          wire.Unframed,
		"application/grpc-web":         wire.GRPCWebFrames,
		"application/grpc-web+json":    wire.GRPCWebFrames,
		"application/grpc-web-text":    wire.Unframed,
		"application/connect+proto":    wire.ConnectFrames,
		"application/proto":            wire.Unframed,
		"application/json":             wire.Unframed,
		"":                             wire.Unframed,
		"text/html":                    wire.Unframed,
		"application/grpc-web-text+pb": wire.Unframed,
	} {
		if got := wire.EnvelopeOf(http.Header{"Content-Type": {ct}}); got != want {
			t.Errorf("EnvelopeOf(%q) = %v, want %v", ct, got, want)
		}
	}
}

// TestHeaderStatusMessage: grpc-message is percent-decoded; a broken
// encoding, however short, is a protocol error (Internal), as connect-go
// reads it, never a panic.
func TestHeaderStatusMessage(t *testing.T) {
	t.Parallel()
	const unavailable = 14 // the status the server sent
	for _, tc := range []struct {
		msg      string
		wantCode uint32
		wantMsg  string
	}{
		{"plain", unavailable, "plain"},
		{"caf%C3%A9%20%25", unavailable, "café %"},
		{"%", wire.CodeInternal, "protocol error: invalid grpc-message"},
		{"%%", wire.CodeInternal, "protocol error: invalid grpc-message"},
		{"a%4", wire.CodeInternal, "protocol error: invalid grpc-message"},
		{"%zz", wire.CodeInternal, "protocol error: invalid grpc-message"},
	} {
		h := http.Header{"Grpc-Status": {"14"}, "Grpc-Message": {tc.msg}}
		st, ok := wire.HeaderStatus(h)
		if !ok || st.Code != tc.wantCode || st.Message != tc.wantMsg {
			t.Errorf("grpc-message %q: %+v, %v; want code %d, message %q", tc.msg, st, ok, tc.wantCode, tc.wantMsg)
		}
	}
}
