package errs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"github.com/authwire/authwire/errs"
)

// A REST call answered by grpc-gateway's error body.
func ExampleFromResponse() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code":5,"message":"project flytesnacks does not exist"}`)
	}))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/api/v1/projects/flytesnacks")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	err = errs.FromResponse(resp)
	var e *errs.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Kind(), e.HTTPStatus)
		fmt.Println(e.Message)
	}
	fmt.Println(errors.Is(err, errs.ErrNotFound))
	// Output:
	// not_found EntityNotExist 404
	// project flytesnacks does not exist
	// true
}

// A server that is unavailable twice: the layer retries the GET and the
// caller sees the success.
func ExampleNewRetryTransport() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	client := &http.Client{Transport: errs.NewRetryTransport(http.DefaultTransport, errs.Policy{
		MaxRetries: 3,
		Rand:       func(int64) int64 { return 0 }, // no waiting, for the example
	})}
	resp, err := client.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body), calls.Load())
	// Output: 200 ok 3
}

// A POST the caller knows is safe to send twice: marking its context lets
// the layer resend it after a 503, as it would a GET.
func ExampleWithIdempotent() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "found")
	}))
	defer srv.Close()

	client := &http.Client{Transport: errs.NewRetryTransport(http.DefaultTransport, errs.Policy{
		Rand: func(int64) int64 { return 0 }, // no waiting, for the example
	})}
	ctx := errs.WithIdempotent(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v1/search", strings.NewReader(`{"q":"flytesnacks"}`))
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body), "after", calls.Load(), "attempts")
	// Output: 200 found after 2 attempts
}
