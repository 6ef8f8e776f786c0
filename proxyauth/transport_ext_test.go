package proxyauth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/proxyauth"
)

// proxy is a fake next hop that accepts only the current proxy token.
type proxy struct {
	mu       sync.Mutex
	current  string
	reject   int // status for a bad token
	seen     map[string][]string
	attempts atomic.Int32
}

func (p *proxy) RoundTrip(r *http.Request) (*http.Response, error) {
	p.attempts.Add(1)
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	h := r.Header.Get("Proxy-Authorization")
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil {
		p.seen = map[string][]string{}
	}
	p.seen[r.URL.Host] = append(p.seen[r.URL.Host], h)
	status, ct := 200, "application/json"
	if r.URL.Host == "flyte.example.com" && h != "Bearer "+p.current {
		status, ct = p.reject, "text/html"
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}}, Body: io.NopCloser(strings.NewReader(""))}, nil
}

func (p *proxy) rotate(tok string) {
	p.mu.Lock()
	p.current = tok
	p.mu.Unlock()
}

// counter issues ptok-1, ptok-2, ... and tells the proxy which is current.
type counter struct {
	n     atomic.Int32
	proxy *proxy
	exp   func() time.Time
}

func (c *counter) Token(context.Context) (string, time.Time, error) {
	tok := "ptok-" + strconv.Itoa(int(c.n.Add(1)))
	if c.proxy != nil {
		c.proxy.rotate(tok)
	}
	var exp time.Time
	if c.exp != nil {
		exp = c.exp()
	}
	return tok, exp, nil
}

func get(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestAttachedFromFirstRequestOnlyToListedHosts(t *testing.T) {
	t.Parallel()
	p := &proxy{reject: 407}
	src := &counter{proxy: p}
	cred := proxyauth.NewCredential(src, proxyauth.WithHosts("flyte.example.com"))
	c := &http.Client{Transport: proxyauth.Wrap(p, cred)}
	for range 100 {
		if resp := get(t, c, "https://flyte.example.com/oauth2/token"); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	get(t, c, "https://idp.example.org/token")
	if n := src.n.Load(); n != 1 {
		t.Fatalf("token fetched %d times for 100 calls", n)
	}
	if p.attempts.Load() != 101 {
		t.Fatalf("attempts = %d, want 101 (no 407 round trips)", p.attempts.Load())
	}
	if h := p.seen["idp.example.org"]; len(h) != 1 || h[0] != "" {
		t.Fatalf("third-party host got proxy-authorization %q", h)
	}
}

func TestRejectionRefetchesOnce(t *testing.T) {
	t.Parallel()
	for _, status := range []int{407, 401} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			p := &proxy{reject: status}
			src := &counter{proxy: p}
			cred := proxyauth.NewCredential(src, proxyauth.WithHosts("flyte.example.com"))
			c := &http.Client{Transport: proxyauth.Wrap(p, cred)}
			get(t, c, "https://flyte.example.com/a")
			p.rotate("rotated-by-proxy") // the proxy no longer accepts ptok-1
			src.proxy = nil
			resp := get(t, c, "https://flyte.example.com/a")
			if resp.StatusCode != status || p.attempts.Load() != 3 || src.n.Load() != 2 {
				t.Fatalf("status %d attempts %d fetches %d; want %d, 3, 2", resp.StatusCode, p.attempts.Load(), src.n.Load(), status)
			}
		})
	}
}

func TestRecoversAfterRotation(t *testing.T) {
	t.Parallel()
	p := &proxy{reject: 407}
	src := &counter{proxy: p}
	cred := proxyauth.NewCredential(src, proxyauth.WithHosts("flyte.example.com"))
	c := &http.Client{Transport: proxyauth.Wrap(p, cred)}
	get(t, c, "https://flyte.example.com/a")
	p.rotate("expired")
	if resp := get(t, c, "https://flyte.example.com/a"); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if p.attempts.Load() != 3 || src.n.Load() != 2 {
		t.Fatalf("attempts %d fetches %d", p.attempts.Load(), src.n.Load())
	}
}

func TestApplicationUnauthorizedIsNotTheProxys(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return &http.Response{StatusCode: 401, Header: http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {`Bearer error="invalid_token"`}}, Body: io.NopCloser(strings.NewReader("{}"))}, nil
	})
	src := &counter{}
	c := &http.Client{Transport: proxyauth.Wrap(rt, proxyauth.NewCredential(src, proxyauth.WithHosts("flyte.example.com")))}
	get(t, c, "https://flyte.example.com/a")
	if attempts.Load() != 1 || src.n.Load() != 1 {
		t.Fatalf("attempts %d fetches %d", attempts.Load(), src.n.Load())
	}
}

func TestNonReplayableIsNotResent(t *testing.T) {
	t.Parallel()
	p := &proxy{reject: 407}
	src := &counter{}
	p.rotate("never-issued")
	c := &http.Client{Transport: proxyauth.Wrap(p, proxyauth.NewCredential(src, proxyauth.WithHosts("flyte.example.com")))}
	body := &countingBody{Reader: strings.NewReader("stream")}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "https://flyte.example.com/bidi", body)
	req.GetBody = nil
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 407 || p.attempts.Load() != 1 || body.closes.Load() != 1 {
		t.Fatalf("status %d attempts %d closes %d", resp.StatusCode, p.attempts.Load(), body.closes.Load())
	}
}

