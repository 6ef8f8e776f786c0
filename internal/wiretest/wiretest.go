// Package wiretest is the test kit for reading Connect, gRPC and gRPC-Web
// responses: envelope frames, gzip, a connect-go server whose procedures
// fail with the code a request names, and a RoundTripper that records each
// response so it can be read again. Tests of the wire reader
// (internal/wire) and of the layers that use it (errs, authn) share it.
package wiretest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Frame returns an envelope: the flags byte, the payload's 4-byte
// big-endian length, the payload.
func Frame(flags byte, payload string) []byte {
	f := make([]byte, 5, 5+len(payload))
	f[0] = flags
	binary.BigEndian.PutUint32(f[1:], uint32(len(payload)))
	return append(f, payload...)
}

// Gzip returns s gzip-compressed.
func Gzip(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.String()
}

// Recorder is an http.RoundTripper that reads each response of Next whole
// (body and trailers) and hands on an identical one; [Recorder.Replay]
// returns a fresh copy of the last. It is safe for concurrent use.
type Recorder struct {
	Next http.RoundTripper

	mu   sync.Mutex
	last *http.Response
	body []byte
}

// RoundTrip sends req through Next and records the response.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.Next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.last, r.body = resp, body
	r.mu.Unlock()
	return resp, nil
}

// Replay returns a fresh, unread copy of the last response, with the
// trailers net/http filled in at its EOF.
func (r *Recorder) Replay() *http.Response {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := *r.last
	c.Header = r.last.Header.Clone()
	c.Trailer = r.last.Trailer.Clone()
	c.Body = io.NopCloser(bytes.NewReader(r.body))
	return &c
}

// AfterMessage prefixes a ServerStream request of [Server] whose stream
// sends one message before it fails.
const AfterMessage = "after-"

// Server starts a connect-go server (HTTP/1.1 and h2c, on loopback) whose
// test.v1.Test/Unary (without side effects, so it takes GET) and
// /ServerStream fail with the code their request names ("5"; a
// ServerStream request "after-5" sends a message first), the message "from
// the server: 5" and one google.protobuf.StringValue detail. Streams are
// gzip-compressed when the client accepts it. Each raw handler serves
// /raw.v1.Raw/<name>. The server stops when the test ends.
func Server(t testing.TB, raw map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	fail := func(msg string) error {
		c, _ := strconv.Atoi(msg)
		err := connect.NewError(connect.Code(c), errors.New("from the server: "+msg))
		if d, derr := connect.NewErrorDetail(wrapperspb.String("detail")); derr == nil {
			err.AddDetail(d)
		}
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/test.v1.Test/Unary", connect.NewUnaryHandler("/test.v1.Test/Unary",
		func(_ context.Context, req *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			return nil, fail(req.Msg.GetValue())
		}, connect.WithIdempotency(connect.IdempotencyNoSideEffects)))
	mux.Handle("/test.v1.Test/ServerStream", connect.NewServerStreamHandler("/test.v1.Test/ServerStream",
		func(_ context.Context, req *connect.Request[wrapperspb.StringValue], s *connect.ServerStream[wrapperspb.StringValue]) error {
			code, after := strings.CutPrefix(req.Msg.GetValue(), AfterMessage)
			if after {
				if err := s.Send(wrapperspb.String("a message first")); err != nil {
					return err
				}
			}
			return fail(code)
		}, connect.WithCompressMinBytes(1)))
	for name, h := range raw {
		mux.Handle("/raw.v1.Raw/"+name, h)
	}
	srv := httptest.NewUnstartedServer(mux)
	protos := new(http.Protocols)
	protos.SetHTTP1(true)
	protos.SetUnencryptedHTTP2(true)
	srv.Config.Protocols = protos
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}
