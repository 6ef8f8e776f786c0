//go:build conformancegen

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	connectv2 "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"google.golang.org/protobuf/types/known/anypb"

	conformancev1 "github.com/authwire/authwire/conformance/gen/connectrpc/conformance/v1"
	"github.com/authwire/authwire/conformance/gen/connectrpc/conformance/v1/conformancev1connect"
	"github.com/authwire/authwire/transport"
)

// specsV2 are the ConformanceService methods as connect-go v2 Specs: the v2
// client needs no generated client code, only the generated messages.
var specsV2 = map[string]connectv2.Spec{
	"Unary":           {StreamType: connectv2.StreamTypeUnary, Procedure: conformancev1connect.ConformanceServiceUnaryProcedure},
	"IdempotentUnary": {StreamType: connectv2.StreamTypeUnary, Procedure: conformancev1connect.ConformanceServiceIdempotentUnaryProcedure, IdempotencyLevel: connectv2.IdempotencyNoSideEffects},
	"Unimplemented":   {StreamType: connectv2.StreamTypeUnary, Procedure: conformancev1connect.ConformanceServiceUnimplementedProcedure},
	"ServerStream":    {StreamType: connectv2.StreamTypeServer, Procedure: conformancev1connect.ConformanceServiceServerStreamProcedure},
	"ClientStream":    {StreamType: connectv2.StreamTypeClient, Procedure: conformancev1connect.ConformanceServiceClientStreamProcedure},
	"BidiStream":      {StreamType: connectv2.StreamTypeBidi, Procedure: conformancev1connect.ConformanceServiceBidiStreamProcedure},
}

// invokeV2 is invoke with a connect-go v2 client, built as a v2 user builds
// one over authwire: connect.NewClient(connecthttp.NewTransport(client,
// baseURL, …), transport.InterceptorV2()).
func invokeV2(ctx context.Context, s *stacks, req *conformancev1.ClientCompatRequest) (*conformancev1.ClientResponseResult, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	spec, ok := specsV2[req.GetMethod()]
	if !ok {
		return nil, fmt.Errorf("client: unknown method %q", req.GetMethod())
	}
	opts, err := clientOptions(req, optionsV2)
	if err != nil {
		return nil, err
	}
	st, err := s.get(ctx, req)
	if err != nil {
		return nil, err
	}
	client := connectv2.NewClient(connecthttp.NewTransport(st.client, st.baseURL, opts...), transport.InterceptorV2())
	ctx = markCall(ctx)
	if req.TimeoutMs != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(req.GetTimeoutMs())*time.Millisecond)
		defer cancel()
	}
	ctx, info := connectv2.NewClientContext(ctx)
	for _, h := range req.GetRequestHeaders() {
		for _, v := range h.GetValue() {
			info.RequestHeader().Add(h.GetName(), v)
		}
	}
	c := callV2{call: call{req: req, timing: cancelTimingOf(req.GetCancel())}, client: client, spec: spec, info: info}
	switch spec.StreamType {
	case connectv2.StreamTypeUnary:
		return c.unary(ctx)
	case connectv2.StreamTypeServer:
		return c.serverStream(ctx)
	case connectv2.StreamTypeClient:
		return c.clientStream(ctx)
	}
	switch req.GetStreamType() {
	case conformancev1.StreamType_STREAM_TYPE_HALF_DUPLEX_BIDI_STREAM:
		return c.bidiStream(ctx, false)
	case conformancev1.StreamType_STREAM_TYPE_FULL_DUPLEX_BIDI_STREAM:
		return c.bidiStream(ctx, true)
	}
	return nil, fmt.Errorf("client: BidiStream with stream type %v", req.GetStreamType())
}

// optionsV2 are connect-go v2's options.
var optionsV2 = optionSet[connecthttp.Option]{
	get: connecthttp.WithHTTPGet(), grpc: connecthttp.WithGRPC(), grpcWeb: connecthttp.WithGRPCWeb(),
	protoJSON: connecthttp.WithProtoJSON(), noGzip: connecthttp.WithCompressors(),
	sendGzip: connecthttp.WithSendGzip(), readMaxBytes: connecthttp.WithReadMaxBytes,
}

// callV2 is one request being run with a v2 client.
type callV2 struct {
	call
	client *connectv2.Client
	spec   connectv2.Spec
	info   *connectv2.CallInfo
}