func TestCallerHeaderAndRequestUntouched(t *testing.T) {
	t.Parallel()
	p := &proxy{reject: 407}
	src := &counter{proxy: p}
	c := &http.Client{Transport: proxyauth.Wrap(p, proxyauth.NewCredential(src, proxyauth.WithHosts("flyte.example.com")))}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://flyte.example.com/a", nil)
	req.Header.Set("Proxy-Authorization", "Bearer mine")
	resp, _ := c.Do(req)
	resp.Body.Close()
	if got := p.seen["flyte.example.com"][0]; got != "Bearer mine" || src.n.Load() != 0 {
		t.Fatalf("caller header replaced: %q, fetches %d", got, src.n.Load())
	}
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, "https://flyte.example.com/a", nil)
	resp, _ = c.Do(req)
	resp.Body.Close()
	if len(req.Header) != 0 {
		t.Fatalf("caller's request mutated: %v", req.Header)
	}
}

func TestExpiryFromJWTAndTTL(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	jwt := func(exp time.Time) string {
		payload := base64.RawURLEncoding.EncodeToString([]byte(`{"exp":` + strconv.FormatInt(exp.Unix(), 10) + `}`))
		return "h." + payload + ".s"
	}
	var jwtRuns atomic.Int32
	jwtSrc := proxyauth.TokenSourceFunc(func(context.Context) (string, time.Time, error) {
		jwtRuns.Add(1)
		return jwt(clock().Add(time.Hour)), time.Time{}, nil
	})
	var opaqueRuns atomic.Int32
	opaqueSrc := proxyauth.TokenSourceFunc(func(context.Context) (string, time.Time, error) {
		opaqueRuns.Add(1)
		return "opaque", time.Time{}, nil
	})
	ok := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody}, nil
	})
	jc := &http.Client{Transport: proxyauth.Wrap(ok, proxyauth.NewCredential(jwtSrc, proxyauth.WithHosts("h"), proxyauth.WithClock(clock)))}
	oc := &http.Client{Transport: proxyauth.Wrap(ok, proxyauth.NewCredential(opaqueSrc, proxyauth.WithHosts("h"), proxyauth.WithTTL(10*time.Minute), proxyauth.WithClock(clock)))}
	get(t, jc, "https://h/")
	get(t, oc, "https://h/")
	advance(9 * time.Minute)
	get(t, oc, "https://h/")
	if opaqueRuns.Load() != 1 {
		t.Fatalf("opaque token refetched before its TTL: %d", opaqueRuns.Load())
	}
	advance(2 * time.Hour)
	get(t, jc, "https://h/")
	get(t, oc, "https://h/")
	if jwtRuns.Load() != 2 || opaqueRuns.Load() != 2 {
		t.Fatalf("after expiry: jwt runs %d, opaque runs %d; want 2, 2", jwtRuns.Load(), opaqueRuns.Load())
	}
}

func TestNewFromConfig(t *testing.T) {
	t.Parallel()
	cred, err := proxyauth.New(&config.Platform{Endpoint: "flyte.example.com"})
	if cred != nil || err != nil {
		t.Fatalf("no proxy command: got %v, %v", cred, err)
	}
	if _, err := proxyauth.New(&config.Platform{Endpoint: "flyte.example.com", ProxyCommand: []string{""}}); err == nil {
		t.Fatal("empty program name accepted")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type countingBody struct {
	io.Reader
	closes atomic.Int32
}

func (c *countingBody) Close() error { c.closes.Add(1); return nil }

// TestNoTokenOnSameHostDowngrade: a redirect from https to http on the
// proxied host gets no proxy token; nor does a request for another port.
func TestNoTokenOnSameHostDowngrade(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]string{}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen[r.URL.Scheme+"://"+r.URL.Host] = r.Header.Get("Proxy-Authorization")
		mu.Unlock()
		if r.URL.Scheme == "https" && r.URL.Port() == "" {
			return &http.Response{StatusCode: http.StatusFound, Header: http.Header{"Location": {"http://flyte.example.com/landing"}}, Body: http.NoBody}, nil
		}
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody}, nil
	})
	c := &http.Client{Transport: proxyauth.Wrap(rt, proxyauth.NewCredential(proxyauth.Static("ptok"), proxyauth.WithHosts("flyte.example.com")))}
	get(t, c, "https://flyte.example.com/a")
	get(t, c, "https://flyte.example.com:8443/a")
	want := map[string]string{
		"https://flyte.example.com":      "Bearer ptok",
		"http://flyte.example.com":       "",
		"https://flyte.example.com:8443": "",
	}
	mu.Lock()
	defer mu.Unlock()
	for origin, h := range want {
		if got, ok := seen[origin]; !ok || got != h {
			t.Errorf("%s got proxy-authorization %q (reached: %v), want %q", origin, got, ok, h)
		}
	}
}

// TestBrokenNextHopIsATypedError: a nil request, and a next hop that breaks
// the RoundTripper contract, give errors rather than panics.
func TestBrokenNextHopIsATypedError(t *testing.T) {
	t.Parallel()
	for name, hop := range map[string]roundTripFunc{
		"nil response and nil error": func(*http.Request) (*http.Response, error) { return nil, nil },
		"407 without a body": func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 407, Header: http.Header{}}, nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tr := proxyauth.Wrap(hop, proxyauth.NewCredential(proxyauth.Static("ptok"), proxyauth.WithHosts("flyte.example.com")))
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://flyte.example.com/a", nil)
			resp, err := tr.RoundTrip(req)
			if resp != nil || errs.CodeOf(err) != errs.Internal || !errors.Is(err, errs.ErrBrokenRoundTripper) {
				t.Fatalf("resp %v, err %v; want no response and Internal", resp, err)
			}
		})
	}
	tr := proxyauth.Wrap(http.DefaultTransport, proxyauth.NewCredential(proxyauth.Static("ptok")))
	if _, err := tr.RoundTrip(nil); errs.CodeOf(err) != errs.InvalidArgument || !errors.Is(err, errs.ErrBrokenRoundTripper) {
		t.Fatalf("nil request: err = %v", err)
	}
}
