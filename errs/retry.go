package errs

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/authwire/authwire/internal/wire"
)

// The defaults of a zero [Policy].
const (
	// DefaultMaxRetries is flytekit's rpc_retries.
	DefaultMaxRetries = 3
	// DefaultBaseBackoff is the ceiling of the first backoff wait.
	DefaultBaseBackoff = 250 * time.Millisecond
	// DefaultMaxBackoff is flyteidl's maxBackoffDelay.
	DefaultMaxBackoff = 8 * time.Second
)

// Policy says which failed calls the retry layer sends again and how long it
// waits in between. The zero Policy is the default: 3 retries, exponential
// backoff with full jitter from 250 ms up to 8 s, no per-attempt timeout.
// Values come from the admin settings maxRetries, maxBackoffDelay and
// perRetryTimeout.
type Policy struct {
	// MaxRetries is how many times a call may be sent again after its
	// first attempt: 0 means DefaultMaxRetries, a negative value none.
	MaxRetries int
	// BaseBackoff is the ceiling of the first wait, doubled for each further
	// retry; 0 means DefaultBaseBackoff.
	BaseBackoff time.Duration
	// MaxBackoff caps every wait, a server's Retry-After included (which is
	// otherwise honoured); 0 means DefaultMaxBackoff.
	MaxBackoff time.Duration
	// PerTryTimeout bounds each attempt until its response headers arrive;
	// the body, a stream's included, is read under the caller's context
	// alone. An attempt that times out counts as a transient failure. 0
	// means no per-attempt bound.
	PerTryTimeout time.Duration
	// IsIdempotent marks more requests as safe to send twice. Connect and
	// gRPC calls are POSTs, so the layer accepts on its own only GET, HEAD,
	// OPTIONS and TRACE requests (Connect GET calls among them), requests
	// with an Idempotency-Key header, calls whose context is marked by
	// [WithIdempotent] (transport.Interceptor marks those the client
	// declares free of side effects), and the calls of Flyte's read-only
	// procedures (a built-in table of flyteidl and flyteidl2 Get, List and
	// Watch methods and those marked NO_SIDE_EFFECTS or IDEMPOTENT). See
	// [IdempotentProcedures] to add more. It must not modify the request.
	// nil adds nothing.
	IsIdempotent func(*http.Request) bool
	// RetryNonIdempotent resends every replayable call after a transient
	// failure, whether or not it may have side effects: flytekit's
	// behaviour. The risk is that a call the server received and acted on
	// before the failure (its answer lost to a dropped connection, a proxy's
	// 502, a per-attempt timeout) runs twice: two executions created, two
	// events recorded. Turn it on only when every call the client makes can
	// safely run twice. false (the default) retries only idempotent calls,
	// and any call whose failure provably happened before the server saw it.
	RetryNonIdempotent bool
	// Clock measures waits and per-attempt timeouts; nil means the system
	// clock.
	Clock Clock
	// Rand returns a uniformly random number in [0, n) for jitter; nil means
	// math/rand/v2. It must be safe for concurrent use.
	Rand func(n int64) int64
	// Logger receives one Debug record per retry; nil means no logging.
	Logger *slog.Logger
}

// IdempotentProcedures returns an IsIdempotent function that accepts the
// requests whose URL path is one of the procedures
// ("/flyteidl.service.AdminService/GetTask").
func IdempotentProcedures(procedures ...string) func(*http.Request) bool {
	set := procedureSet(procedures)
	return func(req *http.Request) bool {
		_, ok := set[req.URL.Path]
		return ok
	}
}

func (p *Policy) maxRetries() int {
	switch {
	case p.MaxRetries < 0:
		return 0
	case p.MaxRetries == 0:
		return DefaultMaxRetries
	}
	return p.MaxRetries
}

func (p *Policy) clock() Clock {
	if p.Clock == nil {
		return realClock{}
	}
	return p.Clock
}

