package authtest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/authtest"
)

func wantCode(t *testing.T, what string, err error, want connect.Code) {
	t.Helper()
	if got := connect.CodeOf(err); err == nil || got != want {
		t.Errorf("%s: error %v, want code %v", what, err, want)
	}
}

func TestAnonymous(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithAnonymous())
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL(), connect.WithGRPC())
	if _, err := unary(t, client, nil); err != nil {
		t.Errorf("without a token: %v", err)
	}
	if _, err := unary(t, client, bearer(srv.IssueToken())); err != nil {
		t.Errorf("with a good token: %v", err)
	}
	_, err := unary(t, client, bearer("bad"))
	wantCode(t, "with a bad token", err, connect.CodeUnauthenticated)
	srv.RejectAll(true)
	if _, err := unary(t, client, nil); err != nil {
		t.Errorf("without a token while rejecting all: %v", err)
	}
	if c := srv.Counters(); c.Attempts != 4 || c.Unauthenticated != 1 {
		t.Errorf("Attempts = %d, Unauthenticated = %d", c.Attempts, c.Unauthenticated)
	}
}

func TestAuthorizationMetadataKey(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithAuthorizationMetadataKey("flyte-authorization"))
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL(), connect.WithGRPC())
	tok := srv.IssueToken()
	_, err := unary(t, client, bearer(tok))
	wantCode(t, "token under authorization", err, connect.CodeUnauthenticated)
	if _, err := unary(t, client, http.Header{"Flyte-Authorization": {"bearer " + tok}}); err != nil {
		t.Errorf("token under flyte-authorization: %v", err)
	}
}

func TestRevokeAllAndRejectAll(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL(), connect.WithGRPCWeb())
	old1, old2 := fetchToken(t, srv), srv.IssueToken()

	srv.RevokeAll()
	for _, tok := range []string{old1, old2} {
		_, err := unary(t, client, bearer(tok))
		wantCode(t, "revoked token", err, connect.CodeUnauthenticated)
	}
	fresh := fetchToken(t, srv)
	if _, err := unary(t, client, bearer(fresh)); err != nil {
		t.Errorf("token issued after RevokeAll: %v", err)
	}

	srv.RejectAll(true)
	for _, tok := range []string{fresh, fetchToken(t, srv), srv.IssueToken()} {
		_, err := unary(t, client, bearer(tok))
		wantCode(t, "while rejecting all", err, connect.CodeUnauthenticated)
	}
	srv.RejectAll(false)
	if _, err := unary(t, client, bearer(fresh)); err != nil {
		t.Errorf("after RejectAll(false): %v", err)
	}
}

func TestFailNext(t *testing.T) {
	t.Parallel()
	eachProtocol(t, nil, func(t *testing.T, srv *authtest.Server, protocol connect.ClientOption) {
		client := authtest.NewTestClient(srv.HTTPClient(), srv.URL(), protocol)
		tok := srv.IssueToken()

		srv.FailNext(2, connect.CodeUnavailable)
		// A call rejected for auth does not use up a failure.
		_, err := unary(t, client, nil)
		wantCode(t, "no token", err, connect.CodeUnauthenticated)
		for _, m := range []string{"unary", "bidi"} {
			_, err := callOne(t.Context(), client, m, bearer(tok))
			wantCode(t, "injected failure on "+m, err, connect.CodeUnavailable)
		}
		if _, err := unary(t, client, bearer(tok)); err != nil {
			t.Errorf("after the failures: %v", err)
		}
		srv.FailNext(3, connect.CodeInternal)
		srv.FailNext(0, connect.CodeInternal)
		if _, err := unary(t, client, bearer(tok)); err != nil {
			t.Errorf("after cancelling the failures: %v", err)
		}
		if c := srv.Counters(); c.Attempts != 5 || c.Unauthenticated != 1 {
			t.Errorf("Attempts = %d, Unauthenticated = %d, want 5 and 1", c.Attempts, c.Unauthenticated)
		}
	})
}

func TestFailNextTrailersOnly(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithTrailersOnly())
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL(), connect.WithGRPC())
	tok := srv.IssueToken()
	srv.FailNext(1, connect.CodeNotFound)
	_, err := unary(t, client, bearer(tok))
	wantCode(t, "injected failure", err, connect.CodeNotFound)
	got, err := callAll(t.Context(), client, bearer(tok))
	if err != nil || len(got) != 4 {
		t.Errorf("calls with a token: %v, %v", got, err)
	}
	_, err = unary(t, client, nil)
	wantCode(t, "no token", err, connect.CodeUnauthenticated)
	if c := srv.Counters(); c.Attempts != 6 || c.Unauthenticated != 1 {
		t.Errorf("Attempts = %d, Unauthenticated = %d, want 6 and 1", c.Attempts, c.Unauthenticated)
	}
}

func TestSetLatencyRespectsCancellation(t *testing.T) {
	t.Parallel()
	eachProtocol(t, []authtest.Option{authtest.WithH2C()}, func(t *testing.T, srv *authtest.Server, protocol connect.ClientOption) {
		client := authtest.NewTestClient(srv.HTTPClient(), srv.URL(), protocol)
		tok := srv.IssueToken()
		srv.SetLatency(time.Hour)
		srv.FailNext(1, connect.CodeAborted)

		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := callOne(ctx, client, "unary", bearer(tok))
			done <- err
		}()
		// Cancel only once the server holds the call, so it cannot arrive
		// after the latency is gone.
		await(t, srv, "the call reaches the server", func(c authtest.Counters) bool { return c.Attempts == 1 })
		cancel()
		wantCode(t, "call cancelled while delayed", <-done, connect.CodeCanceled)

		// The abandoned call stopped before the failure knob.
		await(t, srv, "the call is abandoned", func(c authtest.Counters) bool { return c.Abandoned == 1 })
		srv.SetLatency(0)
		_, err := unary(t, client, bearer(tok))
		wantCode(t, "next call", err, connect.CodeAborted)
		if c := srv.Counters(); c.Attempts != 2 || c.Abandoned != 1 || c.Unauthenticated != 0 {
			t.Errorf("Attempts = %d, Abandoned = %d, Unauthenticated = %d, want 2, 1 and 0", c.Attempts, c.Abandoned, c.Unauthenticated)
		}
	})
}