// newResponse returns an empty response message of the method.
func (c callV2) newResponse() responseMessage {
	switch c.req.GetMethod() {
	case "Unary":
		return new(conformancev1.UnaryResponse)
	case "IdempotentUnary":
		return new(conformancev1.IdempotentUnaryResponse)
	case "Unimplemented":
		return new(conformancev1.UnimplementedResponse)
	case "ServerStream":
		return new(conformancev1.ServerStreamResponse)
	case "ClientStream":
		return new(conformancev1.ClientStreamResponse)
	}
	return new(conformancev1.BidiStreamResponse)
}

// responseMessage is a generated response message.
type responseMessage = any

// payloadOf returns the payload of a response message, or an empty one for
// a message without one (UnimplementedResponse).
func payloadOf(res responseMessage) *conformancev1.ConformancePayload {
	if p, ok := res.(interface {
		GetPayload() *conformancev1.ConformancePayload
	}); ok {
		return orEmpty(p.GetPayload())
	}
	return &conformancev1.ConformancePayload{}
}

// request unpacks the i-th request message.
func (c callV2) request(i int) (any, error) {
	msgs := c.req.GetRequestMessages()
	if i >= len(msgs) {
		return nil, fmt.Errorf("client: %s needs request message %d, got %d", c.req.GetMethod(), i+1, len(msgs))
	}
	m, err := msgs[i].UnmarshalNew()
	if err != nil {
		return nil, fmt.Errorf("client: request message %d: %w", i+1, err)
	}
	return m, nil
}

// result reports the payloads received and err, with the call's response
// headers and trailers. withMeta false leaves those out (see bidiStream).
func (c callV2) result(payloads []*conformancev1.ConformancePayload, err error, withMeta bool) *conformancev1.ClientResponseResult {
	r := &conformancev1.ClientResponseResult{Payloads: payloads, Error: protoErrorV2(err)}
	if withMeta {
		r.ResponseHeaders = headersV2(c.info.ResponseHeader())
		r.ResponseTrailers = headersV2(c.info.ResponseTrailer())
	}
	return r
}

// onlyRequest unpacks the one request message of a unary call or a server
// stream.
func (c callV2) onlyRequest() (any, error) {
	if n := len(c.req.GetRequestMessages()); n != 1 {
		return nil, fmt.Errorf("client: %s takes one request message, got %d", c.req.GetMethod(), n)
	}
	return c.request(0)
}

func (c callV2) unary(ctx context.Context) (*conformancev1.ClientResponseResult, error) {
	msg, err := c.onlyRequest()
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.unaryContext(ctx)
	defer cancel()
	res := c.newResponse()
	if err := c.client.CallUnary(ctx, c.spec, msg, res); err != nil {
		return c.result(nil, err, true), nil
	}
	return c.result([]*conformancev1.ConformancePayload{payloadOf(res)}, nil, true), nil
}

func (c callV2) serverStream(ctx context.Context) (*conformancev1.ClientResponseResult, error) {
	msg, err := c.onlyRequest()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.client.CallServerStream(ctx, c.spec, msg)
	if err != nil {
		return c.result(nil, err, true), nil
	}
	defer stream.Close()
	if ms := c.timing.afterCloseSendMs; ms >= 0 {
		pause(ctx, uint32(ms))
		cancel()
	}
	payloads, err := c.receiveAll(stream, cancel, nil)
	return c.result(payloads, err, true), nil
}

func (c callV2) clientStream(ctx context.Context) (*conformancev1.ClientResponseResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.client.CallClientStream(ctx, c.spec)
	if err != nil {
		return c.result(nil, err, true), nil
	}
	defer stream.Close()
	unsent, err := c.sendAll(ctx, stream, false, nil)
	if err != nil {
		return nil, err
	}
	if c.timing.beforeCloseSend {
		cancel()
	} else if ms := c.timing.afterCloseSendMs; ms >= 0 {
		t := time.AfterFunc(time.Duration(ms)*time.Millisecond, cancel)
		defer t.Stop()
	}
	var rpcErr error
	if unsent == 0 {
		rpcErr = stream.CloseSend()
	}
	payloads, err := c.receiveAll(stream, cancel, nil)
	if rpcErr == nil {
		rpcErr = err
	}
	r := c.result(payloads, rpcErr, true)
	r.NumUnsentRequests = int32(unsent)
	return r, nil
}

