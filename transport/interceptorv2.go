package transport

import (
	"context"

	connectv2 "connectrpc.com/connect/v2"
)

// InterceptorV2 is [Interceptor] for connect-go v2 clients: a
// connect.ClientInterceptor, installed with connect.NewClient(transport,
// transport.InterceptorV2()). With it, the errors a v2 client decodes from
// the wire are authwire errors as well (errors.Is(err, errs.ErrNotFound),
// errors.As(err, **errs.Error)), while v2's connect.CodeOf and
// errors.As(err, **connect.Error) keep working, and the idempotency level
// the client declares reaches the retry layer. Errors that the stack
// raises itself need no interceptor. Both interceptors build their errors
// in one place, so a v1 and a v2 client see the same error for the same
// failure.
func InterceptorV2() connectv2.ClientInterceptor { return interceptV2 }

func interceptV2(next connectv2.ClientFunc) connectv2.ClientFunc {
	return func(ctx context.Context, spec connectv2.Spec) (connectv2.ClientStream, error) {
		stream, err := next(markIdempotent(ctx, spec.IdempotencyLevel), spec)
		if err != nil {
			return nil, bridgeError(err, spec.Procedure)
		}
		return &streamV2{ClientStream: stream, procedure: spec.Procedure}, nil
	}
}

// streamV2 bridges every error of a v2 client stream; the io.EOF that ends
// a receive side and every error that is not a connect error pass
// unchanged.
type streamV2 struct {
	connectv2.ClientStream
	procedure string
}

func (s *streamV2) SendHeaders() error { return bridgeError(s.ClientStream.SendHeaders(), s.procedure) }
func (s *streamV2) Send(msg any) error { return bridgeError(s.ClientStream.Send(msg), s.procedure) }
func (s *streamV2) CloseSend() error   { return bridgeError(s.ClientStream.CloseSend(), s.procedure) }
func (s *streamV2) Receive(msg any) error {
	return bridgeError(s.ClientStream.Receive(msg), s.procedure)
}
func (s *streamV2) Close() error { return bridgeError(s.ClientStream.Close(), s.procedure) }
