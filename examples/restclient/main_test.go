package main

import (
	"strings"
	"testing"

	"github.com/authwire/authwire/authtest"
)

func TestRunGetsWithAClientSecretFromTheEnvironment(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	env := map[string]string{
		"FLYTE_PLATFORM_URL":               srv.Endpoint(),
		"FLYTE_PLATFORM_CA_CERT_FILE_PATH": srv.CAFile(),
		"FLYTE_CREDENTIALS_AUTH_MODE":      "ClientSecret",
		"FLYTE_CREDENTIALS_CLIENT_ID":      srv.ClientID(),
		"FLYTE_CREDENTIALS_CLIENT_SECRET":  srv.ClientSecret(),
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var out strings.Builder
	if err := run(t.Context(), lookup, "/api/v1/echo?msg=hi", &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"msg":"hi"`) {
		t.Errorf("output %q lacks the echo", out.String())
	}
	if got := srv.Counters().TokenRequests; got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
}

func TestRunReportsAMissingEndpoint(t *testing.T) {
	t.Parallel()
	lookup := func(string) (string, bool) { return "", false }
	if err := run(t.Context(), lookup, "/", &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "endpoint") {
		t.Fatalf("run = %v; want an error naming the endpoint", err)
	}
}
