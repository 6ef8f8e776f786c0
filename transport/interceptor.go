package transport

import (
	"context"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/errs"
)

// Interceptor returns a connect-go v1 client interceptor that makes the
// errors connect decodes from the wire authwire errors as well: errors.Is
// (err, errs.ErrNotFound) and errors.As(err, **errs.Error) then hold for
// them, as they do for the stack's own errors, while connect.CodeOf and
// errors.As(err, **connect.Error) keep working — for connect-go v1 and v2
// alike. The *errs.Error of a wire error has Op "server", the procedure and
// the server's message and details. errs.CodeOf and errs.KindOf need no
// interceptor. It also hands the idempotency level the client declares
// (connect.WithIdempotency, or the generated code's NO_SIDE_EFFECTS) to the
// retry layer through the request's context ([errs.WithIdempotent]), so
// that the stack resends such calls after a transient failure. Install it
// with connect.WithInterceptors; for connect-go v2 clients use
// [InterceptorV2].
func Interceptor() connect.Interceptor { return interceptor{} }

type interceptor struct{}

func (interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		resp, err := next(markIdempotent(ctx, req.Spec().IdempotencyLevel), req)
		return resp, bridgeError(err, req.Spec().Procedure)
	}
}

func (interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		return &streamConn{StreamingClientConn: next(markIdempotent(ctx, spec.IdempotencyLevel), spec)}
	}
}

// markIdempotent passes the idempotency level a client declared down to
// the retry layer: a call declared NO_SIDE_EFFECTS or IDEMPOTENT may be
// resent after a transient failure. connect-go v1 and v2 number their
// levels as protobuf's MethodOptions does, so one function serves both.
func markIdempotent[L ~int | ~int32](ctx context.Context, level L) context.Context {
	switch connect.IdempotencyLevel(level) {
	case connect.IdempotencyNoSideEffects, connect.IdempotencyIdempotent:
		return errs.WithIdempotent(ctx)
	}
	return ctx
}

func (interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// streamConn wraps the errors of a client stream's receive side; io.EOF
// and send-side errors (io.EOF too, by connect's contract) pass unchanged.
type streamConn struct{ connect.StreamingClientConn }

func (s *streamConn) Receive(msg any) error {
	return bridgeError(s.StreamingClientConn.Receive(msg), s.Spec().Procedure)
}

func (s *streamConn) CloseResponse() error {
	return bridgeError(s.StreamingClientConn.CloseResponse(), s.Spec().Procedure)
}
