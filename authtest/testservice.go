package authtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The protected test service. Every method takes and returns
// google.protobuf.StringValue; no generated code is needed.
const (
	// TestServiceName is the fully qualified name of the protected service.
	TestServiceName = "authwire.test.v1.TestService"
	// TestServiceUnaryProcedure echoes the request value.
	TestServiceUnaryProcedure = "/authwire.test.v1.TestService/Unary"
	// TestServiceServerStreamProcedure answers value+"-0", value+"-1" and value+"-2".
	TestServiceServerStreamProcedure = "/authwire.test.v1.TestService/ServerStream"
	// TestServiceClientStreamProcedure answers the values it received joined with ",".
	TestServiceClientStreamProcedure = "/authwire.test.v1.TestService/ClientStream"
	// TestServiceBidiStreamProcedure echoes each message as it arrives.
	TestServiceBidiStreamProcedure = "/authwire.test.v1.TestService/BidiStream"
)

// stringValue is the message type of every TestService method.
type stringValue = wrapperspb.StringValue

// TestClient calls the protected test service; its fields are ordinary
// connect clients, safe for concurrent use.
type TestClient struct {
	Unary        *connect.Client[wrapperspb.StringValue, wrapperspb.StringValue]
	ServerStream *connect.Client[wrapperspb.StringValue, wrapperspb.StringValue]
	ClientStream *connect.Client[wrapperspb.StringValue, wrapperspb.StringValue]
	BidiStream   *connect.Client[wrapperspb.StringValue, wrapperspb.StringValue]
}

// NewTestClient returns clients for the four TestService methods at baseURL
// (e.g. [Server.URL]), sending through httpClient. opts apply to all four:
// pass [connect.WithGRPC] or [connect.WithGRPCWeb] to change the protocol.
func NewTestClient(httpClient connect.HTTPClient, baseURL string, opts ...connect.ClientOption) *TestClient {
	baseURL = strings.TrimRight(baseURL, "/")
	return &TestClient{
		Unary:        connect.NewClient[stringValue, stringValue](httpClient, baseURL+TestServiceUnaryProcedure, opts...),
		ServerStream: connect.NewClient[stringValue, stringValue](httpClient, baseURL+TestServiceServerStreamProcedure, opts...),
		ClientStream: connect.NewClient[stringValue, stringValue](httpClient, baseURL+TestServiceClientStreamProcedure, opts...),
		BidiStream:   connect.NewClient[stringValue, stringValue](httpClient, baseURL+TestServiceBidiStreamProcedure, opts...),
	}
}

// testService returns the handler of the four TestService methods, each
// behind the auth interceptor.
func (s *Server) testService() http.Handler {
	opt := connect.WithInterceptors(authInterceptor{s: s})
	mux := http.NewServeMux()
	mux.Handle(TestServiceUnaryProcedure, connect.NewUnaryHandler(TestServiceUnaryProcedure, unaryEcho, opt))
	mux.Handle(TestServiceServerStreamProcedure, connect.NewServerStreamHandler(TestServiceServerStreamProcedure, serverStream, opt))
	mux.Handle(TestServiceClientStreamProcedure, connect.NewClientStreamHandler(TestServiceClientStreamProcedure, clientStream, opt))
	mux.Handle(TestServiceBidiStreamProcedure, connect.NewBidiStreamHandler(TestServiceBidiStreamProcedure, bidiEcho, opt))
	return mux
}

func unaryEcho(_ context.Context, req *connect.Request[stringValue]) (*connect.Response[stringValue], error) {
	return connect.NewResponse(wrapperspb.String(req.Msg.GetValue())), nil
}

func serverStream(_ context.Context, req *connect.Request[stringValue], stream *connect.ServerStream[stringValue]) error {
	for i := range 3 {
		if err := stream.Send(wrapperspb.String(fmt.Sprintf("%s-%d", req.Msg.GetValue(), i))); err != nil {
			return err
		}
	}
	return nil
}

func clientStream(_ context.Context, stream *connect.ClientStream[stringValue]) (*connect.Response[stringValue], error) {
	var values []string
	for stream.Receive() {
		values = append(values, stream.Msg().GetValue())
	}
	if err := stream.Err(); err != nil {
		return nil, err
	}
	return connect.NewResponse(wrapperspb.String(strings.Join(values, ","))), nil
}

func bidiEcho(_ context.Context, stream *connect.BidiStream[stringValue, stringValue]) error {
	for {
		msg, err := stream.Receive()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(msg); err != nil {
			return err
		}
	}
}
