package authtest

import (
	"context"
	"errors"
	"io"
	"strings"

	connectv2 "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The TestService methods as connect-go v2 Specs, for v2 users who build
// their own clients: connect.NewClient(connecthttp.NewTransport(httpClient,
// srv.URL()), …).CallUnary(ctx, authtest.TestServiceUnarySpec, req, res),
// with *wrapperspb.StringValue messages.
var (
	TestServiceUnarySpec        = connectv2.Spec{StreamType: connectv2.StreamTypeUnary, Procedure: TestServiceUnaryProcedure}
	TestServiceServerStreamSpec = connectv2.Spec{StreamType: connectv2.StreamTypeServer, Procedure: TestServiceServerStreamProcedure}
	TestServiceClientStreamSpec = connectv2.Spec{StreamType: connectv2.StreamTypeClient, Procedure: TestServiceClientStreamProcedure}
	TestServiceBidiStreamSpec   = connectv2.Spec{StreamType: connectv2.StreamTypeBidi, Procedure: TestServiceBidiStreamProcedure}
)

// TestClientV2 calls the protected test service with connect-go v2, as
// [TestClient] does with v1. It is safe for concurrent use.
type TestClientV2 struct {
	// Client is the v2 client underneath, for calls of one's own with the
	// TestService Specs.
	Client *connectv2.Client
}

// NewTestClientV2 returns a connect-go v2 client of the TestService at
// baseURL (e.g. [Server.URL]), sending through httpClient. opts choose the
// protocol ([connecthttp.WithGRPC], [connecthttp.WithGRPCWeb]; Connect by
// default) and the rest; interceptors run in argument order.
func NewTestClientV2(httpClient connecthttp.HTTPClient, baseURL string, opts []connecthttp.Option, interceptors ...connectv2.ClientInterceptor) *TestClientV2 {
	t := connecthttp.NewTransport(httpClient, strings.TrimRight(baseURL, "/"), opts...)
	return &TestClientV2{Client: connectv2.NewClient(t, interceptors...)}
}

// Unary echoes msg.
func (c *TestClientV2) Unary(ctx context.Context, msg string) (string, error) {
	res := new(stringValue)
	if err := c.Client.CallUnary(ctx, TestServiceUnarySpec, wrapperspb.String(msg), res); err != nil {
		return "", err
	}
	return res.GetValue(), nil
}

// ServerStream returns the three answers to msg.
func (c *TestClientV2) ServerStream(ctx context.Context, msg string) ([]string, error) {
	s, err := c.Client.CallServerStream(ctx, TestServiceServerStreamSpec, wrapperspb.String(msg))
	if err != nil {
		return nil, err
	}
	return receiveAll(s)
}

// ClientStream sends msgs and returns the answer: them joined with ",".
func (c *TestClientV2) ClientStream(ctx context.Context, msgs ...string) (string, error) {
	s, err := c.Client.CallClientStream(ctx, TestServiceClientStreamSpec)
	if err != nil {
		return "", err
	}
	defer s.Close()
	if err := sendAll(s, msgs); err != nil {
		return "", err
	}
	res := new(stringValue)
	if err := s.Receive(res); err != nil {
		return "", err
	}
	return res.GetValue(), nil
}

// BidiStream sends msgs, then returns the echoes (half duplex: it works over
// HTTP/1.1 too).
func (c *TestClientV2) BidiStream(ctx context.Context, msgs ...string) ([]string, error) {
	s, err := c.Client.CallClientStream(ctx, TestServiceBidiStreamSpec)
	if err != nil {
		return nil, err
	}
	if err := sendAll(s, msgs); err != nil {
		_ = s.Close()
		return nil, err
	}
	return receiveAll(s)
}

// sendAll sends msgs and closes the send side. A send that fails because
// the call ended reports io.EOF; the receive side says why, so sendAll
// returns the error of Receive then.
func sendAll(s connectv2.ClientStream, msgs []string) error {
	for _, m := range msgs {
		if err := s.Send(wrapperspb.String(m)); err != nil {
			if errors.Is(err, io.EOF) {
				if rerr := s.Receive(new(stringValue)); rerr != nil && !errors.Is(rerr, io.EOF) {
					return rerr
				}
			}
			return err
		}
	}
	return s.CloseSend()
}

// receiveAll receives until the end of the stream and closes it.
func receiveAll(s connectv2.ClientStream) ([]string, error) {
	defer s.Close()
	var out []string
	for {
		res := new(stringValue)
		err := s.Receive(res)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, res.GetValue())
	}
}