// backoff returns the wait before retry number n (1-based): full jitter
// under a ceiling that doubles from BaseBackoff, at least retryAfter, and at
// most MaxBackoff.
func (p *Policy) backoff(n int, retryAfter time.Duration) time.Duration {
	base, maxWait := p.BaseBackoff, p.MaxBackoff
	if base <= 0 {
		base = DefaultBaseBackoff
	}
	if maxWait <= 0 {
		maxWait = DefaultMaxBackoff
	}
	ceiling := min(base, maxWait)
	for i := 1; i < n && ceiling < maxWait; i++ {
		ceiling = min(2*ceiling, maxWait)
	}
	random := p.Rand
	if random == nil {
		random = rand.Int64N
	}
	wait := time.Duration(random(int64(ceiling) + 1))
	wait = min(max(wait, 0, retryAfter), maxWait)
	return wait
}

// Transport is the errs layer, the outermost of the stack (flytekit's
// wrap_exceptions_channel). It sends each request to Base and retries the
// transient failures its [Policy] allows, inside RoundTrip:
//
//   - Transient failures are Unavailable answers (HTTP 502/503/504 for
//     Connect and gRPC, grpc-status 14 in the headers of a trailers-only
//     response, a Connect error body with code "unavailable"), HTTP 429 and
//     503 for every protocol, connections lost before a response, and
//     attempts that exceeded PerTryTimeout. Unauthenticated,
//     PermissionDenied, InvalidArgument, NotFound and AlreadyExists are
//     never retried (the bearer layer below owns the one refresh on 401).
//   - Only requests that can be replayed are retried: no body, or a
//     GetBody to get a fresh copy (the body is never buffered). Of those,
//     only idempotent ones (see [Policy].IsIdempotent), or all when
//     [Policy].RetryNonIdempotent is set, are retried after
//     the server may have seen them; any of them is retried after a failure
//     that provably happened before: a refused connection, an HTTP/2
//     REFUSED_STREAM, a GOAWAY that excluded the stream.
//   - Waits grow exponentially with full jitter, honour Retry-After
//     (seconds or HTTP-date) on 429 and 503 up to MaxBackoff, and stop at
//     once when the request's context ends. A wait that would outlast the
//     context's deadline is not started: the last failure is returned.
//   - A discarded response is drained (at most 64 KiB) and closed, so its
//     connection is reused.
//
// When it gives up on a Go error, RoundTrip returns an *Error ([FromTransportError]'s
// classification, with a hint) whose Attempts and message give the count
// ("giving up after 4 attempts: …"); errors produced by the layers below
// (already *Error values) are returned as they are when there was a single
// attempt. When the last failure is a response, RoundTrip returns that
// response untouched, so that connect-go decodes the error from it; its
// attempt count is available through [AttemptsOf] and in the error
// [FromResponse] makes of it — never in the response's headers.
//
// RoundTrip never modifies the caller's request (it clones it to replay),
// closes each request body exactly once (by handing it to Base), and,
// for a request that succeeds at once, allocates nothing.
//
// Base and Policy must not be changed once the Transport is in use. A
// Transport is safe for concurrent use when Base is.
type Transport struct {
	// Base is the next hop; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Policy says what is retried; the zero Policy is the default.
	Policy Policy
}

var _ http.RoundTripper = (*Transport)(nil)

// NewRetryTransport returns the retry layer over next: a [*Transport] with
// the policy (flytekit's wrap_exceptions_channel).
func NewRetryTransport(next http.RoundTripper, policy Policy) http.RoundTripper {
	return &Transport{Base: next, Policy: policy}
}

func (t *Transport) base() http.RoundTripper {
	if t.Base == nil {
		return http.DefaultTransport
	}
	return t.Base
}

// Unwrap returns the next hop.
func (t *Transport) Unwrap() http.RoundTripper { return t.base() }

// CloseIdleConnections closes the idle connections of the next hop, when it
// has any.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RoundTrip sends req, retrying as the type's documentation says.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.base()
	resp, err, timedOut := t.attempt(next, req)
	if err == nil && resp != nil && !failed(resp) {
		return resp, nil
	}
	return t.retry(next, req, resp, err, timedOut)
}