// bidiStream runs a bidirectional stream: half-duplex sends everything
// before receiving; full-duplex receives one response after each request.
// As with v1, headers and trailers are reported only once the response is
// known to have arrived.
func (c callV2) bidiStream(ctx context.Context, fullDuplex bool) (*conformancev1.ClientResponseResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.client.CallClientStream(ctx, c.spec)
	if err != nil {
		return c.result(nil, err, true), nil
	}
	defer stream.Close()
	var payloads []*conformancev1.ConformancePayload
	received := func(res responseMessage) {
		payloads = append(payloads, payloadOf(res))
		if len(payloads) == c.timing.afterNumResponses {
			cancel()
		}
	}
	var rpcErr error
	responsesDone := false
	unsent, err := c.sendAll(ctx, stream, fullDuplex, func() bool {
		res := c.newResponse()
		if err := stream.Receive(res); err != nil {
			if !errors.Is(err, io.EOF) {
				rpcErr = err
			}
			responsesDone = true
			return false
		}
		received(res)
		return true
	})
	if err != nil {
		return nil, err
	}
	if unsent > 0 && !responsesDone {
		// Send reports only that the call ended; Receive says why.
		if err := stream.Receive(c.newResponse()); err != nil && !errors.Is(err, io.EOF) {
			rpcErr = err
		}
		responsesDone = true
	}
	if c.timing.beforeCloseSend {
		cancel()
	}
	if err := stream.CloseSend(); err != nil && rpcErr == nil && !errors.Is(err, io.EOF) {
		rpcErr = err
	}
	if ms := c.timing.afterCloseSendMs; ms >= 0 {
		pause(ctx, uint32(ms))
		cancel()
	}
	if !responsesDone {
		var more []*conformancev1.ConformancePayload
		more, rpcErr = c.receiveAll(stream, cancel, payloads)
		payloads = more
	}
	withMeta := len(payloads) > 0 || rpcErr == nil || !isContextError(rpcErr)
	r := c.result(payloads, rpcErr, withMeta)
	r.NumUnsentRequests = int32(unsent)
	return r, nil
}

// sendAll sends the request messages, pausing before each; after each send
// it calls afterSend, if given, and stops when that returns false. It
// returns how many messages were left unsent because the call ended.
func (c callV2) sendAll(ctx context.Context, stream connectv2.ClientStream, each bool, afterSend func() bool) (int, error) {
	n := len(c.req.GetRequestMessages())
	for i := range n {
		msg, err := c.request(i)
		if err != nil {
			return 0, err
		}
		pause(ctx, c.req.GetRequestDelayMs())
		if err := stream.Send(msg); err != nil {
			return n - i, nil
		}
		if each && afterSend != nil && !afterSend() {
			return 0, nil
		}
	}
	return 0, nil
}

// receiveAll receives until the end of the stream, appending to payloads;
// it cancels the call after the configured number of responses. The clean
// end (io.EOF) is no error.
func (c callV2) receiveAll(stream connectv2.ClientStream, cancel context.CancelFunc, payloads []*conformancev1.ConformancePayload) ([]*conformancev1.ConformancePayload, error) {
	for {
		res := c.newResponse()
		err := stream.Receive(res)
		if errors.Is(err, io.EOF) {
			return payloads, nil
		}
		if err != nil {
			return payloads, err
		}
		payloads = append(payloads, payloadOf(res))
		if len(payloads) == c.timing.afterNumResponses {
			cancel()
		}
	}
}

// headersV2 converts h, sorted by name.
func headersV2(h *connectv2.Header) []*conformancev1.Header {
	m := map[string][]string{}
	for k, v := range h.All() {
		m[k] = v
	}
	return headers(m)
}

// protoErrorV2 is protoError for v2 errors.
func protoErrorV2(err error) *conformancev1.Error {
	if err == nil {
		return nil
	}
	ce, ok := errors.AsType[*connectv2.Error](err)
	if !ok {
		msg := err.Error()
		return &conformancev1.Error{Code: conformancev1.Code_CODE_UNKNOWN, Message: &msg}
	}
	msg := ce.Message()
	out := &conformancev1.Error{Code: conformancev1.Code(ce.Code()), Message: &msg}
	for _, d := range ce.Details() {
		out.Details = append(out.Details, &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type, Value: d.Value})
	}
	return out
}
