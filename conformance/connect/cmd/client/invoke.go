//go:build conformancegen

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	conformancev1 "github.com/authwire/authwire/conformance/gen/connectrpc/conformance/v1"
	"github.com/authwire/authwire/conformance/gen/connectrpc/conformance/v1/conformancev1connect"
)

// invoke makes the call that req describes and reports what came back. The
// error result is for calls that could not be made at all.
func invoke(ctx context.Context, s *stacks, req *conformancev1.ClientCompatRequest) (*conformancev1.ClientResponseResult, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	opts, err := clientOptions(req, optionsV1)
	if err != nil {
		return nil, err
	}
	st, err := s.get(ctx, req)
	if err != nil {
		return nil, err
	}
	client := conformancev1connect.NewConformanceServiceClient(st.client, st.baseURL, opts...)
	ctx = markCall(ctx) // each call below derives a cancelable context from it
	if req.TimeoutMs != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(req.GetTimeoutMs())*time.Millisecond)
		defer cancel()
	}
	c := call{req: req, timing: cancelTimingOf(req.GetCancel())}
	switch req.GetMethod() {
	case "Unary":
		return unary(ctx, c, client.Unary, (*conformancev1.UnaryResponse).GetPayload)
	case "IdempotentUnary":
		return unary(ctx, c, client.IdempotentUnary, (*conformancev1.IdempotentUnaryResponse).GetPayload)
	case "Unimplemented":
		return unary(ctx, c, client.Unimplemented, func(*conformancev1.UnimplementedResponse) *conformancev1.ConformancePayload { return nil })
	case "ServerStream":
		return serverStream(ctx, c, client)
	case "ClientStream":
		return clientStream(ctx, c, client)
	case "BidiStream":
		switch req.GetStreamType() {
		case conformancev1.StreamType_STREAM_TYPE_HALF_DUPLEX_BIDI_STREAM:
			return bidiStream(ctx, c, client, false)
		case conformancev1.StreamType_STREAM_TYPE_FULL_DUPLEX_BIDI_STREAM:
			return bidiStream(ctx, c, client, true)
		}
		return nil, fmt.Errorf("client: BidiStream with stream type %v", req.GetStreamType())
	}
	return nil, fmt.Errorf("client: unknown method %q", req.GetMethod())
}

// optionSet is one connect-go version's client options for what a request
// may ask for.
type optionSet[O any] struct {
	get, grpc, grpcWeb, protoJSON, noGzip, sendGzip O
	readMaxBytes                                    func(int) O
}

// optionsV1 are connect-go v1's options.
var optionsV1 = optionSet[connect.ClientOption]{
	get: connect.WithHTTPGet(), grpc: connect.WithGRPC(), grpcWeb: connect.WithGRPCWeb(),
	protoJSON: connect.WithProtoJSON(), noGzip: connect.WithAcceptCompression("gzip", nil, nil),
	sendGzip: connect.WithSendGzip(), readMaxBytes: func(n int) connect.ClientOption { return connect.WithReadMaxBytes(n) },
}

// clientOptions translates the protocol, codec, compression, message limit
// and GET switch of req into options of set.
func clientOptions[O any](req *conformancev1.ClientCompatRequest, set optionSet[O]) ([]O, error) {
	var opts []O
	switch req.GetProtocol() {
	case conformancev1.Protocol_PROTOCOL_CONNECT:
		if req.GetUseGetHttpMethod() {
			opts = append(opts, set.get)
		}
	case conformancev1.Protocol_PROTOCOL_GRPC:
		opts = append(opts, set.grpc)
	case conformancev1.Protocol_PROTOCOL_GRPC_WEB:
		opts = append(opts, set.grpcWeb)
	default:
		return nil, fmt.Errorf("client: unsupported protocol %v", req.GetProtocol())
	}
	switch req.GetCodec() {
	case conformancev1.Codec_CODEC_PROTO:
	case conformancev1.Codec_CODEC_JSON:
		opts = append(opts, set.protoJSON)
	default:
		return nil, fmt.Errorf("client: unsupported codec %v", req.GetCodec())
	}
	switch req.GetCompression() {
	case conformancev1.Compression_COMPRESSION_IDENTITY, conformancev1.Compression_COMPRESSION_UNSPECIFIED:
		opts = append(opts, set.noGzip) // neither send nor advertise gzip
	case conformancev1.Compression_COMPRESSION_GZIP:
		opts = append(opts, set.sendGzip)
	default:
		return nil, fmt.Errorf("client: unsupported compression %v", req.GetCompression())
	}
	if n := req.GetMessageReceiveLimit(); n > 0 {
		opts = append(opts, set.readMaxBytes(int(n)))
	}
	return opts, nil
}

// checkRequest rejects requests the clients under test do not make: other
// services and raw requests.
func checkRequest(req *conformancev1.ClientCompatRequest) error {
	if req.GetService() != conformancev1connect.ConformanceServiceName {
		return fmt.Errorf("client: unknown service %q", req.GetService())
	}
	if req.GetRawRequest() != nil {
		return errors.New("client: raw requests are for reference clients only")
	}
	return nil
}

