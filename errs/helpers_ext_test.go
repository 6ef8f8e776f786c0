package errs_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is an errs.Clock that takes no real time. In auto mode every
// timer fires at once (and time moves on by its duration); otherwise timers
// fire only on Advance. Every AfterFunc call is reported on waits.
type fakeClock struct {
	auto  bool
	waits chan time.Duration

	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at            time.Time
	f             func()
	fired, halted bool
}

func newFakeClock(auto bool) *fakeClock {
	return &fakeClock{auto: auto, now: time.Now(), waits: make(chan time.Duration, 1000)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	if c.auto {
		c.now = c.now.Add(d)
		t.fired = true
	}
	c.mu.Unlock()
	c.waits <- d
	if c.auto {
		go f()
	}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.fired || t.halted {
			return false
		}
		t.halted = true
		return true
	}
}

// Advance moves time on by d and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	for _, t := range c.timers {
		if !t.fired && !t.halted && !t.at.After(c.now) {
			t.fired = true
			due = append(due, t.f)
		}
	}
	c.mu.Unlock()
	for _, f := range due {
		go f()
	}
}

// recorded returns the durations of the AfterFunc calls so far.
func (c *fakeClock) recorded() []time.Duration {
	var ds []time.Duration
	for {
		select {
		case d := <-c.waits:
			ds = append(ds, d)
		default:
			return ds
		}
	}
}

// maxRand makes full jitter deterministic: always the top of the range.
func maxRand(n int64) int64 { return n - 1 }

// zeroRand makes full jitter wait nothing.
func zeroRand(int64) int64 { return 0 }

// step answers one attempt.
type step func(*http.Request) (*http.Response, error)

// script is a RoundTripper that answers attempt i with steps[i] (the last
// step repeats). Like a real transport it reads and closes each request
// body; it records what it saw.
type script struct {
	steps []step

	mu     sync.Mutex
	reqs   []*http.Request
	bodies []string
}

func newScript(steps ...step) *script { return &script{steps: steps} }

func (s *script) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	s.mu.Lock()
	i := len(s.reqs)
	s.reqs = append(s.reqs, req)
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	st := s.steps[min(i, len(s.steps)-1)]
	resp, err := st(req)
	if resp != nil {
		resp.Request = req
	}
	return resp, err
}

func (s *script) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// respond answers with a response of the status, header pairs and body.
func respond(status int, body string, kv ...string) step {
	return func(*http.Request) (*http.Response, error) {
		return newResponse(status, body, kv...), nil
	}
}

// fail answers with err.
func fail(err error) step {
	return func(*http.Request) (*http.Response, error) { return nil, err }
}

func newResponse(status int, body string, kv ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: &trackedBody{Reader: strings.NewReader(body)},
	}
}

// trackedBody is a body that records how much was read and how often it
// was closed.
type trackedBody struct {
	io.Reader
	read   atomic.Int64
	closes atomic.Int32
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	b.read.Add(int64(n))
	return n, err
}

func (b *trackedBody) Close() error {
	b.closes.Add(1)
	return nil
}

// bodySet hands out request bodies for one payload, the first as the
// request's Body and the others from GetBody, and checks that each was
// closed exactly once.
type bodySet struct {
	payload string
	mu      sync.Mutex
	bodies  []*trackedBody
}

func (s *bodySet) next() (io.ReadCloser, error) {
	b := &trackedBody{Reader: strings.NewReader(s.payload)}
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	s.mu.Unlock()
	return b, nil
}

func (s *bodySet) check(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, b := range s.bodies {
		if n := b.closes.Load(); n != 1 {
			t.Errorf("request body %d closed %d times, want 1", i, n)
		}
	}
}

// newRequest builds a request whose body comes from a bodySet; withGetBody
// says whether it can be replayed.
func newRequest(t *testing.T, method, url, payload string, withGetBody bool, kv ...string) (*http.Request, *bodySet) {
	t.Helper()
	set := &bodySet{payload: payload}
	var body io.ReadCloser = http.NoBody
	if payload != "" {
		body, _ = set.next()
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if payload != "" && withGetBody {
		req.GetBody = set.next
	} else {
		req.GetBody = nil
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Add(kv[i], kv[i+1])
	}
	return req, set
}

// refusedErr returns the error of a real refused connection on loopback.
func refusedErr(t *testing.T) error {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
		t.Skip("a closed loopback port accepted a connection")
	}
	return err
}

// secret returns a random string to plant in requests and look for in
// errors.
func secret(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// readAll reads and closes a response body.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	resp.Body.Close()
	return buf.String()
}
