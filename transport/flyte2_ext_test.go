package transport_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/idl"
	"github.com/authwire/authwire/transport"
)

// TestFlyte2WithoutOAuth2Metadata: a flow that needs a token endpoint fails
// at once, naming the client and the server setting; tokenUrl fixes it.
func TestFlyte2WithoutOAuth2Metadata(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2(), authtest.WithoutOAuth2Metadata())
	c := newClient(t, platform(srv))
	err := unary(t.Context(), authtest.NewTestClient(c, srv.URL()), "x")
	if errs.CodeOf(err) != errs.InvalidArgument || !strings.Contains(err.Error(), "tokenUrl") ||
		!strings.Contains(err.Error(), "runs.authMetadata.externalAuthServerBaseUrl") {
		t.Fatalf("err = %v, want InvalidArgument naming tokenUrl and runs.authMetadata.externalAuthServerBaseUrl", err)
	}
	if n := srv.Counters().TokenRequests; n != 0 {
		t.Fatalf("%d token requests without a token endpoint", n)
	}
	cfg := platform(srv)
	cfg.TokenURL = srv.TokenURL()
	c = newClient(t, cfg)
	for _, p := range protocols {
		if err := unary(t.Context(), authtest.NewTestClient(c, srv.URL(), p.opts...), "x"); err != nil {
			t.Fatalf("%s with tokenUrl: %v", p.name, err)
		}
	}
}

// TestFlyte1NeverAskedV2AfterItAnswered: once the stack knows the server is
// Flyte 1, refreshes and replays never touch Flyte 2's paths.
func TestFlyte1NeverAskedV2AfterItAnswered(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	c := newClient(t, platform(srv))
	tc := authtest.NewTestClient(c, srv.URL(), connect.WithGRPC())
	if err := unary(t.Context(), tc, "a"); err != nil {
		t.Fatal(err)
	}
	v2 := srv.MetadataRequests(idl.GetPublicClientConfigProcedureV2) + srv.MetadataRequests(idl.GetOAuth2MetadataProcedureV2)
	srv.RevokeAll()
	for range 3 {
		if err := unary(t.Context(), tc, "b"); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.MetadataRequests(idl.GetPublicClientConfigProcedureV2) + srv.MetadataRequests(idl.GetOAuth2MetadataProcedureV2); got != v2 {
		t.Fatalf("v2 paths asked %d more times after the server answered v1", got-v2)
	}
	cc, err := transport.ServerConfig(t.Context(), c.Transport)
	if err != nil || cc.API != authn.APIV1 {
		t.Fatalf("ServerConfig: API %v, %v; want v1", cc.API, err)
	}
}

// TestPinnedAPI: authMetadataApi: v2 never asks Flyte 1's paths.
func TestPinnedAPI(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2())
	cfg := platform(srv)
	cfg.AuthMetadataAPI = "v2"
	c := newClient(t, cfg)
	if err := unary(t.Context(), authtest.NewTestClient(c, srv.URL()), "a"); err != nil {
		t.Fatal(err)
	}
	if n := srv.MetadataRequests(idl.GetPublicClientConfigProcedure) + srv.MetadataRequests(idl.GetOAuth2MetadataProcedure); n != 0 {
		t.Fatalf("Flyte 1 paths asked %d times with authMetadataApi v2", n)
	}
}

