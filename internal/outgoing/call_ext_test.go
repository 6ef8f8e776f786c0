package outgoing_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/authwire/authwire/internal/outgoing"
)

type ctxKey struct{}

func request(t *testing.T) *http.Request {
	t.Helper()
	ctx := context.WithValue(t.Context(), ctxKey{}, "v")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://flyte.example.com/a", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header["Content-Type"] = make([]string, 1, 4) // spare capacity an append could write into
	req.Header["Content-Type"][0] = "application/grpc"
	return req
}

func TestCopyLeavesTheCallersRequestAlone(t *testing.T) {
	t.Parallel()
	req := request(t)
	c := new(outgoing.Call)
	r := c.Copy(req, http.NoBody)
	c.Set("Authorization", "Bearer a")
	r.Header.Add("Content-Type", "text/plain") // a layer beneath appends

	if r == req || r.Body != http.NoBody || req.Body == http.NoBody {
		t.Fatal("copy shares the request or the body")
	}
	if len(req.Header) != 1 || len(req.Header["Content-Type"]) != 1 {
		t.Fatalf("caller's header changed: %v", req.Header)
	}
	if spare := req.Header["Content-Type"][:2]; spare[1] != "" {
		t.Fatalf("append below wrote into the caller's array: %q", spare)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer a" {
		t.Fatalf("copy header = %q", got)
	}
	if r.URL.String() != req.URL.String() || r.Method != req.Method {
		t.Fatal("copy lost the URL or method")
	}
}

func TestCopyKeepsTheCallersContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.WithValue(t.Context(), ctxKey{}, "v"))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://flyte.example.com/a", nil)
	r := new(outgoing.Call).Copy(req, nil)
	if r.Context().Value(ctxKey{}) != "v" {
		t.Fatal("value lost")
	}
	derived, stop := context.WithCancel(r.Context())
	defer stop()
	cancel()
	<-r.Context().Done()
	<-derived.Done()
	if r.Context().Err() != context.Canceled {
		t.Fatalf("err = %v", r.Context().Err())
	}
}

func TestClaimHandsTheCopyOutOnce(t *testing.T) {
	t.Parallel()
	req := request(t)
	if outgoing.Claim(req) != nil {
		t.Fatal("claimed the caller's own request")
	}
	c := new(outgoing.Call)
	r := c.Copy(req, req.Body)
	c.Set("Authorization", "Bearer a")
	got := outgoing.Claim(r)
	if got != c {
		t.Fatal("copy not claimable")
	}
	got.Set("Proxy-Authorization", "Bearer p")
	if r.Header.Get("Proxy-Authorization") != "Bearer p" || r.Header.Get("Authorization") != "Bearer a" {
		t.Fatalf("headers = %v", r.Header)
	}
	if outgoing.Claim(r) != nil {
		t.Fatal("claimed twice")
	}
	if outgoing.Claim(r.WithContext(r.Context())) != nil {
		t.Fatal("claimed a copy of the copy")
	}
}

func TestClaimAfterDoneCopiesInstead(t *testing.T) {
	t.Parallel()
	c := new(outgoing.Call)
	r := c.Copy(request(t), nil)
	c.Done()
	if outgoing.Claim(r) != nil {
		t.Fatal("claimed a finished call's copy (resp.Request sent again)")
	}
}

func TestSetBeyondStorage(t *testing.T) {
	t.Parallel()
	c := new(outgoing.Call)
	r := c.Copy(request(t), nil)
	for i, k := range []string{"A", "B", "C", "D"} {
		c.Set(k, k+"v")
		if got := r.Header[k]; len(got) != 1 || got[0] != k+"v" {
			t.Fatalf("set %d: %v", i, got)
		}
	}
	for _, k := range []string{"A", "B", "C"} {
		if got := r.Header[k][0]; got != k+"v" {
			t.Fatalf("%s overwritten: %q", k, got)
		}
	}
}

// TestTrackedBodyWaitsForReadsInFlight: a replay may rewind the payload only
// once the first attempt's body is closed and no read of it is running, and
// nothing is read from it after Close.
func TestTrackedBodyWaitsForReadsInFlight(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	body := &blockingBody{started: started, release: release}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "https://h/x", body)
	req.GetBody = func() (io.ReadCloser, error) { return body, nil }
	var c outgoing.Call
	r := c.Copy(req, req.Body)
	go r.Body.Read(make([]byte, 4))
	<-started
	r.Body.Close()
	waited := make(chan error)
	go func() { waited <- c.WaitBody(t.Context()) }()
	select {
	case <-waited:
		t.Fatal("WaitBody returned while a read was in flight")
	default:
	}
	close(release)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if n, err := r.Body.Read(make([]byte, 4)); n != 0 || err == nil {
		t.Fatalf("read after close = %d, %v", n, err)
	}
}

type blockingBody struct {
	started, release chan struct{}
}

func (b *blockingBody) Read(p []byte) (int, error) {
	close(b.started)
	<-b.release
	return 0, io.EOF
}

func (b *blockingBody) Close() error { return nil }

// TestCopyOfALargeHeaderLeavesTheCallersArraysAlone covers headers too large
// to be copied in one move, and a request without a header map.
func TestCopyOfALargeHeaderLeavesTheCallersArraysAlone(t *testing.T) {
	t.Parallel()
	req := request(t)
	for _, k := range []string{"A", "B", "C", "D", "E", "F", "G", "H"} {
		req.Header[k] = make([]string, 1, 2)
		req.Header[k][0] = k
	}
	c := new(outgoing.Call)
	r := c.Copy(req, http.NoBody)
	c.Set("Authorization", "Bearer a")
	r.Header.Add("A", "below")
	if spare := req.Header["A"][:2]; spare[1] != "" || len(req.Header) != 9 {
		t.Fatalf("caller's header changed: %v, spare %q", req.Header, spare)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer a" || len(r.Header) != 10 {
		t.Fatalf("copy header = %v", r.Header)
	}

	req.Header = nil
	c = new(outgoing.Call)
	c.Copy(req, http.NoBody)
	c.Set("Authorization", "Bearer a") // no panic: the copy has a map of its own
}

// BenchmarkCopy is the per-call work of internal/outgoing on a connect-go
// unary request: the copy, two header values, the body read through the
// tracker and closed.
func BenchmarkCopy(b *testing.B) {
	req, err := http.NewRequestWithContext(b.Context(), http.MethodPost, "https://flyte.example.com/a", strings.NewReader("0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	for k, v := range map[string]string{"Content-Type": "application/proto", "Connect-Protocol-Version": "1", "User-Agent": "connect-go/1.21.1 (go1.26.8)", "Accept-Encoding": "gzip"} {
		req.Header.Set(k, v)
	}
	payload := []byte("0123456789abcdef")
	var buf [512]byte
	b.ReportAllocs()
	for b.Loop() {
		c := new(outgoing.Call)
		r := c.Copy(req, io.NopCloser(strings.NewReader(string(payload))))
		c.Set("Authorization", "Bearer a")
		c.Set("Proxy-Authorization", "Bearer b")
		for {
			if _, err := r.Body.Read(buf[:]); err != nil {
				break
			}
		}
		r.Body.Close()
	}
}
