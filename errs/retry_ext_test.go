package errs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/errs"
)

const (
	connectURL = "http://flyte.test/flyteidl.service.AdminService/GetTask"
	restURL    = "http://flyte.test/api/v1/tasks"
	// writeURL is a procedure with side effects.
	writeURL = "http://flyte.test/flyteidl.service.AdminService/CreateExecution"
)

// connectHeaders are the headers of a Connect unary call.
var connectHeaders = []string{"Content-Type", "application/proto", "Connect-Protocol-Version", "1"}

func connectJSONError(status int, code string) step {
	return respond(status, `{"code":"`+code+`","message":"from the server"}`, "Content-Type", "application/json")
}

func TestRetryTransientThenSuccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		url    string
		kv     []string
		policy errs.Policy
		first  step
	}{
		{"REST GET 503", http.MethodGet, restURL, nil, errs.Policy{}, respond(503, "busy")},
		{"REST GET 429", http.MethodGet, restURL, nil, errs.Policy{}, respond(429, "slow down")},
		{"REST GET reset", http.MethodGet, restURL, nil, errs.Policy{}, fail(io.ErrUnexpectedEOF)},
		{"Connect GET 503", http.MethodGet, connectURL + "?connect=v1&encoding=proto&message=", nil, errs.Policy{}, connectJSONError(503, "unavailable")},
		{"Connect GET 502 from a proxy", http.MethodGet, connectURL + "?connect=v1", nil, errs.Policy{}, respond(502, "<html>bad gateway</html>", "Content-Type", "text/html")},
		{"Connect POST marked idempotent", http.MethodPost, connectURL, connectHeaders,
			errs.Policy{IsIdempotent: errs.IdempotentProcedures("/flyteidl.service.AdminService/GetTask")}, connectJSONError(503, "unavailable")},
		{"gRPC trailers-only 14, marked idempotent", http.MethodPost, connectURL, []string{"Content-Type", "application/grpc"},
			errs.Policy{IsIdempotent: func(*http.Request) bool { return true }},
			respond(200, "", "Content-Type", "application/grpc", "Grpc-Status", "14", "Grpc-Message", "down")},
		{"gRPC-Web HTTP 503, marked idempotent", http.MethodPost, connectURL, []string{"Content-Type", "application/grpc-web+proto"},
			errs.Policy{IsIdempotent: func(*http.Request) bool { return true }}, respond(503, "")},
		{"POST with Idempotency-Key", http.MethodPost, restURL, []string{"Idempotency-Key", "k1"}, errs.Policy{}, respond(503, "")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock(true)
			tc.policy.Clock, tc.policy.Rand = clk, maxRand
			s := newScript(tc.first, tc.first, respond(200, "ok"))
			payload := ""
			if tc.method == http.MethodPost {
				payload = "payload"
			}
			req, bodies := newRequest(t, tc.method, tc.url, payload, true, tc.kv...)
			resp, err := errs.NewRetryTransport(s, tc.policy).RoundTrip(req)
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			if got := readAll(t, resp); got != "ok" {
				t.Errorf("body %q, want ok", got)
			}
			if s.calls() != 3 {
				t.Errorf("%d attempts, want 3", s.calls())
			}
			if diff := cmp.Diff([]time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, clk.recorded()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			for i, b := range s.bodies {
				if b != payload {
					t.Errorf("attempt %d sent body %q, want %q", i+1, b, payload)
				}
			}
			bodies.check(t)
		})
	}
}