// unaryContext returns the context of a unary call: canceled by the
// returned function, and after the configured time when the request asks
// for a cancellation "after close-send", which for a unary call is when it
// starts (its request is complete at once).
func (c call) unaryContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	ms := c.timing.afterCloseSendMs
	if ms < 0 {
		return ctx, cancel
	}
	t := time.AfterFunc(time.Duration(ms)*time.Millisecond, cancel)
	return ctx, func() { t.Stop(); cancel() }
}

// call is one request being run.
type call struct {
	req    *conformancev1.ClientCompatRequest
	timing cancelTiming
}

// cancelTiming says when to cancel the call; a negative value means never.
type cancelTiming struct {
	beforeCloseSend   bool
	afterCloseSendMs  int64
	afterNumResponses int
}

func cancelTimingOf(c *conformancev1.ClientCompatRequest_Cancel) cancelTiming {
	t := cancelTiming{afterCloseSendMs: -1, afterNumResponses: -1}
	if c == nil {
		return t
	}
	switch v := c.GetCancelTiming().(type) {
	case *conformancev1.ClientCompatRequest_Cancel_BeforeCloseSend:
		t.beforeCloseSend = true
	case *conformancev1.ClientCompatRequest_Cancel_AfterCloseSendMs:
		t.afterCloseSendMs = int64(v.AfterCloseSendMs)
	case *conformancev1.ClientCompatRequest_Cancel_AfterNumResponses:
		t.afterNumResponses = int(v.AfterNumResponses)
	default: // a Cancel without a timing cancels right after close-send
		t.afterCloseSendMs = 0
	}
	return t
}

// message is a pointer to a generated request type.
type message[T any] interface {
	*T
	proto.Message
}

// requestMessage unpacks the i-th request message of c into a new T.
func requestMessage[T any, P message[T]](c call, i int) (*T, error) {
	msgs := c.req.GetRequestMessages()
	if i >= len(msgs) {
		return nil, fmt.Errorf("client: %s needs request message %d, got %d", c.req.GetMethod(), i+1, len(msgs))
	}
	m := P(new(T))
	if err := msgs[i].UnmarshalTo(m); err != nil {
		return nil, fmt.Errorf("client: request message %d: %w", i+1, err)
	}
	return (*T)(m), nil
}

// unary makes a unary call. Cancellation "after close-send" fires that long
// after the call starts: a unary call's request is complete at once.
func unary[Req any, Res any, P message[Req]](
	ctx context.Context, c call,
	stub func(context.Context, *connect.Request[Req]) (*connect.Response[Res], error),
	payload func(*Res) *conformancev1.ConformancePayload,
) (*conformancev1.ClientResponseResult, error) {
	if n := len(c.req.GetRequestMessages()); n != 1 {
		return nil, fmt.Errorf("client: a unary call takes one request message, got %d", n)
	}
	msg, err := requestMessage[Req, P](c, 0)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.unaryContext(ctx)
	defer cancel()
	req := connect.NewRequest(msg)
	addHeaders(req.Header(), c.req.GetRequestHeaders())
	resp, err := stub(ctx, req)
	if err != nil {
		return errorResult(err), nil
	}
	return &conformancev1.ClientResponseResult{
		ResponseHeaders:  headers(resp.Header()),
		ResponseTrailers: headers(resp.Trailer()),
		Payloads:         []*conformancev1.ConformancePayload{orEmpty(payload(resp.Msg))},
	}, nil
}

// clientStream sends every request message, then closes and receives.
func clientStream(ctx context.Context, c call, client conformancev1connect.ConformanceServiceClient) (*conformancev1.ClientResponseResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream := client.ClientStream(ctx)
	addHeaders(stream.RequestHeader(), c.req.GetRequestHeaders())
	unsent := 0
	for i := range c.req.GetRequestMessages() {
		msg, err := requestMessage[conformancev1.ClientStreamRequest](c, i)
		if err != nil {
			return nil, err
		}
		pause(ctx, c.req.GetRequestDelayMs())
		if err := stream.Send(msg); err != nil {
			// The server ended the call; CloseAndReceive reports why.
			unsent = len(c.req.GetRequestMessages()) - i
			break
		}
	}
	if c.timing.beforeCloseSend {
		cancel()
	} else if ms := c.timing.afterCloseSendMs; ms >= 0 {
		t := time.AfterFunc(time.Duration(ms)*time.Millisecond, cancel)
		defer t.Stop()
	}
	resp, err := stream.CloseAndReceive()
	if err != nil {
		r := errorResult(err)
		r.NumUnsentRequests = int32(unsent)
		return r, nil
	}
	return &conformancev1.ClientResponseResult{
		ResponseHeaders:   headers(resp.Header()),
		ResponseTrailers:  headers(resp.Trailer()),
		Payloads:          []*conformancev1.ConformancePayload{orEmpty(resp.Msg.GetPayload())},
		NumUnsentRequests: int32(unsent),
	}, nil
}