// TestCredentialsShared: a data-plane stack built from the control plane's
// credentials shares one token, one refresh, and sends the token only where
// each stack is allowed. The data plane is the same server under its other
// name, localhost.
func TestCredentialsShared(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2())
	control, err := transport.New(t.Context(), platform(srv))
	if err != nil {
		t.Fatal(err)
	}
	port := srv.Endpoint()[strings.LastIndex(srv.Endpoint(), ":"):]
	dpURL := "https://localhost" + port
	dataPlane, err := transport.New(t.Context(), &config.Platform{Endpoint: "localhost" + port, CACertFilePath: srv.CAFile()},
		transport.WithCredentialsFrom(control))
	if err != nil {
		t.Fatal(err)
	}
	cc, dc := &http.Client{Transport: control}, &http.Client{Transport: dataPlane}
	t.Cleanup(cc.CloseIdleConnections)
	t.Cleanup(dc.CloseIdleConnections)
	for _, p := range protocols {
		if err := unary(t.Context(), authtest.NewTestClient(cc, srv.URL(), p.opts...), "cp"); err != nil {
			t.Fatalf("control %s: %v", p.name, err)
		}
		if err := unary(t.Context(), authtest.NewTestClient(dc, dpURL, p.opts...), "dp"); err != nil {
			t.Fatalf("data plane %s: %v", p.name, err)
		}
	}
	if n := srv.Counters().TokenRequests; n != 1 {
		t.Fatalf("token requests = %d, want 1 shared", n)
	}
	srv.RevokeAll()
	before := srv.Counters()
	if err := unary(t.Context(), authtest.NewTestClient(dc, dpURL), "dp"); err != nil {
		t.Fatal(err)
	}
	if err := unary(t.Context(), authtest.NewTestClient(cc, srv.URL()), "cp"); err != nil {
		t.Fatal(err)
	}
	if d := srv.Counters().TokenRequests - before.TokenRequests; d != 1 {
		t.Fatalf("token requests after a revocation = %d, want 1 shared", d)
	}
	// Each stack keeps the token to its own hosts.
	if err := unary(t.Context(), authtest.NewTestClient(cc, dpURL), "x"); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("control stack to the data plane host: %v, want Unauthenticated (no token sent)", err)
	}
	if err := unary(t.Context(), authtest.NewTestClient(dc, srv.URL()), "x"); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("data-plane stack to the control plane host: %v, want Unauthenticated (no token sent)", err)
	}
}

func TestCredentialsFromRejectsStacksWithoutAuth(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	cfg := platform(srv)
	cfg.AuthType = config.AuthNone
	none, err := transport.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []http.RoundTripper{none, http.DefaultTransport} {
		if _, err := transport.New(t.Context(), platform(srv), transport.WithCredentialsFrom(from)); errs.CodeOf(err) != errs.InvalidArgument {
			t.Fatalf("err = %v, want InvalidArgument", err)
		}
	}
}

// TestPublicConfigCacheThroughTheStack: the first program writes the cache
// file; the next one sends no metadata RPC and one token request before its
// call; a stale file (a header the server no longer reads) costs one
// rejection, then the server is asked and the file is refreshed.
func TestPublicConfigCacheThroughTheStack(t *testing.T) {
	t.Parallel()
	onBackends(t, func(t *testing.T, newServer func(...authtest.Option) *authtest.Server) {
		srv := newServer()
		dir := t.TempDir()
		file := filepath.Join(dir, srv.Endpoint()+".yaml")
		first := newClient(t, platform(srv), transport.WithPublicConfigCacheDir(dir))
		if err := unary(t.Context(), authtest.NewTestClient(first, srv.URL()), "a"); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(file)
		if err != nil || !strings.Contains(string(data), "authorizationHeader: authorization") {
			t.Fatalf("cache file: %q, %v", data, err)
		}
		srv.Reset()
		warm := newClient(t, platform(srv), transport.WithPublicConfigCacheDir(dir))
		if err := unary(t.Context(), authtest.NewTestClient(warm, srv.URL()), "w"); err != nil {
			t.Fatal(err)
		}
		if c := srv.Counters(); c.GetPublicClientConfig+c.GetOAuth2Metadata+c.WellKnown+c.FlyteClient != 0 || c.TokenRequests != 1 {
			t.Fatalf("with the cache file: %+v; want no metadata request and one token request", c)
		}
		stale := strings.Replace(string(data), "authorizationHeader: authorization", "authorizationHeader: x-stale", 1)
		if err := os.WriteFile(file, []byte(stale), 0o600); err != nil {
			t.Fatal(err)
		}
		srv.Reset()
		next := newClient(t, platform(srv), transport.WithPublicConfigCacheDir(dir))
		if err := unary(t.Context(), authtest.NewTestClient(next, srv.URL()), "b"); err != nil {
			t.Fatalf("with a stale cache file: %v", err)
		}
		got := srv.Counters()
		if got.GetPublicClientConfig != 1 || got.GetOAuth2Metadata != 1 || got.Unauthenticated != 1 {
			t.Fatalf("GetPublicClientConfig %d, GetOAuth2Metadata %d, rejections %d; want the file used, one rejection, then one fresh answer", got.GetPublicClientConfig, got.GetOAuth2Metadata, got.Unauthenticated)
		}
		if data, _ := os.ReadFile(file); !strings.Contains(string(data), "authorizationHeader: authorization") {
			t.Fatalf("cache file not refreshed: %q", data)
		}
	})
}