func TestRetryGivesUp(t *testing.T) {
	t.Parallel()
	refused := refusedErr(t)
	tests := []struct {
		name         string
		maxRetries   int
		attempts     int
		last         step
		wantResponse bool
	}{
		{"default, response", 0, 4, respond(503, "still down"), true},
		{"default, Go error", 0, 4, fail(refused), false},
		{"one retry", 1, 2, respond(503, "still down"), true},
		{"retries off", -1, 1, fail(refused), false},
		{"retries off, response", -1, 1, respond(503, "still down"), true},
		{"ten", 10, 11, fail(refused), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newScript(tc.last)
			rt := errs.NewRetryTransport(s, errs.Policy{MaxRetries: tc.maxRetries, Clock: newFakeClock(true), Rand: zeroRand})
			req, _ := newRequest(t, http.MethodGet, restURL, "", true)
			resp, err := rt.RoundTrip(req)
			if s.calls() != tc.attempts {
				t.Errorf("%d attempts, want %d", s.calls(), tc.attempts)
			}
			var msg string
			if tc.wantResponse {
				if err != nil {
					t.Fatalf("RoundTrip error %v, want the last response", err)
				}
				if got := errs.AttemptsOf(resp); got != tc.attempts {
					t.Errorf("AttemptsOf = %d, want %d", got, tc.attempts)
				}
				ferr := errs.FromResponse(resp)
				if errs.CodeOf(ferr) != errs.Unavailable {
					t.Errorf("FromResponse code %v, want unavailable", errs.CodeOf(ferr))
				}
				msg = ferr.Error()
				if got := readAll(t, resp); got != "still down" {
					t.Errorf("body %q after FromResponse, want it whole", got)
				}
			} else {
				if resp != nil {
					t.Fatalf("got a response, want an error")
				}
				e, ok := errors.AsType[*errs.Error](err)
				if !ok {
					t.Fatalf("error %T, want *errs.Error", err)
				}
				if e.Attempts != tc.attempts || e.Code != errs.Unavailable || e.Hint == "" {
					t.Errorf("Attempts %d code %v hint %q; want %d, unavailable and a hint", e.Attempts, e.Code, e.Hint, tc.attempts)
				}
				if !strings.Contains(e.Hint, "endpoint") {
					t.Errorf("hint %q does not name endpoint", e.Hint)
				}
				msg = err.Error()
			}
			want := "giving up after"
			if tc.attempts == 1 {
				if strings.Contains(msg, want) {
					t.Errorf("error %q speaks of giving up after a single attempt", msg)
				}
				return
			}
			if wantFull := "giving up after " + strconv.Itoa(tc.attempts) + " attempts"; !strings.Contains(msg, wantFull) {
				t.Errorf("error %q lacks %q", msg, wantFull)
			}
		})
	}
}

func TestRetryOnlyIdempotentUnlessNotSent(t *testing.T) {
	t.Parallel()
	refused := refusedErr(t)
	tests := []struct {
		name     string
		method   string
		url      string
		kv       []string
		first    step
		attempts int
	}{
		{"Connect POST 503", http.MethodPost, writeURL, connectHeaders, connectJSONError(503, "unavailable"), 1},
		{"Connect POST refused connection", http.MethodPost, writeURL, connectHeaders, fail(refused), 2},
		{"gRPC POST grpc-status 14", http.MethodPost, writeURL, []string{"Content-Type", "application/grpc"},
			respond(200, "", "Content-Type", "application/grpc", "Grpc-Status", "14"), 1},
		{"gRPC POST REFUSED_STREAM", http.MethodPost, writeURL, []string{"Content-Type", "application/grpc"},
			fail(errors.New("stream error: stream ID 3; REFUSED_STREAM; received from peer")), 2},
		{"gRPC POST GOAWAY before processing", http.MethodPost, writeURL, []string{"Content-Type", "application/grpc"},
			fail(errors.New("http2: Transport received Server's graceful shutdown GOAWAY")), 2},
		{"gRPC POST GOAWAY after processing", http.MethodPost, writeURL, []string{"Content-Type", "application/grpc"},
			fail(errors.New(`http2: server sent GOAWAY and closed the connection; LastStreamID=5, ErrCode=NO_ERROR, debug=""`)), 1},
		{"REST POST reset", http.MethodPost, restURL, nil, fail(io.ErrUnexpectedEOF), 1},
		{"REST POST 429", http.MethodPost, restURL, nil, respond(429, ""), 1},
		{"REST POST refused connection", http.MethodPost, restURL, nil, fail(refused), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newScript(tc.first, respond(200, "ok"))
			req, bodies := newRequest(t, tc.method, tc.url, "payload", true, tc.kv...)
			resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true), Rand: zeroRand}).RoundTrip(req)
			if s.calls() != tc.attempts {
				t.Errorf("%d attempts, want %d", s.calls(), tc.attempts)
			}
			if resp != nil {
				readAll(t, resp)
			}
			if tc.attempts == 2 && err != nil {
				t.Errorf("RoundTrip: %v", err)
			}
			bodies.check(t)
		})
	}
}