// serverStream sends the one request message and receives until the end.
func serverStream(ctx context.Context, c call, client conformancev1connect.ConformanceServiceClient) (*conformancev1.ClientResponseResult, error) {
	if n := len(c.req.GetRequestMessages()); n != 1 {
		return nil, fmt.Errorf("client: a server stream takes one request message, got %d", n)
	}
	msg, err := requestMessage[conformancev1.ServerStreamRequest](c, 0)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req := connect.NewRequest(msg)
	addHeaders(req.Header(), c.req.GetRequestHeaders())
	stream, err := client.ServerStream(ctx, req)
	if err != nil {
		return errorResult(err), nil
	}
	if ms := c.timing.afterCloseSendMs; ms >= 0 {
		pause(ctx, uint32(ms))
		cancel()
	}
	result := &conformancev1.ClientResponseResult{}
	for stream.Receive() {
		result.Payloads = append(result.Payloads, orEmpty(stream.Msg().GetPayload()))
		if len(result.Payloads) == c.timing.afterNumResponses {
			cancel()
		}
	}
	err = stream.Err()
	result.ResponseHeaders = headers(stream.ResponseHeader())
	result.ResponseTrailers = headers(stream.ResponseTrailer())
	if closeErr := stream.Close(); err == nil {
		err = closeErr
	}
	result.Error = protoError(err)
	return result, nil
}

// bidiStream runs a bidirectional stream: half-duplex sends everything
// before receiving; full-duplex receives one response after each request.
//
// Response headers and trailers are read only once the response is known
// to have arrived: a message was received, or the stream ended with EOF or
// with an error from the server. After a cancellation or a deadline before
// that, connect-go v1.21.1 hands out its header maps without waiting while
// its request goroutine may still be filling them (a data race), so such a
// call reports none.
func bidiStream(ctx context.Context, c call, client conformancev1connect.ConformanceServiceClient, fullDuplex bool) (*conformancev1.ClientResponseResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream := client.BidiStream(ctx)
	addHeaders(stream.RequestHeader(), c.req.GetRequestHeaders())
	result := &conformancev1.ClientResponseResult{}
	received := func(res *conformancev1.BidiStreamResponse) {
		result.Payloads = append(result.Payloads, orEmpty(res.GetPayload()))
		if len(result.Payloads) == c.timing.afterNumResponses {
			cancel()
		}
	}
	var rpcErr error
	responsesDone := false
	for i := range c.req.GetRequestMessages() {
		msg, err := requestMessage[conformancev1.BidiStreamRequest](c, i)
		if err != nil {
			return nil, err
		}
		pause(ctx, c.req.GetRequestDelayMs())
		if err := stream.Send(msg); err != nil {
			result.NumUnsentRequests = int32(len(c.req.GetRequestMessages()) - i)
			// Send reports only that the call ended; Receive says why.
			if _, recvErr := stream.Receive(); recvErr != nil && !errors.Is(recvErr, io.EOF) {
				rpcErr = recvErr
			} else {
				rpcErr = err
			}
			responsesDone = true
			break
		}
		if fullDuplex {
			res, err := stream.Receive()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					rpcErr = err
				}
				responsesDone = true
				break
			}
			received(res)
		}
	}
	if c.timing.beforeCloseSend {
		cancel()
	}
	if err := stream.CloseRequest(); err != nil && rpcErr == nil {
		rpcErr = err
	}
	if ms := c.timing.afterCloseSendMs; ms >= 0 {
		pause(ctx, uint32(ms))
		cancel()
	}
	for !responsesDone {
		res, err := stream.Receive()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				rpcErr = err
			}
			break
		}
		received(res)
	}
	if len(result.Payloads) > 0 || rpcErr == nil || !isContextError(rpcErr) {
		result.ResponseHeaders = headers(stream.ResponseHeader())
		result.ResponseTrailers = headers(stream.ResponseTrailer())
	}
	if err := stream.CloseResponse(); err != nil && rpcErr == nil {
		rpcErr = err
	}
	result.Error = protoError(rpcErr)
	return result, nil
}

// errorResult reports a call that failed before any response message: the
// error's metadata, which connect merges from headers and trailers, is
// reported as trailers, as the suite allows for unary and client streams.
func errorResult(err error) *conformancev1.ClientResponseResult {
	r := &conformancev1.ClientResponseResult{Error: protoError(err)}
	if ce := new(connect.Error); errors.As(err, &ce) {
		r.ResponseTrailers = headers(ce.Meta())
	}
	return r
}

// isContextError reports whether err comes from the call's own context
// (canceled, or past its deadline) rather than from the server.
func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// orEmpty stands an empty payload in for a response without one.
func orEmpty(p *conformancev1.ConformancePayload) *conformancev1.ConformancePayload {
	if p == nil {
		return &conformancev1.ConformancePayload{}
	}
	return p
}

// pause waits ms milliseconds, or less if ctx ends first.
func pause(ctx context.Context, ms uint32) {
	if ms == 0 {
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
