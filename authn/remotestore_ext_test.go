package authn_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/errs"
)

func TestRemoteStoreAsksOncePerStack(t *testing.T) {
	t.Parallel()
	for _, proto := range []struct {
		name string
		opts []authn.StoreOption
	}{
		{"grpc", nil},
		{"connect", []authn.StoreOption{authn.WithProtocol(authn.ProtocolConnect)}},
		{"grpcweb", []authn.StoreOption{authn.WithProtocol(authn.ProtocolGRPCWeb)}},
	} {
		t.Run(proto.name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t)
			store := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), proto.opts...)
			var wg sync.WaitGroup
			results := make([]*authn.ClientConfig, 50)
			for i := range results {
				wg.Go(func() {
					cc, err := store.ClientConfig(t.Context())
					if err != nil {
						t.Error(err)
					}
					results[i] = cc
				})
			}
			wg.Wait()
			got := srv.Counters()
			if got.GetOAuth2Metadata != 1 || got.GetPublicClientConfig != 1 || got.WellKnown+got.FlyteClient != 0 {
				t.Fatalf("metadata calls: rpc %d+%d, rest %d+%d; want one RPC each", got.GetOAuth2Metadata, got.GetPublicClientConfig, got.WellKnown, got.FlyteClient)
			}
			cc := results[0]
			if cc.TokenEndpoint != srv.TokenURL() || cc.ClientID != "flytectl" || cc.RedirectURI != "http://localhost:53593/callback" {
				t.Fatalf("client config = %+v", cc)
			}
			if diff := cmp.Diff([]string{"offline", "all"}, cc.Scopes); diff != "" {
				t.Fatalf("scopes (-want +got):\n%s", diff)
			}
		})
	}
}

// restOnly serves the two REST routes and answers 404 to everything else;
// while failing is set it answers 503 to everything.
func restOnly(t *testing.T, failing *atomic.Bool) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1); failing != nil && failing.Load() {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		switch r.URL.Path {
		case "/.well-known/oauth-authorization-server":
			io.WriteString(w, `{"issuer":"x","token_endpoint":"https://idp.example.org/token","scopes_supported":["a"]}`)
		case "/config/v1/flyte_client":
			io.WriteString(w, `{"clientId":"cli","redirectUri":"http://localhost:53593/callback","authorizationMetadataKey":"flyte-authorization"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestRemoteStoreFallsBackToREST(t *testing.T) {
	t.Parallel()
	srv, _ := restOnly(t, nil)
	cc, err := authn.NewRemoteConfigStore(srv.Client(), srv.URL).ClientConfig(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if cc.TokenEndpoint != "https://idp.example.org/token" || cc.ClientID != "cli" || cc.AuthorizationMetadataKey != "flyte-authorization" {
		t.Fatalf("client config = %+v", cc)
	}
}

func TestRemoteStoreDoesNotCacheFailures(t *testing.T) {
	t.Parallel()
	var failing atomic.Bool
	failing.Store(true)
	srv, hits := restOnly(t, &failing)
	store := authn.NewRemoteConfigStore(srv.Client(), srv.URL)
	_, err := store.ClientConfig(t.Context())
	if errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("first call: %v, want Unavailable", err)
	}
	failing.Store(false)
	if _, err := store.ClientConfig(t.Context()); err != nil {
		t.Fatalf("second call: %v", err)
	}
	before := hits.Load()
	if _, err := store.ClientConfig(t.Context()); err != nil || hits.Load() != before {
		t.Fatalf("third call: %v, %d more requests; want the cached answer", err, hits.Load()-before)
	}
}

func TestRemoteStoreReportsAbsentService(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	_, err := authn.NewRemoteConfigStore(srv.Client(), srv.URL).ClientConfig(t.Context())
	if errs.CodeOf(err) != errs.Unimplemented {
		t.Fatalf("err = %v, want Unimplemented", err)
	}
}
