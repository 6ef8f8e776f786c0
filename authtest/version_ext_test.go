package authtest_test

import (
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authtest"
)

func TestGetVersionEveryProtocolAndTransport(t *testing.T) {
	t.Parallel()
	want := authtest.Version{Build: "abc123", Version: "v1.16.0", BuildTime: "2025-06-01T12:00:00Z"}
	eachTransportAndProtocol(t, []authtest.Option{authtest.WithVersion(want)}, func(t *testing.T, srv *authtest.Server, protocol connect.ClientOption) {
		client := authtest.NewVersionClient(srv.HTTPClient(), srv.URL()+"/", protocol)
		req := connect.NewRequest(&authtest.GetVersionRequest{})
		req.Header().Set("Authorization", "Bearer "+srv.IssueToken())
		res, err := client.CallUnary(t.Context(), req)
		if err != nil {
			t.Fatalf("GetVersion: %v", err)
		}
		if diff := cmp.Diff(&want, res.Msg.ControlPlaneVersion); diff != "" {
			t.Errorf("version (-want +got):\n%s", diff)
		}

		_, err = client.CallUnary(t.Context(), connect.NewRequest(&authtest.GetVersionRequest{}))
		wantCode(t, "GetVersion without a token", err, connect.CodeUnauthenticated)
		if c := srv.Counters(); c.Attempts != 2 || c.Unauthenticated != 1 {
			t.Errorf("Attempts = %d, Unauthenticated = %d", c.Attempts, c.Unauthenticated)
		}
	})
}

func TestGetVersionDefaultAndFaults(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithTrailersOnly())
	client := authtest.NewVersionClient(srv.HTTPClient(), srv.URL(), connect.WithGRPC())
	call := func() (*authtest.Version, error) {
		req := connect.NewRequest(&authtest.GetVersionRequest{})
		req.Header().Set("Authorization", "Bearer "+srv.IssueToken())
		res, err := client.CallUnary(t.Context(), req)
		if err != nil {
			return nil, err
		}
		return res.Msg.ControlPlaneVersion, nil
	}
	v, err := call()
	if err != nil || v.Build != "authtest" || v.Version != "v0.0.0-authtest" || v.BuildTime != "1970-01-01T00:00:00Z" {
		t.Errorf("default version: %+v, %v", v, err)
	}
	srv.FailNext(1, connect.CodeUnavailable)
	_, err = call()
	wantCode(t, "injected failure", err, connect.CodeUnavailable)
	srv.RejectAll(true)
	_, err = call()
	wantCode(t, "while rejecting all", err, connect.CodeUnauthenticated)
}

func TestGetVersionTrailersOnlyShape(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithTrailersOnly())
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+authtest.GetVersionProcedure, strings.NewReader(string(envelope(0, nil))))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("Te", "trailers")
	res, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if body := readBody(t, res); res.StatusCode != http.StatusOK || res.Header.Get("Grpc-Status") != "16" || body != "" {
		t.Errorf("status %d, grpc-status %q, body %q", res.StatusCode, res.Header.Get("Grpc-Status"), body)
	}
}

func TestGetVersionConnectJSON(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	for _, ct := range []string{"application/json", "application/json; charset=utf-8"} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+authtest.GetVersionProcedure, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+srv.IssueToken())
		res, err := srv.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, res)
		res.Body.Close()
		want := `{"controlPlaneVersion":{"Build":"authtest","Version":"v0.0.0-authtest","BuildTime":"1970-01-01T00:00:00Z"}}`
		if res.StatusCode != http.StatusOK || body != want {
			t.Errorf("%s: %d %s", ct, res.StatusCode, body)
		}
	}
}

func TestVersionREST(t *testing.T) {
	t.Parallel()
	eachTransport(t, []authtest.Option{authtest.WithVersion(authtest.Version{Version: "v2.0.0"})}, func(t *testing.T, srv *authtest.Server) {
		res := get(t, srv, srv.URL()+authtest.VersionPath, bearer(srv.IssueToken()))
		want := `{"control_plane_version":{"Build":"","Version":"v2.0.0","BuildTime":""}}`
		if body := readBody(t, res); res.StatusCode != http.StatusOK || body != want || res.Header.Get("Content-Type") != "application/json" {
			t.Errorf("GET: %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		res = get(t, srv, srv.URL()+authtest.VersionPath, nil)
		if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("GET without a token: %d", res.StatusCode)
		}
		var e struct{ Code, Message string }
		decodeJSON(t, res.Body, &e)
		if e.Code != "unauthenticated" {
			t.Errorf("error body code %q", e.Code)
		}
	})
}
