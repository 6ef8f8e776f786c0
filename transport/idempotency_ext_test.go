package transport_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"

	"connectrpc.com/connect"
	connectv2 "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

// markRecorder answers every request with an error and records whether its
// context carried the idempotency mark.
type markRecorder struct {
	mu    sync.Mutex
	marks []bool
}

func (m *markRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	m.mu.Lock()
	m.marks = append(m.marks, errs.IsMarkedIdempotent(req.Context()))
	m.mu.Unlock()
	return nil, errors.New("recorded")
}

func TestInterceptorPassesTheDeclaredIdempotency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   []connect.ClientOption
		stream bool
		want   bool
	}{
		{"unary, no side effects", []connect.ClientOption{connect.WithIdempotency(connect.IdempotencyNoSideEffects)}, false, true},
		{"unary, idempotent", []connect.ClientOption{connect.WithIdempotency(connect.IdempotencyIdempotent)}, false, true},
		{"unary, unknown", nil, false, false},
		{"server stream, no side effects", []connect.ClientOption{connect.WithIdempotency(connect.IdempotencyNoSideEffects)}, true, true},
		{"server stream, unknown", nil, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &markRecorder{}
			opts := append([]connect.ClientOption{connect.WithInterceptors(transport.Interceptor())}, tc.opts...)
			c := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](&http.Client{Transport: rec}, "http://flyte.test/acme.v1.Store/Lookup", opts...)
			if tc.stream {
				s, err := c.CallServerStream(t.Context(), connect.NewRequest(wrapperspb.String("x")))
				if err == nil {
					for s.Receive() {
					}
					s.Close()
				}
			} else {
				_, _ = c.CallUnary(t.Context(), connect.NewRequest(wrapperspb.String("x")))
			}
			if len(rec.marks) != 1 || rec.marks[0] != tc.want {
				t.Errorf("marks %v, want [%v]", rec.marks, tc.want)
			}
		})
	}
}

// TestStackRetriesWhatIsDeclaredSafe sends a call the server first answers
// Unavailable: the stack resends it only when the client declares it free of
// side effects (through Interceptor), WithIdempotentProcedures lists it (in
// addition to a policy's own IsIdempotent) or WithRetryNonIdempotent is set.
// (A Connect call with no side effects would be retried as an HTTP GET too,
// with connect.WithHTTPGet; these calls are POSTs.)
func TestStackRetriesWhatIsDeclaredSafe(t *testing.T) {
	t.Parallel()
	noWait := errs.Policy{Rand: func(int64) int64 { return 0 }}
	tests := []struct {
		name    string
		opts    []transport.Option
		client  []connect.ClientOption
		wantErr bool
	}{
		{"undeclared", nil, nil, true},
		{"declared without the interceptor", nil, []connect.ClientOption{connect.WithIdempotency(connect.IdempotencyNoSideEffects)}, true},
		{"declared, with the interceptor", nil, []connect.ClientOption{
			connect.WithIdempotency(connect.IdempotencyNoSideEffects), connect.WithInterceptors(transport.Interceptor())}, false},
		{"WithRetryNonIdempotent", []transport.Option{transport.WithRetryNonIdempotent()}, nil, false},
		{"WithIdempotentProcedures", []transport.Option{transport.WithIdempotentProcedures(authtest.TestServiceUnaryProcedure)}, nil, false},
		{"WithIdempotentProcedures adds to the policy's IsIdempotent", []transport.Option{
			transport.WithRetryPolicy(errs.Policy{Rand: noWait.Rand, IsIdempotent: errs.IdempotentProcedures("/other.Service/Get")}),
			transport.WithIdempotentProcedures(authtest.TestServiceUnaryProcedure)}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t)
			c := newClient(t, platform(srv), append([]transport.Option{transport.WithRetryPolicy(noWait)}, tc.opts...)...)
			for _, p := range protocols {
				if p.name == "grpc" {
					// connect-go's gRPC handler sends the status in the
					// HTTP trailers, which the retry layer cannot see.
					continue
				}
				tc2 := authtest.NewTestClient(c, srv.URL(), append(p.opts, tc.client...)...)
				srv.FailNext(1, connect.CodeUnavailable)
				err := unary(t.Context(), tc2, "x")
				if (err != nil) != tc.wantErr {
					t.Errorf("%s: err = %v, want an error: %v", p.name, err, tc.wantErr)
				}
				if err != nil && connect.CodeOf(err) != connect.CodeUnavailable {
					t.Errorf("%s: code %v, want unavailable", p.name, connect.CodeOf(err))
				}
				srv.FailNext(0, connect.CodeUnavailable)
			}
		})
	}
}

// TestInterceptorV2PassesTheDeclaredIdempotency: InterceptorV2 marks the
// context of a call whose Spec declares it free of side effects, as
// Interceptor does for connect-go v1.
func TestInterceptorV2PassesTheDeclaredIdempotency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		level connectv2.IdempotencyLevel
		want  bool
	}{
		{"no side effects", connectv2.IdempotencyNoSideEffects, true},
		{"idempotent", connectv2.IdempotencyIdempotent, true},
		{"unknown", connectv2.IdempotencyUnknown, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &markRecorder{}
			c := connectv2.NewClient(connecthttp.NewTransport(&http.Client{Transport: rec}, "http://flyte.test"), transport.InterceptorV2())
			spec := connectv2.Spec{StreamType: connectv2.StreamTypeUnary, Procedure: "/acme.v1.Store/Lookup", IdempotencyLevel: tc.level}
			_ = c.CallUnary(t.Context(), spec, wrapperspb.String("x"), new(wrapperspb.StringValue))
			if len(rec.marks) != 1 || rec.marks[0] != tc.want {
				t.Errorf("marks %v, want [%v]", rec.marks, tc.want)
			}
		})
	}
}
