package errs_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authwire/authwire/errs"
)

func quietServer(t *testing.T, h http.Handler, tlsMode string, protos ...func(*http.Protocols)) *httptest.Server {
	t.Helper()
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if len(protos) > 0 {
		p := new(http.Protocols)
		for _, f := range protos {
			f(p)
		}
		srv.Config.Protocols = p
	}
	switch tlsMode {
	case "tls":
		srv.StartTLS()
	case "mtls":
		// TLS 1.2, where the refusal arrives during the handshake rather
		// than racing the request's first write.
		srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert, MaxVersion: tls.VersionTLS12}
		srv.StartTLS()
	default:
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

func trusting(srv *httptest.Server) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &tls.Config{RootCAs: pool}
}

func h2cOnly() *http.Protocols {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return p
}

func TestTransportFailures(t *testing.T) {
	t.Parallel()
	tlsSrv := quietServer(t, nil, "tls")
	mtlsSrv := quietServer(t, nil, "mtls")
	plainSrv := quietServer(t, nil, "")
	block := make(chan struct{})
	slowSrv := quietServer(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-block }), "")
	t.Cleanup(func() { close(block) }) // before slowSrv.Close, which waits for its handlers
	proxy407 := quietServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusProxyAuthRequired)
	}), "")
	refused := refusedErr(t)
	refusedOp, _ := errors.AsType[*net.OpError](refused)
	closedAddr := refusedOp.Addr.String()
	proxySecret := secret(t, "pw-")
	querySecret := secret(t, "q-")
	https := func(s *httptest.Server) string { return strings.Replace(s.URL, "http://", "https://", 1) }
	http_ := func(s *httptest.Server) string { return strings.Replace(s.URL, "https://", "http://", 1) }
	proxyURL := func(host string) func(*http.Request) (*url.URL, error) {
		return http.ProxyURL(&url.URL{Scheme: "http", User: url.UserPassword("user", proxySecret), Host: host})
	}

	tests := []struct {
		name      string
		base      http.RoundTripper
		url       string
		code      errs.Code
		hint      []string
		attempts  int // with a POST that is not idempotent and the default policy; 0: 1 to 4, depending on timing
		cancelled bool
	}{
		{"unknown authority", &http.Transport{}, tlsSrv.URL, errs.Unavailable, []string{"caCertFilePath", "insecureSkipVerify"}, 1, false},
		{"name mismatch", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trusting(tlsSrv).RootCAs, ServerName: "flyte.internal"}},
			tlsSrv.URL, errs.Unavailable, []string{"example.com", "endpoint"}, 1, false},
		{"client certificate wanted", &http.Transport{TLSClientConfig: trusting(mtlsSrv)}, mtlsSrv.URL, errs.Unavailable, []string{"client certificate"}, 1, false},
		{"TLS to a cleartext server", &http.Transport{TLSClientConfig: trusting(tlsSrv)}, https(plainSrv), errs.Unavailable, []string{"insecure: true"}, 1, false},
		{"h2c to a TLS server", &http.Transport{Protocols: h2cOnly()}, http_(tlsSrv), errs.Unavailable, []string{"insecure: false", "h2c"}, 0, false},
		{"h2c to an HTTP/1 server", &http.Transport{Protocols: h2cOnly()}, plainSrv.URL, errs.Unavailable, []string{"insecure: false", "h2c"}, 0, false},
		{"connection refused", &http.Transport{}, "http://" + closedAddr + "/x", errs.Unavailable, []string{"endpoint", closedAddr}, 4, false},
		{"no such host", failing{&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "flyte.invalid", IsNotFound: true}}},
			"http://flyte.invalid/x", errs.Unavailable, []string{"host name in endpoint"}, 1, false},
		{"DNS timeout", failing{&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "i/o timeout", Name: "flyte.test", IsTimeout: true}}},
			"http://flyte.test/x", errs.Unavailable, []string{"DNS"}, 4, false},
		{"no response headers in time", &http.Transport{ResponseHeaderTimeout: 20 * time.Millisecond}, slowSrv.URL, errs.DeadlineExceeded, nil, 1, false},
		{"proxy wants credentials", &http.Transport{Proxy: proxyURL(strings.TrimPrefix(proxy407.URL, "http://"))},
			"https://flyte.test/x", errs.Unauthenticated, []string{"httpProxyURL"}, 1, false},
		{"proxy unreachable", &http.Transport{Proxy: proxyURL(closedAddr)}, "https://flyte.test/x", errs.Unavailable, []string{"httpProxyURL"}, 4, false},
		{"REFUSED_STREAM", failing{streamError{3, "REFUSED_STREAM"}}, "http://flyte.test/x", errs.Unavailable, nil, 4, false},
		{"RST_STREAM CANCEL", failing{fmt.Errorf("read: %w", streamError{3, "CANCEL"})}, "http://flyte.test/x", errs.Canceled, nil, 1, false},
		{"ENHANCE_YOUR_CALM", failing{errors.New("stream error: stream ID 5; ENHANCE_YOUR_CALM; received from peer")}, "http://flyte.test/x", errs.ResourceExhausted, nil, 1, false},
		{"caller cancelled", &http.Transport{}, slowSrv.URL, errs.Canceled, nil, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			if tc.cancelled {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			req, bodies := newRequest(t, http.MethodPost, tc.url+"?access_token="+querySecret, "payload", true,
				"Authorization", "Bearer "+querySecret)
			req = req.WithContext(ctx)
			s := &counting{next: tc.base}
			_, err := errs.NewRetryTransport(s, errs.Policy{Clock: newFakeClock(true)}).RoundTrip(req)
			if err == nil {
				t.Fatal("RoundTrip succeeded")
			}
			if got := errs.CodeOf(err); got != tc.code {
				t.Errorf("code %v, want %v: %v", got, tc.code, err)
			}
			e, ok := errors.AsType[*errs.Error](err)
			if !ok {
				t.Fatalf("error %T, want *errs.Error", err)
			}
			for _, h := range tc.hint {
				if !strings.Contains(e.Hint, h) {
					t.Errorf("hint %q lacks %q: %v", e.Hint, h, err)
				}
			}
			if (tc.attempts == 0 && (s.n < 1 || s.n > 4)) || (tc.attempts != 0 && s.n != tc.attempts) {
				t.Errorf("%d attempts, want %d: %v", s.n, tc.attempts, err)
			}
			if e.Protocol != errs.ProtocolREST || !strings.HasPrefix(e.Procedure, "POST ") {
				t.Errorf("protocol %v, procedure %q", e.Protocol, e.Procedure)
			}
			// The raw cause stays reachable.
			if errors.Unwrap(err) == nil {
				t.Errorf("no cause in the chain")
			}
			noSecrets(t, err, querySecret, proxySecret)
			bodies.check(t)
		})
	}
}

