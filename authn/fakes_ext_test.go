package authn_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/internal/wiretest"
)

// server is a fake next hop: it answers each request with respond, records
// what it saw, and accepts only the tokens in valid.
type server struct {
	mu       sync.Mutex
	valid    map[string]bool
	seen     []string // authorization header of each attempt
	bodies   []string
	respond  func(authorized bool, r *http.Request) *http.Response
	attempts atomic.Int32
}

func newServer(respond func(authorized bool, r *http.Request) *http.Response) *server {
	return &server{valid: map[string]bool{}, respond: respond}
}

func (s *server) RoundTrip(r *http.Request) (*http.Response, error) {
	s.attempts.Add(1)
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	h := r.Header.Get("Authorization")
	s.mu.Lock()
	s.seen = append(s.seen, h)
	s.bodies = append(s.bodies, string(body))
	ok := s.valid[strings.TrimPrefix(h, "Bearer ")]
	s.mu.Unlock()
	return s.respond(ok, r), nil
}

func (s *server) allow(tok string) {
	s.mu.Lock()
	s.valid[tok] = true
	s.mu.Unlock()
}

func (s *server) revoke(tok string) {
	s.mu.Lock()
	delete(s.valid, tok)
	s.mu.Unlock()
}

func (s *server) headers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

// tokens is a source that issues tok-1, tok-2, ... and makes the server
// accept each one it issues.
type tokens struct {
	n   atomic.Int32
	srv *server
}

func (t *tokens) Token(context.Context) (*oauth2.Token, error) {
	tok := "tok-" + strconv.Itoa(int(t.n.Add(1)))
	if t.srv != nil {
		t.srv.allow(tok)
	}
	return &oauth2.Token{AccessToken: tok}, nil
}

func response(status int, header http.Header, body []byte, trailer http.Header) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Trailer: trailer, Body: io.NopCloser(bytes.NewReader(body))}
}

var frame = wiretest.Frame

// stack returns the bearer layer over srv for https://api.example.com, with
// src as its token source (nil: lazy mode, flow from cfg).
func stack(t *testing.T, cfg *config.Platform, srv http.RoundTripper, opts ...authn.Option) *http.Client {
	t.Helper()
	if cfg == nil {
		cfg = &config.Platform{Endpoint: "api.example.com"}
	}
	a, err := authn.New(cfg, nil, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: authn.Wrap(srv, a)}
}

// countingBody counts Close calls and carries GetBody-able content.
type countingBody struct {
	io.Reader
	closes atomic.Int32
}

func (c *countingBody) Close() error { c.closes.Add(1); return nil }

func post(t *testing.T, url, body string, replayable bool) (*http.Request, *countingBody) {
	t.Helper()
	cb := &countingBody{Reader: strings.NewReader(body)}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, cb)
	if err != nil {
		t.Fatal(err)
	}
	req.GetBody = nil
	if replayable {
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	}
	return req, cb
}
