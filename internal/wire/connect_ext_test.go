package wire_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/internal/wire"
	"github.com/authwire/authwire/internal/wiretest"
)

// TestStatusAgreesWithConnect pins that the wire reader reads every
// failure a connect-go handler sends — in the headers, the trailers or an
// end frame, gzip-compressed or not, before or after a message — as
// connect-go's client does: the same code, the server's message, the
// detail. It reads each response twice: by [wire.Peek] and, as a caller
// reads the body, by [wire.Watch].
func TestStatusAgreesWithConnect(t *testing.T) {
	t.Parallel()
	srv := wiretest.Server(t, nil)
	protocols := []struct {
		name string
		opts []connect.ClientOption
	}{
		{"connect", nil},
		{"grpc", []connect.ClientOption{connect.WithGRPC()}},
		{"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}},
	}
	for _, p := range protocols {
		for _, method := range []string{"Unary", "ServerStream", "ServerStream/after-message"} {
			for c := connect.CodeCanceled; c <= connect.CodeUnauthenticated; c++ {
				t.Run(p.name+"/"+method+"/"+c.String(), func(t *testing.T) {
					t.Parallel()
					h2c := new(http.Protocols)
					h2c.SetUnencryptedHTTP2(true)
					rec := &wiretest.Recorder{Next: &http.Transport{Protocols: h2c}}
					opts := append([]connect.ClientOption{connect.WithSendGzip()}, p.opts...)
					path, arg := method, strconv.Itoa(int(c))
					if p, ok := strings.CutSuffix(method, "/after-message"); ok {
						path, arg = p, wiretest.AfterMessage+arg
					}
					client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](
						&http.Client{Transport: rec}, srv.URL+"/test.v1.Test/"+path, opts...)
					err := call(t, client, path, arg)
					if connect.CodeOf(err) != c {
						t.Fatalf("connect-go reports %v, want %v", err, c)
					}
					for _, read := range []func(*http.Response) (wire.Status, bool){statusByPeek, statusByWatch} {
						st, ok := read(rec.Replay())
						if !ok {
							t.Fatalf("no status found")
						}
						if st.Code != uint32(c) || !strings.Contains(st.Message, "from the server") {
							t.Errorf("status %d %q, want %d and the server's message", st.Code, st.Message, c)
						}
						if len(st.Details) != 1 || st.Details[0].Type != "google.protobuf.StringValue" {
							t.Errorf("details %+v, want one StringValue", st.Details)
						}
					}
				})
			}
		}
	}
}

func call(t *testing.T, client *connect.Client[wrapperspb.StringValue, wrapperspb.StringValue], method, arg string) error {
	t.Helper()
	req := connect.NewRequest(wrapperspb.String(arg))
	if method == "Unary" {
		_, err := client.CallUnary(t.Context(), req)
		return err
	}
	stream, err := client.CallServerStream(t.Context(), req)
	if err != nil {
		return err
	}
	defer stream.Close()
	for stream.Receive() {
	}
	return stream.Err()
}

// statusByPeek reads a response's status from the headers, or else from
// the start of the body or, when a message comes first, the trailers
// once the body is read.
func statusByPeek(resp *http.Response) (wire.Status, bool) {
	if st, ok := wire.HeaderStatus(resp.Header); ok {
		return st, true
	}
	env := wire.EnvelopeOf(resp.Header)
	if env == wire.Unframed { // Connect unary: the error is the body
		st, _, err := wire.ParseConnectError(wire.PeekAll(resp, 1<<20))
		return st, err == nil
	}
	var pb wire.PeekedBody
	if st, ended := wire.Peek(resp, env, &pb); ended {
		return st, true
	}
	return statusByWatch(resp)
}

// statusByWatch reads a response's body to its end through wire.Watch.
func statusByWatch(resp *http.Response) (wire.Status, bool) {
	if st, ok := wire.HeaderStatus(resp.Header); ok {
		return st, true
	}
	env := wire.EnvelopeOf(resp.Header)
	if env == wire.Unframed {
		return statusByPeek(resp)
	}
	var got wire.Status
	var seen bool
	wire.Watch(resp, env, func(st wire.Status) { got, seen = st, true })
	buf := make([]byte, 3) // small reads: frames cross them
	for {
		if _, err := resp.Body.Read(buf); err != nil {
			break
		}
	}
	return got, seen
}