func TestRetryNeverFixesTheseCodes(t *testing.T) {
	t.Parallel()
	grpc := func(code string) step {
		return respond(200, "", "Content-Type", "application/grpc", "Grpc-Status", code)
	}
	tests := []struct {
		name string
		kv   []string
		resp step
		want errs.Code
	}{
		{"REST 401", nil, respond(401, ""), errs.Unauthenticated},
		{"REST 403", nil, respond(403, ""), errs.PermissionDenied},
		{"REST 400", nil, respond(400, ""), errs.InvalidArgument},
		{"REST 404", nil, respond(404, ""), errs.NotFound},
		{"REST 409", nil, respond(409, ""), errs.AlreadyExists},
		{"REST 503 whose body says not found", nil, respond(503, `{"code":5,"message":"no such task"}`, "Content-Type", "application/json"), errs.NotFound},
		{"REST 429 whose body says invalid", nil, respond(429, `{"code":3}`, "Content-Type", "application/json"), errs.InvalidArgument},
		{"gRPC 16", []string{"Content-Type", "application/grpc"}, grpc("16"), errs.Unauthenticated},
		{"gRPC 7", []string{"Content-Type", "application/grpc"}, grpc("7"), errs.PermissionDenied},
		{"gRPC 3", []string{"Content-Type", "application/grpc"}, grpc("3"), errs.InvalidArgument},
		{"gRPC 5", []string{"Content-Type", "application/grpc"}, grpc("5"), errs.NotFound},
		{"gRPC 6", []string{"Content-Type", "application/grpc"}, grpc("6"), errs.AlreadyExists},
		{"Connect 401", connectHeaders, connectJSONError(401, "unauthenticated"), errs.Unauthenticated},
		{"Connect 404 not_found", connectHeaders, connectJSONError(404, "not_found"), errs.NotFound},
		{"Connect 409", connectHeaders, connectJSONError(409, "already_exists"), errs.AlreadyExists},
		{"Connect 504 deadline", connectHeaders, connectJSONError(504, "deadline_exceeded"), errs.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newScript(tc.resp, respond(200, "ok"))
			// Every request here is marked idempotent: only the code stops
			// the retry.
			p := errs.Policy{Clock: newFakeClock(true), IsIdempotent: func(*http.Request) bool { return true }}
			req, _ := newRequest(t, http.MethodPost, connectURL, "x", true, tc.kv...)
			resp, err := errs.NewRetryTransport(s, p).RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			if s.calls() != 1 {
				t.Errorf("%d attempts, want 1", s.calls())
			}
			if got := errs.CodeOf(errs.FromResponse(resp)); got != tc.want {
				t.Errorf("code %v, want %v", got, tc.want)
			}
			readAll(t, resp)
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		first func(now time.Time) step
		want  time.Duration
	}{
		{"seconds", func(time.Time) step { return respond(429, "", "Retry-After", "2") }, 2 * time.Second},
		{"HTTP-date", func(now time.Time) step {
			return respond(503, "", "Retry-After", now.Add(3*time.Second).UTC().Format(http.TimeFormat))
		}, 3 * time.Second},
		{"capped at MaxBackoff", func(time.Time) step { return respond(503, "", "Retry-After", "120") }, 8 * time.Second},
		{"malformed is ignored", func(time.Time) step { return respond(503, "", "Retry-After", "soon") }, 0},
		{"only on 429 and 503", func(time.Time) step {
			return respond(502, "", "Retry-After", "5", "Content-Type", "text/html")
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock(true)
			s := newScript(tc.first(clk.Now()), respond(200, "ok"))
			req, _ := newRequest(t, http.MethodGet, connectURL+"?connect=v1", "", true)
			resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: clk, Rand: zeroRand}).RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, resp)
			got := clk.recorded()
			if tc.want == 0 && len(got) == 0 {
				return // no wait at all
			}
			if len(got) != 1 {
				t.Fatalf("waits %v, want one", got)
			}
			// An HTTP-date has a resolution of one second.
			if d := got[0] - tc.want; d > time.Second || d < -time.Second {
				t.Errorf("waited %v, want %v", got[0], tc.want)
			}
		})
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(false)
	s := newScript(respond(503, "down"))
	ctx, cancel := context.WithCancel(t.Context())
	req, bodies := newRequest(t, http.MethodPut, restURL, "payload", true, "Idempotency-Key", "k")
	req = req.WithContext(ctx)
	done := make(chan error, 1)
	go func() {
		resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: clk}).RoundTrip(req)
		if resp != nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-clk.waits // the layer waits before its first retry
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || errs.CodeOf(err) != errs.Canceled {
		t.Errorf("error %v (code %v), want a Canceled error matching context.Canceled", err, errs.CodeOf(err))
	}
	if s.calls() != 1 {
		t.Errorf("%d attempts, want 1", s.calls())
	}
	if !strings.Contains(err.Error(), "unavailable") {
		t.Errorf("error %q does not say what failed before", err)
	}
	bodies.check(t)
}

