package authtest_test

import (
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/authtest"
)

// TestConcurrentUse drives calls, token requests, knobs and counters from
// many goroutines at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithProxyAuth())
	proxy := srv.IssueProxyToken()
	const workers, rounds = 8, 10

	var wg sync.WaitGroup
	for i := range workers {
		p := protocols[i%len(protocols)]
		client := authtest.NewTestClient(srv.HTTPClient(), srv.URL(), p.opt)
		wg.Go(func() {
			for range rounds {
				h := bearer(srv.IssueToken())
				h.Set("Proxy-Authorization", "Bearer "+proxy)
				_, err := callOne(t.Context(), client, methods[i%len(methods)], h)
				// Knobs flip concurrently, so only these outcomes are possible.
				switch connect.CodeOf(err) {
				case connect.CodeUnauthenticated, connect.CodeUnavailable:
				default:
					if err != nil {
						t.Errorf("worker %d: %v", i, err)
					}
				}
			}
		})
	}
	wg.Go(func() {
		for range rounds {
			srv.FailNext(1, connect.CodeUnavailable)
			srv.RevokeAll()
			srv.RejectAll(true)
			srv.RejectAll(false)
			srv.SetLatency(time.Microsecond)
			srv.SetLatency(0)
			srv.FailTokenRequests(0, 500, "")
			_ = srv.Counters().ProxyAuthorizedPath(authtest.TestServiceUnaryProcedure)
		}
	})
	wg.Go(func() {
		for range rounds {
			_ = srv.IssueProxyToken()
			_ = srv.Counters()
		}
	})
	wg.Wait()

	c := srv.Counters()
	if c.Attempts != workers*rounds || c.ProxyAuthorized != workers*rounds {
		t.Errorf("Attempts = %d, ProxyAuthorized = %d, want %d", c.Attempts, c.ProxyAuthorized, workers*rounds)
	}
	srv.Reset()
	if c := srv.Counters(); c.Attempts != 0 || c.ProxyAuthorizedByPath != nil {
		t.Errorf("after Reset: %+v", c)
	}
}
