package errs

import "context"

// idempotentKey is the context key of [WithIdempotent].
type idempotentKey struct{}

// WithIdempotent returns a copy of ctx that marks the call made with it as
// safe to send twice: free of side effects, or idempotent. The retry layer
// ([Transport]) then resends it after a transient failure, as it does GET
// requests, even though Connect and gRPC calls are POSTs. A connect
// interceptor calls it with the level the client declared
// (connect.WithIdempotency, or NO_SIDE_EFFECTS and IDEMPOTENT in the
// generated code's Spec().IdempotencyLevel) before it hands the context on;
// transport.Interceptor does so. Mark only calls that may safely reach the
// server twice.
func WithIdempotent(ctx context.Context) context.Context {
	if IsMarkedIdempotent(ctx) {
		return ctx
	}
	return context.WithValue(ctx, idempotentKey{}, true)
}

// IsMarkedIdempotent reports whether ctx was marked by [WithIdempotent].
func IsMarkedIdempotent(ctx context.Context) bool {
	v, _ := ctx.Value(idempotentKey{}).(bool)
	return v
}