func TestRetryNotStartedPastDeadline(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(true)
	ctx, cancel := context.WithDeadline(t.Context(), clk.Now().Add(time.Second))
	defer cancel()
	s := newScript(respond(503, "down", "Retry-After", "5"))
	req, _ := newRequest(t, http.MethodGet, restURL, "", true)
	resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: clk}).RoundTrip(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("RoundTrip error %v, want the 503 itself", err)
	}
	if resp.StatusCode != 503 || s.calls() != 1 || len(clk.recorded()) != 0 {
		t.Errorf("status %d after %d attempts and waits %v; want the first 503 at once", resp.StatusCode, s.calls(), clk.recorded())
	}
	readAll(t, resp)
}

func TestRetryNeedsGetBody(t *testing.T) {
	t.Parallel()
	s := newScript(respond(503, ""), respond(200, "ok"))
	req, bodies := newRequest(t, http.MethodPut, restURL, "payload", false, "Idempotency-Key", "k")
	resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true)}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if s.calls() != 1 || resp.StatusCode != 503 {
		t.Errorf("%d attempts, status %d; want one attempt and its 503", s.calls(), resp.StatusCode)
	}
	bodies.check(t)
}

func TestRetryLeavesCallerRequestAlone(t *testing.T) {
	t.Parallel()
	s := newScript(respond(503, ""), respond(200, "ok"))
	req, bodies := newRequest(t, http.MethodGet, restURL+"?q=1", "payload", true, "X-Caller", "a")
	body := req.Body
	header := req.Header.Clone()
	resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true)}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if req.Body != body || !cmp.Equal(header, req.Header) || req.URL.String() != restURL+"?q=1" {
		t.Errorf("the caller's request changed")
	}
	if s.reqs[1] == req {
		t.Errorf("the retry reused the caller's request instead of a clone")
	}
	if s.reqs[1].Context() != req.Context() {
		t.Errorf("the retry lost the caller's context")
	}
	bodies.check(t)
}

func TestRetryDrainsDiscardedResponses(t *testing.T) {
	t.Parallel()
	small := newResponse(503, "short body")
	big := newResponse(503, strings.Repeat("x", 1<<20))
	sb, bb := small.Body.(*trackedBody), big.Body.(*trackedBody)
	s := newScript(
		func(*http.Request) (*http.Response, error) { return small, nil },
		func(*http.Request) (*http.Response, error) { return big, nil },
		respond(200, "ok"))
	req, _ := newRequest(t, http.MethodGet, restURL, "", true)
	resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true)}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if sb.read.Load() != int64(len("short body")) || sb.closes.Load() != 1 {
		t.Errorf("small body: read %d, closed %d times; want read whole, closed once", sb.read.Load(), sb.closes.Load())
	}
	if n := bb.read.Load(); n > 64<<10+4096 || bb.closes.Load() != 1 {
		t.Errorf("big body: read %d bytes, closed %d times; want at most 64 KiB, closed once", n, bb.closes.Load())
	}
}

func TestPerTryTimeout(t *testing.T) {
	t.Parallel()
	hang := func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	t.Run("a timed out attempt is retried", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock(false)
		s := newScript(hang, respond(200, "ok"))
		req, _ := newRequest(t, http.MethodGet, restURL, "", true)
		type result struct {
			resp *http.Response
			err  error
		}
		done := make(chan result, 1)
		go func() {
			resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: clk, PerTryTimeout: 15 * time.Second, Rand: zeroRand}).RoundTrip(req)
			done <- result{resp, err}
		}()
		if d := <-clk.waits; d != 15*time.Second {
			t.Errorf("attempt bounded by %v, want 15s", d)
		}
		clk.Advance(15 * time.Second)
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		readAll(t, r.resp)
		if s.calls() != 2 {
			t.Errorf("%d attempts, want 2", s.calls())
		}
	})
	t.Run("every attempt times out", func(t *testing.T) {
		t.Parallel()
		s := newScript(hang)
		req, _ := newRequest(t, http.MethodGet, restURL, "", true)
		_, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true), PerTryTimeout: time.Second}).RoundTrip(req)
		if errs.CodeOf(err) != errs.DeadlineExceeded || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want DeadlineExceeded", err)
		}
		if !strings.Contains(err.Error(), "giving up after 4 attempts") || !strings.Contains(err.Error(), "perRetryTimeout") {
			t.Errorf("error %q lacks the attempt count or the setting", err)
		}
	})
	t.Run("the bound ends with the headers", func(t *testing.T) {
		t.Parallel()
		clk := newFakeClock(false)
		var attemptCtx context.Context
		s := newScript(func(r *http.Request) (*http.Response, error) {
			attemptCtx = r.Context()
			return newResponse(200, "streamed body"), nil
		})
		req, _ := newRequest(t, http.MethodGet, restURL, "", true)
		resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: clk, PerTryTimeout: time.Second}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		if attemptCtx.Err() != nil {
			t.Fatalf("the attempt's context ended after the headers: %v", attemptCtx.Err())
		}
		if got := readAll(t, resp); got != "streamed body" {
			t.Errorf("body %q", got)
		}
		if attemptCtx.Err() == nil {
			t.Errorf("closing the body left the attempt's context alive")
		}
	})
}

