package authtest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/internal/idl"
)

func TestAwait(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	const n = 2
	errc := make(chan error, n)
	for range n {
		go func() { errc <- getStatus(t.Context(), srv, srv.URL()+idl.OAuth2MetadataPath) }()
	}
	await(t, srv, "the metadata requests", func(c authtest.Counters) bool { return c.WellKnown == n })
	for range n {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := srv.Await(ctx, func(authtest.Counters) bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("Await with an ended context = %v, want context.Canceled", err)
	}
}

// getStatus GETs rawURL and fails unless the answer is 200 OK; it is safe
// to call off the test goroutine.
func getStatus(ctx context.Context, srv *authtest.Server, rawURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	res, err := srv.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return errors.New(res.Status)
	}
	return nil
}

// await waits until ready holds for srv's counters.
func await(t *testing.T, srv *authtest.Server, what string, ready func(authtest.Counters) bool) {
	t.Helper()
	if err := srv.Await(t.Context(), ready); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}
