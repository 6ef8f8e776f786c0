package benchserver

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Procedures of the benchmark service. Unary echoes a BytesValue; Stream
// answers UInt64Value n with n BytesValue messages of [StreamMessageSize]
// bytes each (or the size named in the Bench-Size request header).
const (
	ServiceName     = "authwire.bench.v1.BenchService"
	UnaryProcedure  = "/" + ServiceName + "/Unary"
	StreamProcedure = "/" + ServiceName + "/Stream"
	// RESTPath echoes the body of a POST.
	RESTPath = "/api/v1/echo"
	// StreamMessageSize is the default payload of one stream message.
	StreamMessageSize = 64
)

// service returns the handlers of the benchmark service. Compression is off
// on every route: the benchmarks measure transports, not gzip.
func service() http.Handler {
	noGzip := connect.WithCompression("gzip", nil, nil)
	mux := http.NewServeMux()
	mux.Handle(UnaryProcedure, connect.NewUnaryHandler(UnaryProcedure, echo, noGzip))
	mux.Handle(StreamProcedure, connect.NewServerStreamHandler(StreamProcedure, stream, noGzip))
	mux.HandleFunc("POST "+RESTPath, restEcho)
	return mux
}

func echo(_ context.Context, req *connect.Request[wrapperspb.BytesValue]) (*connect.Response[wrapperspb.BytesValue], error) {
	return connect.NewResponse(req.Msg), nil
}

func stream(_ context.Context, req *connect.Request[wrapperspb.UInt64Value], s *connect.ServerStream[wrapperspb.BytesValue]) error {
	size := StreamMessageSize
	if v := req.Header().Get("Bench-Size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1<<20 {
			return connect.NewError(connect.CodeInvalidArgument, nil)
		}
		size = n
	}
	msg := wrapperspb.Bytes(bytes.Repeat([]byte{'m'}, size))
	for range req.Msg.GetValue() {
		if err := s.Send(msg); err != nil {
			return err
		}
	}
	return nil
}

func restEcho(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	io.Copy(w, r.Body)
}