func TestRetryOfErrorsFromBelow(t *testing.T) {
	t.Parallel()
	t.Run("configuration error, returned as is", func(t *testing.T) {
		t.Parallel()
		cfg := &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "no token endpoint"}
		s := newScript(fail(cfg))
		req, _ := newRequest(t, http.MethodGet, restURL, "", true)
		_, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true)}).RoundTrip(req)
		if e, _ := errors.AsType[*errs.Error](err); e != cfg || s.calls() != 1 {
			t.Errorf("error %v after %d attempts; want the same error after 1", err, s.calls())
		}
	})
	t.Run("token endpoint unavailable, retried for GET", func(t *testing.T) {
		t.Parallel()
		down := &errs.Error{Code: errs.Unavailable, Op: "authn", Message: "token request failed"}
		s := newScript(fail(down))
		req, _ := newRequest(t, http.MethodGet, restURL, "", true)
		_, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true)}).RoundTrip(req)
		e, _ := errors.AsType[*errs.Error](err)
		if s.calls() != 4 || e == nil || e.Attempts != 4 || !errors.Is(err, errs.ErrUnavailable) {
			t.Fatalf("error %v after %d attempts; want unavailable after 4", err, s.calls())
		}
		if inner, _ := errors.AsType[*errs.Error](e.Err); inner != down {
			t.Errorf("the cause is lost")
		}
	})
	t.Run("token rejected, never retried", func(t *testing.T) {
		t.Parallel()
		rejected := &errs.Error{Code: errs.Unauthenticated, Op: "authn", Message: `token request for client "app" rejected: invalid_client`}
		s := newScript(fail(rejected))
		req, _ := newRequest(t, http.MethodGet, restURL, "", true)
		_, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true)}).RoundTrip(req)
		if e, _ := errors.AsType[*errs.Error](err); e != rejected || s.calls() != 1 || errs.KindOf(err) != errs.KindAuthentication {
			t.Errorf("error %v after %d attempts; want the Authentication error after 1", err, s.calls())
		}
	})
}

func TestRetryLogs(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newScript(respond(503, ""), respond(503, ""), respond(200, "ok"))
	req, _ := newRequest(t, http.MethodGet, restURL+"?token=abc", "", true)
	resp, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true), Logger: log}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	mu.Lock()
	defer mu.Unlock()
	out := buf.String()
	if n := strings.Count(out, "errs: retrying"); n != 2 {
		t.Errorf("%d retry records, want 2:\n%s", n, out)
	}
	if strings.Contains(out, "token=abc") {
		t.Errorf("the log holds the URL query:\n%s", out)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestTransportForwards(t *testing.T) {
	t.Parallel()
	base := &idleCloser{}
	rt := errs.NewRetryTransport(base, errs.Policy{})
	rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	if base.closed != 1 {
		t.Errorf("CloseIdleConnections was not forwarded")
	}
	if got := rt.(interface{ Unwrap() http.RoundTripper }).Unwrap(); got != base {
		t.Errorf("Unwrap = %v, want the base", got)
	}
	if got := (&errs.Transport{}).Unwrap(); got != http.DefaultTransport {
		t.Errorf("a nil Base unwraps to %v, want http.DefaultTransport", got)
	}
}

type idleCloser struct{ closed int }

func (*idleCloser) RoundTrip(*http.Request) (*http.Response, error) { return nil, errors.New("unused") }
func (c *idleCloser) CloseIdleConnections()                         { c.closed++ }

// okTransport answers every request with the same response, without
// allocating.
type okTransport struct{ resp *http.Response }

func (o okTransport) RoundTrip(*http.Request) (*http.Response, error) { return o.resp, nil }

func TestSuccessAllocatesNothing(t *testing.T) {
	ok := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/grpc"}, "Grpc-Status": {"0"}}, Body: http.NoBody}
	rt := errs.NewRetryTransport(okTransport{ok}, errs.Policy{})
	req, err := http.NewRequest(http.MethodPost, connectURL, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/grpc")
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a first-try success allocates %v times, want 0", allocs)
	}
}

func TestRetryConcurrentUse(t *testing.T) {
	t.Parallel()
	s := newScript(respond(503, ""), respond(200, "ok"))
	rt := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true)})
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, restURL, nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	}
	wg.Wait()
}
