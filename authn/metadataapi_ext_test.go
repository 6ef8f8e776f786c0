package authn_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/idl"
)

var (
	v1Paths = []string{idl.GetOAuth2MetadataProcedure, idl.GetPublicClientConfigProcedure}
	v2Paths = []string{idl.GetOAuth2MetadataProcedureV2, idl.GetPublicClientConfigProcedureV2}
)

func requests(srv *authtest.Server, paths []string) (n int64) {
	for _, p := range paths {
		n += srv.MetadataRequests(p)
	}
	return n
}

// TestRemoteStoreDetectsTheGeneration: auto asks each path once on the
// first discovery, remembers the generation, and later asks only it; a
// pinned generation never asks the other one.
func TestRemoteStoreDetectsTheGeneration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		server         []authtest.Option
		api            authn.API
		want           authn.API
		firstV1, first int64 // v1 requests, v2 requests on the first discovery
	}{
		{"flyte1 auto", nil, authn.APIAuto, authn.APIV1, 2, 2},
		{"flyte2 auto", []authtest.Option{authtest.WithFlyte2()}, authn.APIAuto, authn.APIV2, 2, 2},
		{"flyte1 pinned", nil, authn.APIV1, authn.APIV1, 2, 0},
		{"flyte2 pinned", []authtest.Option{authtest.WithFlyte2()}, authn.APIV2, authn.APIV2, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t, tt.server...)
			store := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), authn.WithAPI(tt.api))
			cc, err := store.ClientConfig(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if cc.API != tt.want || store.API() != tt.want || cc.TokenEndpoint != srv.TokenURL() || cc.ClientID != "flytectl" {
				t.Fatalf("API %v (store %v), config %+v; want %v", cc.API, store.API(), cc, tt.want)
			}
			if v1, v2 := requests(srv, v1Paths), requests(srv, v2Paths); v1 != tt.firstV1 || v2 != tt.first {
				t.Fatalf("first discovery: %d v1 and %d v2 requests, want %d and %d", v1, v2, tt.firstV1, tt.first)
			}
			if srv.Counters().WellKnown+srv.Counters().FlyteClient != 0 {
				t.Fatalf("REST routes asked although the RPCs answered")
			}
			srv.Reset()
			store.Invalidate()
			if _, err := store.ClientConfig(t.Context()); err != nil {
				t.Fatal(err)
			}
			other := v2Paths
			if tt.want == authn.APIV2 {
				other = v1Paths
			}
			if n := requests(srv, other); n != 0 {
				t.Fatalf("second discovery asked the other generation %d times", n)
			}
			if c := srv.Counters(); c.GetOAuth2Metadata != 1 || c.GetPublicClientConfig != 1 {
				t.Fatalf("second discovery: %d+%d RPCs, want 1+1", c.GetOAuth2Metadata, c.GetPublicClientConfig)
			}
		})
	}
}

func TestRemoteStoreFlyte2Fields(t *testing.T) {
	t.Parallel()
	for _, p := range []authn.Protocol{authn.ProtocolConnect, authn.ProtocolGRPC, authn.ProtocolGRPCWeb} {
		srv := authtest.New(t, authtest.WithFlyte2(), authtest.WithDataplaneDomain("https://dp.example.org"))
		cc, err := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), authn.WithProtocol(p)).ClientConfig(t.Context())
		if err != nil {
			t.Fatalf("protocol %d: %v", p, err)
		}
		if cc.DataplaneDomain != "https://dp.example.org" || cc.AuthorizationMetadataKey != "authorization" || cc.NoOAuth2Metadata {
			t.Fatalf("protocol %d: config %+v", p, cc)
		}
	}
}

func TestRemoteStoreFlyte2WithoutOAuth2Metadata(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2(), authtest.WithoutOAuth2Metadata())
	cc, err := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL()).ClientConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !cc.NoOAuth2Metadata || cc.TokenEndpoint != "" || cc.API != authn.APIV2 || cc.ClientID != "flytectl" {
		t.Fatalf("config %+v", cc)
	}
	if srv.Counters().WellKnown != 0 {
		t.Fatal("a Flyte 2 server was asked its well-known route")
	}
}

