package wire_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/authwire/authwire/internal/wire"
)

// The seeds below are also committed under testdata/fuzz, with the inputs
// that once found bugs. Run one target with, for example,
//
//	go test ./internal/wire -run '^$' -fuzz '^FuzzEndOfStream$' -fuzztime 30s

// FuzzEndOfStream reads any payload as a Connect end-of-stream message and
// as a gRPC-Web trailer block, directly and framed in a body through Peek
// and Watch: the three readings agree, success carries nothing else, and
// the body reaches the caller whole.
func FuzzEndOfStream(f *testing.F) {
	f.Add(true, []byte(`{"error":{"code":"unavailable","message":"m","details":[{"type":"t","value":"AA"}]}}`))
	f.Add(true, []byte(`{"metadata":{"k":["v"]}}`))
	f.Add(false, []byte("grpc-status: 14\r\ngrpc-message: down\r\n"))
	f.Add(false, []byte("grpc-status: 0\r\n"))
	f.Fuzz(func(t *testing.T, connectProtocol bool, payload []byte) {
		ct, flags, parse := "application/grpc-web+proto", byte(0x80), wire.ParseTrailerBlock
		if connectProtocol {
			ct, flags, parse = "application/connect+proto", 0x02, wire.ParseEndStream
		}
		st := parse(payload)
		if st.Code == wire.CodeOK && (st.Message != "" || st.Details != nil) {
			t.Fatalf("success with %q, %v", st.Message, st.Details)
		}
		if len(payload) > wire.MaxEndFrame {
			return
		}
		body := append(frame(flags, string(payload)), frame(0, "after")...)
		resp := &http.Response{Header: http.Header{"Content-Type": {ct}}, Body: io.NopCloser(bytes.NewReader(body))}
		var pb wire.PeekedBody
		peeked, ended := wire.Peek(resp, wire.EnvelopeOf(resp.Header), &pb)
		if !ended || peeked.Code != st.Code || peeked.Message != st.Message {
			t.Fatalf("Peek = %+v %v, parse = %+v", peeked, ended, st)
		}
		var watched *wire.Status
		wire.Watch(resp, wire.EnvelopeOf(resp.Header), func(s wire.Status) { watched = &s })
		if got, _ := io.ReadAll(resp.Body); !bytes.Equal(got, body) {
			t.Fatalf("the body changed")
		}
		if watched == nil || watched.Code != st.Code || watched.Message != st.Message {
			t.Fatalf("Watch = %+v, parse = %+v", watched, st)
		}
	})
}

// FuzzEachField walks any bytes as a Protobuf message: a walk that
// succeeds hands on well-formed fields only, and re-encoding them gives
// back the input less its groups.
func FuzzEachField(f *testing.F) {
	f.Add([]byte{0x08, 0x05, 0x12, 0x02, 'h', 'i'})
	f.Add([]byte{0x0b, 0x08, 0x01, 0x0c})       // a group
	f.Add([]byte{0x08, 0x80, 0x80, 0x80, 0x80}) // a truncated varint
	f.Add([]byte{0x00})                         // field number 0
	f.Add([]byte{0x0c})                         // an end-group tag alone
	f.Fuzz(func(t *testing.T, b []byte) {
		var out []byte
		err := wire.EachField(b, func(num protowire.Number, typ protowire.Type, v []byte) error {
			if typ == protowire.StartGroupType || typ == protowire.EndGroupType {
				t.Fatalf("a group reached the callback")
			}
			out = protowire.AppendTag(out, num, typ)
			if typ == protowire.BytesType {
				out = protowire.AppendBytes(out, v)
			} else {
				out = append(out, v...)
			}
			return nil
		})
		if err != nil {
			return
		}
		if len(out) > len(b) {
			t.Fatalf("re-encoded %d bytes from %d", len(out), len(b))
		}
	})
}
