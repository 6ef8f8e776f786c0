package authtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
)

// guard runs what happens to every call of the protected service (RPC or
// REST) before its handler: it counts the attempt, waits the configured
// latency, checks the bearer token and applies an injected failure. A call
// whose context ends during the latency is counted as abandoned and goes no
// further. The error it returns is a *connect.Error.
func (s *Server) guard(ctx context.Context, header http.Header) error {
	s.counters.inc(&s.counters.attempts)
	if d := s.knobs.getLatency(); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
			s.counters.inc(&s.counters.abandoned)
			code := connect.CodeCanceled
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				code = connect.CodeDeadlineExceeded
			}
			return connect.NewError(code, ctx.Err())
		}
	}
	if err := s.checkBearer(header); err != nil {
		s.counters.inc(&s.counters.unauthenticated)
		return err
	}
	if code, ok := s.knobs.takeCallFailure(); ok {
		return connect.NewError(code, errors.New("authtest: injected failure"))
	}
	return nil
}

// checkBearer checks the "Bearer <token>" value of the configured metadata
// key. A missing value passes only with WithAnonymous.
func (s *Server) checkBearer(header http.Header) error {
	value := header.Get(s.set.authKey)
	if value == "" {
		if s.set.anonymous {
			return nil
		}
		return connect.NewError(connect.CodeUnauthenticated, errors.New("authtest: missing bearer token"))
	}
	scheme, token, ok := strings.Cut(value, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return connect.NewError(connect.CodeUnauthenticated, errors.New("authtest: malformed bearer token"))
	}
	if !s.tokens.validAccess(token) {
		return connect.NewError(connect.CodeUnauthenticated, errors.New("authtest: invalid or expired token"))
	}
	return nil
}

// guardedKey marks a request context whose call already passed guard.
type guardedKey struct{}

// authInterceptor applies guard to unary and streaming handlers, so each
// protocol reports a failure in connect-go's own shape.
type authInterceptor struct{ s *Server }

var _ connect.Interceptor = authInterceptor{}

func (i authInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if ctx.Value(guardedKey{}) == nil {
			if err := i.s.guard(ctx, req.Header()); err != nil {
				return nil, err
			}
		}
		return next(ctx, req)
	}
}

func (authInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i authInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if ctx.Value(guardedKey{}) == nil {
			if err := i.s.guard(ctx, conn.RequestHeader()); err != nil {
				return err
			}
		}
		return next(ctx, conn)
	}
}

// trailersOnly wraps the protected service so that, with WithTrailersOnly,
// gRPC and gRPC-Web calls that fail guard are answered as grpc-go answers an
// error before any message: HTTP 200, grpc-status and grpc-message in the
// headers, no body.
func (s *Server) trailersOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.set.trailersOnly || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
			next.ServeHTTP(w, r)
			return
		}
		if err := s.guard(r.Context(), r.Header); err != nil {
			h := w.Header()
			h.Set("Content-Type", r.Header.Get("Content-Type"))
			h.Set("Grpc-Status", strconv.Itoa(int(connect.CodeOf(err))))
			h.Set("Grpc-Message", grpcPercentEncode(errorMessage(err)))
			w.WriteHeader(http.StatusOK)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), guardedKey{}, true)))
	})
}

// errorMessage is the message of a *connect.Error without the code prefix.
func errorMessage(err error) string {
	var cerr *connect.Error
	if errors.As(err, &cerr) {
		return cerr.Message()
	}
	return err.Error()
}

// grpcPercentEncode encodes a grpc-message value as the gRPC HTTP/2 spec
// asks: bytes outside printable ASCII, and '%', become %XX.
func grpcPercentEncode(msg string) string {
	var b strings.Builder
	for i := range len(msg) {
		c := msg[i]
		if c < ' ' || c > '~' || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