// gatedV2 serves Flyte 2's RPCs; GetOAuth2Metadata answers only once
// GetPublicClientConfig has arrived, so a client that calls them one after
// the other times out.
func gatedV2(t *testing.T) *httptest.Server {
	t.Helper()
	arrived := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle(idl.GetOAuth2MetadataProcedureV2, connect.NewUnaryHandler(idl.GetOAuth2MetadataProcedureV2,
		func(ctx context.Context, _ *connect.Request[idl.Empty]) (*connect.Response[idl.OAuth2Metadata], error) {
			select {
			case <-arrived:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return connect.NewResponse(&idl.OAuth2Metadata{TokenEndpoint: "https://idp.example.org/token"}), nil
		}, idl.CodecOptions()))
	mux.Handle(idl.GetPublicClientConfigProcedureV2, connect.NewUnaryHandler(idl.GetPublicClientConfigProcedureV2,
		func(context.Context, *connect.Request[idl.Empty]) (*connect.Response[idl.PublicClientConfig], error) {
			close(arrived)
			return connect.NewResponse(&idl.PublicClientConfig{ClientID: "cli"}), nil
		}, idl.CodecOptions()))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestRemoteStoreAsksBothRPCsConcurrently(t *testing.T) {
	t.Parallel()
	srv := gatedV2(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	cc, err := authn.NewRemoteConfigStore(srv.Client(), srv.URL, authn.WithAPI(authn.APIV2)).ClientConfig(ctx)
	if err != nil || cc.TokenEndpoint != "https://idp.example.org/token" {
		t.Fatalf("config %+v, %v", cc, err)
	}
}

// grpcAnswer writes a gRPC response whose only message declares size bytes
// but carries none of them.
func grpcAnswer(w http.ResponseWriter, size uint32) {
	w.Header().Set("Content-Type", "application/grpc")
	w.Header().Set("Trailer", "Grpc-Status")
	var prefix [5]byte
	binary.BigEndian.PutUint32(prefix[1:], size)
	w.Write(prefix[:])
	w.Header().Set("Grpc-Status", "0")
}

// TestRemoteStoreBadAnswers: every bad answer is a typed error, no answer
// is cached, and the requests stay bounded.
func TestRemoteStoreBadAnswers(t *testing.T) {
	t.Parallel()
	html := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			io.WriteString(w, "<html>ingress</html>")
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    errs.Code
		maxReqs int64
	}{
		{"404 html", html(http.StatusNotFound), errs.Unimplemented, 6},
		{"200 html", html(http.StatusOK), errs.Unimplemented, 6},
		{"401 html", html(http.StatusUnauthorized), errs.Unauthenticated, 4},
		{"403 html", html(http.StatusForbidden), errs.PermissionDenied, 4},
		{"proxy 407", html(http.StatusProxyAuthRequired), errs.Unauthenticated, 4},
		{"proxy 407 on the REST routes", func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/flyteidl") {
				http.NotFound(w, r)
				return
			}
			html(http.StatusProxyAuthRequired)(w, r)
		}, errs.Unauthenticated, 6},
		{"flyte2 answering 500", func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/flyteidl2.") {
				http.Error(w, "boom", http.StatusInternalServerError)
				return
			}
			http.NotFound(w, r)
		}, errs.Unavailable, 4},
		{"100 MB answer", func(w http.ResponseWriter, _ *http.Request) { grpcAnswer(w, 100<<20) }, errs.ResourceExhausted, 4},
		{"invalid token endpoint", func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case idl.OAuth2MetadataPath:
				io.WriteString(w, `{"token_endpoint":"not a url"}`)
			case idl.PublicClientConfigPath:
				io.WriteString(w, `{"client_id":"cli"}`)
			default:
				http.NotFound(w, r)
			}
		}, errs.Internal, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				tt.handler(w, r)
			}))
			srv.EnableHTTP2 = true
			srv.StartTLS()
			t.Cleanup(srv.Close)
			store := authn.NewRemoteConfigStore(srv.Client(), srv.URL)
			for range 2 { // the failure is not cached: each call asks again
				before := hits.Load()
				_, err := store.ClientConfig(t.Context())
				if got := errs.CodeOf(err); got != tt.want {
					t.Fatalf("code %v (%v), want %v", got, err, tt.want)
				}
				e, ok := errors.AsType[*errs.Error](err)
				if !ok || !strings.Contains(err.Error(), srv.URL) {
					t.Fatalf("error %q is not an *errs.Error naming the server", err)
				}
				if strings.Contains(tt.name, "proxy") && !strings.Contains(e.Hint, "proxyCommand") {
					t.Fatalf("hint %q does not name proxyCommand", e.Hint)
				}
				if n := hits.Load() - before; n == 0 || n > tt.maxReqs {
					t.Fatalf("%d requests, want 1..%d", n, tt.maxReqs)
				}
			}
			if store.API() != authn.APIAuto {
				t.Fatalf("API %v detected from a failure", store.API())
			}
		})
	}
}

func TestRemoteStoreServerDown(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := authn.NewRemoteConfigStore(http.DefaultClient, url).ClientConfig(t.Context())
	if errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("err = %v, want Unavailable", err)
	}
}

func TestParseAPI(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]authn.API{"": authn.APIAuto, "auto": authn.APIAuto, "V1": authn.APIV1, "v2": authn.APIV2} {
		if got, err := authn.ParseAPI(in); err != nil || got != want {
			t.Errorf("ParseAPI(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := authn.ParseAPI("v3"); errs.CodeOf(err) != errs.InvalidArgument {
		t.Errorf("ParseAPI(v3) = %v", err)
	}
}
