package main

import (
	"context"
	"strings"
	"testing"
)

func TestRunShowsEveryCallAndTheRecovery(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := run(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`Connect   unary           → "hello"`,
		"tick-0, tick-1, tick-2",
		`gRPC-Web  unary           → "web"`,
		`{"msg":"rest"}`,
		"recovered with 2 attempts and 1 new token",
		"token requests                  2",
		"proxy token fetches             1",
		"requests the proxy rejected     0",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunStopsOnCanceledContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out strings.Builder
	if err := run(ctx, &out); err == nil {
		t.Fatalf("run with a canceled context succeeded:\n%s", out.String())
	}
}