// errAttemptTimeout is the cause of an attempt cut short by PerTryTimeout.
var errAttemptTimeout = &attemptTimeout{}

type attemptTimeout struct{}

func (*attemptTimeout) Error() string { return "errs: attempt timed out" }

// Is makes an attempt timeout match context.DeadlineExceeded.
func (*attemptTimeout) Is(target error) bool { return target == context.DeadlineExceeded }

// attempt sends req once, under PerTryTimeout when set. timedOut reports
// that the timeout cut the attempt short (err is then set).
func (t *Transport) attempt(next http.RoundTripper, req *http.Request) (resp *http.Response, err error, timedOut bool) {
	d := t.Policy.PerTryTimeout
	if d <= 0 {
		resp, err = next.RoundTrip(req)
		if err != nil && resp != nil { // a broken next hop; keep the error
			resp.Body.Close()
			resp = nil
		}
		return resp, err, false
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	stop := t.Policy.clock().AfterFunc(d, func() { cancel(errAttemptTimeout) })
	resp, err = next.RoundTrip(req.WithContext(ctx))
	if !stop() && req.Context().Err() == nil {
		// The timeout fired: whatever came back is cut short.
		if err == nil && resp != nil {
			resp.Body.Close()
		}
		cancel(nil)
		return nil, errAttemptTimeout, true
	}
	if err != nil || resp == nil {
		if resp != nil {
			resp.Body.Close()
		}
		cancel(nil)
		return nil, err, false
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: func() { cancel(nil) }}
	return resp, nil, false
}

// failed reports whether resp may be a failure worth a closer look: an
// HTTP error status, or a non-zero grpc-status in the headers. It does not
// allocate.
func failed(resp *http.Response) bool {
	if resp.StatusCode >= 400 {
		return true
	}
	v := resp.Header["Grpc-Status"]
	return len(v) > 0 && v[0] != "0"
}

// verdict is what the layer makes of a failed attempt.
type verdict struct {
	// err is the error to return when giving up on a Go error.
	err error
	// retry says the attempt may be repeated, if the request is idempotent
	// or the failure happened before the server saw it (notSent).
	retry, notSent bool
	// success says the response was no failure after all.
	success bool
	// retryAfter is the wait the server asked for, if any.
	retryAfter time.Duration
	// reason names the failure in logs and messages.
	reason string
}

// retry handles a failed first attempt.
func (t *Transport) retry(next http.RoundTripper, req *http.Request, resp *http.Response, err error, timedOut bool) (*http.Response, error) {
	ctx := req.Context()
	p := ProtocolOf(req)
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	idempotent := t.idempotent(req)
	clk := t.Policy.clock()
	maxRetries := t.Policy.maxRetries()
	if maxRetries == 0 && err == nil && resp != nil {
		return resp, nil // nothing to decide: the response goes to the caller
	}
	for attempt := 1; ; attempt++ {
		v := t.judge(req, p, resp, err, timedOut, attempt)
		if v.success {
			return resp, nil
		}
		retry := v.retry && replayable && (idempotent || v.notSent) && attempt <= maxRetries && ctx.Err() == nil
		var wait time.Duration
		if retry {
			wait = t.Policy.backoff(attempt, v.retryAfter)
			if deadline, ok := ctx.Deadline(); ok && !clk.Now().Add(wait).Before(deadline) {
				retry = false
			}
		}
		if !retry {
			if resp != nil {
				if attempt > 1 {
					resp.Body = &retriedBody{ReadCloser: resp.Body, attempts: attempt}
				}
				return resp, nil
			}
			return nil, v.err
		}
		if resp != nil {
			wire.Drain(resp)
		}
		if l := t.Policy.Logger; l != nil {
			l.LogAttrs(ctx, slog.LevelDebug, "errs: retrying",
				slog.String("procedure", procedureOf(req, p)), slog.Int("attempt", attempt+1),
				slog.Duration("wait", wait), slog.String("after", v.reason))
		}
		if serr := sleep(ctx, clk, wait); serr != nil {
			c, _ := contextCode(serr)
			return nil, &Error{Code: c, Op: "retry", Protocol: p, Procedure: procedureOf(req, p), Attempts: attempt,
				Message: "stopped waiting to retry after " + v.reason, Err: serr}
		}
		r, gerr := replay(req)
		if gerr != nil {
			return nil, &Error{Code: Unknown, Op: "retry", Protocol: p, Procedure: procedureOf(req, p), Attempts: attempt,
				Message: "cannot replay the request body after " + v.reason, Err: gerr}
		}
		resp, err, timedOut = t.attempt(next, r)
		if err == nil && resp != nil && !failed(resp) {
			return resp, nil
		}
	}
}

// judge classifies a failed attempt, the attempt-th.
func (t *Transport) judge(req *http.Request, p Protocol, resp *http.Response, err error, timedOut bool, attempt int) verdict {
	if err == nil && resp == nil {
		err = errors.New("errs: the next RoundTripper returned neither a response nor an error")
	}
	if err != nil {
		return t.judgeError(req, p, err, timedOut, attempt)
	}
	// Read no more of the body than a discarded response is drained of: an
	// error body too long for that is judged by its status.
	e := responseError(resp, p, wire.MaxDrain)
	if e == nil {
		return verdict{success: true}
	}
	v := verdict{reason: e.code().String()}
	if resp.StatusCode != http.StatusOK {
		v.reason += " (HTTP " + strconv.Itoa(resp.StatusCode) + ")"
	}
	status := resp.StatusCode
	v.retry = (status == 429 || status == 503 || e.Code == Unavailable) && !neverRetried(e.Code)
	if v.retry && (status == 429 || status == 503) {
		if ra, ok := ParseRetryAfter(headerValue(resp.Header, "Retry-After"), t.Policy.clock().Now()); ok {
			v.retryAfter = ra
		}
	}
	return v
}

// judgeError classifies a Go error from the next hop.
func (t *Transport) judgeError(req *http.Request, p Protocol, err error, timedOut bool, attempt int) verdict {
	if timedOut {
		e := &Error{Code: DeadlineExceeded, Op: "retry", Protocol: p, Procedure: procedureOf(req, p), Attempts: attempt,
			Message: "the attempt timed out after " + t.Policy.PerTryTimeout.String(),
			Hint:    "perRetryTimeout bounds each attempt; raise it, or leave it unset", Err: errAttemptTimeout}
		return verdict{err: e, retry: true, reason: "a per-attempt timeout"}
	}
	if inner, ok := errors.AsType[*Error](err); ok && inner != nil {
		// Produced by a layer below, before or instead of sending.
		v := verdict{err: err, retry: inner.code() == Unavailable, reason: inner.code().String()}
		if attempt > 1 {
			v.err = &Error{Code: inner.code(), Op: "retry", Protocol: p, Procedure: procedureOf(req, p), Attempts: attempt, Err: err}
		}
		return v
	}
	e, f := classifyTransport(req, err)
	e.Attempts = attempt
	v := verdict{err: e, retry: f != permanent, notSent: f == notSent, reason: e.code().String()}
	if e.Message != "" {
		v.reason += " (" + e.Message + ")"
	}
	return v
}

// neverRetried lists the codes that no retry can fix.
func neverRetried(c Code) bool {
	switch c {
	case Unauthenticated, PermissionDenied, InvalidArgument, NotFound, AlreadyExists:
		return true
	}
	return false
}

// idempotent reports whether req may be sent twice.
func (t *Transport) idempotent(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	if _, ok := req.Header["Idempotency-Key"]; ok {
		return true
	}
	if _, ok := req.Header["X-Idempotency-Key"]; ok {
		return true
	}
	if t.Policy.RetryNonIdempotent || IsMarkedIdempotent(req.Context()) || isFlyteRead(req) {
		return true
	}
	return t.Policy.IsIdempotent != nil && t.Policy.IsIdempotent(req)
}

// replay returns a copy of req with a fresh body.
func replay(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		b, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = b
	}
	return r, nil
}
