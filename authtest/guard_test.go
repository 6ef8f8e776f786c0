package authtest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
)

func TestGuardLatencyEndsWithContext(t *testing.T) {
	t.Parallel()
	s, err := Start(WithH2C())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.SetLatency(time.Hour)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.guard(ctx, http.Header{}) }()
	cancel()
	if code := connect.CodeOf(<-done); code != connect.CodeCanceled {
		t.Errorf("cancelled wait: code %v, want canceled", code)
	}

	dctx, dcancel := context.WithDeadline(t.Context(), time.Now())
	defer dcancel()
	if code := connect.CodeOf(s.guard(dctx, http.Header{})); code != connect.CodeDeadlineExceeded {
		t.Errorf("expired wait: code %v, want deadline_exceeded", code)
	}
	if got := s.Counters(); got.Attempts != 2 || got.Abandoned != 2 || got.Unauthenticated != 0 {
		t.Errorf("Attempts = %d, Abandoned = %d, Unauthenticated = %d, want 2, 2 and 0", got.Attempts, got.Abandoned, got.Unauthenticated)
	}
}

func TestGRPCPercentEncode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain text":   "plain text",
		"100% sure":    "100%25 sure",
		"line\nbreak":  "line%0Abreak",
		"caf\u00e9":    "caf%C3%A9",
		"":             "",
		"tilde~ok\x7f": "tilde~ok%7F",
	} {
		if got := grpcPercentEncode(in); got != want {
			t.Errorf("grpcPercentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}
