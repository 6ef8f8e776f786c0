package transport

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/errs"
)

// Interceptor returns a connect interceptor for clients that makes the
// errors connect decodes from the wire authwire errors as well: errors.Is
// (err, errs.ErrNotFound) and errors.As(err, **errs.Error) then hold for
// them, as they do for the stack's own errors, while connect.CodeOf and
// errors.As(err, **connect.Error) keep working. errs.CodeOf and errs.KindOf
// need no interceptor. It also hands the idempotency level the client
// declares (connect.WithIdempotency, or the generated code's
// NO_SIDE_EFFECTS) to the retry layer through the request's context
// ([errs.WithIdempotent]), so that the stack resends such calls after a
// transient failure. Install it with connect.WithInterceptors.
func Interceptor() connect.Interceptor { return interceptor{} }

type interceptor struct{}

func (interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		resp, err := next(markIdempotent(ctx, req.Spec()), req)
		return resp, wireError(err, req.Spec().Procedure)
	}
}

func (interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		return &streamConn{StreamingClientConn: next(markIdempotent(ctx, spec), spec)}
	}
}

// markIdempotent passes the idempotency level the client declared down to
// the retry layer.
func markIdempotent(ctx context.Context, spec connect.Spec) context.Context {
	if spec.IdempotencyLevel == connect.IdempotencyNoSideEffects || spec.IdempotencyLevel == connect.IdempotencyIdempotent {
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
	return wireError(s.StreamingClientConn.Receive(msg), s.Spec().Procedure)
}

func (s *streamConn) CloseResponse() error {
	return wireError(s.StreamingClientConn.CloseResponse(), s.Spec().Procedure)
}

// dualError is a *connect.Error and an *errs.Error at once.
type dualError struct {
	ce *connect.Error
	e  *errs.Error
}

func (d *dualError) Error() string   { return d.ce.Error() }
func (d *dualError) Unwrap() []error { return []error{d.ce, d.e} }

func wireError(err error, procedure string) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*errs.Error](err); ok {
		return err
	}
	ce, ok := errors.AsType[*connect.Error](err)
	if !ok {
		return err
	}
	return &dualError{ce: ce, e: &errs.Error{Code: errs.Code(ce.Code()), Op: "rpc", Message: ce.Message(), Procedure: procedure}}
}