// streamError reads like golang.org/x/net/http2.StreamError.
type streamError struct {
	id   uint32
	code string
}

func (e streamError) Error() string {
	return fmt.Sprintf("stream error: stream ID %d; %s", e.id, e.code)
}

// counting counts the attempts that reach next.
type counting struct {
	next http.RoundTripper
	n    int
}

func (c *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n++
	return c.next.RoundTrip(req)
}

// failing fails every request with err, closing its body as a transport
// does.
type failing struct{ err error }

func (f failing) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, f.err
}

func TestPlainHTTPToTLSServer(t *testing.T) {
	t.Parallel()
	srv := quietServer(t, nil, "tls")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.Replace(srv.URL, "https://", "http://", 1), nil)
	resp, err := errs.NewRetryTransport(&http.Transport{}, errs.Policy{}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ferr := errs.FromResponse(resp)
	e, _ := errors.AsType[*errs.Error](ferr)
	if e == nil || !strings.Contains(e.Hint, "https") {
		t.Errorf("FromResponse = %v, want a hint to use https", ferr)
	}
}

func TestFromTransportError(t *testing.T) {
	t.Parallel()
	if errs.FromTransportError(nil, nil) != nil {
		t.Errorf("nil error gives non-nil")
	}
	ours := &errs.Error{Code: errs.InvalidArgument, Op: "transport"}
	wrapped := fmt.Errorf("x: %w", ours)
	if got := errs.FromTransportError(nil, wrapped); !errors.Is(got, ours) || got.Error() != wrapped.Error() {
		t.Errorf("an error holding an *errs.Error changed: %v", got)
	}
	err := errs.FromTransportError(nil, context.DeadlineExceeded)
	if errs.CodeOf(err) != errs.DeadlineExceeded || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: %v", err)
	}
	once := errs.FromTransportError(nil, io.ErrUnexpectedEOF)
	first, _ := errors.AsType[*errs.Error](once)
	if twice, _ := errors.AsType[*errs.Error](errs.FromTransportError(nil, once)); twice != first {
		t.Errorf("not idempotent")
	}
	if errs.CodeOf(once) != errs.Unavailable {
		t.Errorf("unexpected EOF: %v", once)
	}
}

// timerNotFired is a context whose deadline has passed while its timer has
// not fired yet: Err is still nil.
type timerNotFired struct {
	context.Context
	deadline time.Time
}

func (c timerNotFired) Deadline() (time.Time, bool) { return c.deadline, true }

// A server that keeps the call's deadline resets the stream with CANCEL
// when it passes; the reset can arrive before the client's own timer
// fires. The call ran out of time: DeadlineExceeded, not Canceled.
func TestStreamResetAfterTheDeadline(t *testing.T) {
	t.Parallel()
	reset := errors.New("stream error: stream ID 281; CANCEL; received from peer")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	past := time.Now().Add(-time.Millisecond)
	future, stop := context.WithDeadline(context.Background(), time.Now().Add(time.Hour))
	defer stop()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want errs.Code
	}{
		{"no deadline", context.Background(), errs.Canceled},
		{"deadline ahead", future, errs.Canceled},
		{"deadline passed, timer not fired", timerNotFired{context.Background(), past}, errs.DeadlineExceeded},
		{"caller canceled", canceled, errs.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(tc.ctx, http.MethodPost, "https://flyte.example/flyteidl.service.AdminService/GetTask", nil)
			req.Header.Set("Content-Type", "application/grpc")
			err := errs.FromTransportError(req, reset)
			if got := errs.CodeOf(err); got != tc.want {
				t.Errorf("CodeOf = %v, want %v (%v)", got, tc.want, err)
			}
			if !errors.Is(err, reset) {
				t.Errorf("the reset is not in the chain: %v", err)
			}
		})
	}
}

// The retry layer gives the same answer for a lost connection, and does not
// retry a call whose deadline passed.
func TestRetryLayerStopsAtAPassedDeadline(t *testing.T) {
	t.Parallel()
	next := newScript(fail(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}))
	rt := errs.NewRetryTransport(next, errs.Policy{RetryNonIdempotent: true})
	ctx := timerNotFired{context.Background(), time.Now().Add(-time.Millisecond)}
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "https://flyte.example/flyteidl.service.AdminService/GetTask", nil)
	req.Header.Set("Content-Type", "application/grpc")
	_, err := rt.RoundTrip(req)
	if errs.CodeOf(err) != errs.DeadlineExceeded || next.calls() != 1 {
		t.Errorf("CodeOf = %v after %d attempts, want DeadlineExceeded after 1 (%v)", errs.CodeOf(err), next.calls(), err)
	}
}
