package authtest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/internal/idl"
)

// TestFlyte2Mode: flyteidl2.auth paths only, over every protocol, with
// dataplane_domain; Flyte 1's paths and /config/v1/flyte_client are 404.
func TestFlyte2Mode(t *testing.T) {
	t.Parallel()
	eachTransportAndProtocol(t, []authtest.Option{authtest.WithFlyte2()}, func(t *testing.T, srv *authtest.Server, protocol connect.ClientOption) {
		cfg := connect.NewClient[idl.Empty, idl.PublicClientConfig](srv.HTTPClient(),
			srv.URL()+idl.GetPublicClientConfigProcedureV2, idl.CodecOptions(), protocol)
		res, err := cfg.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
		if err != nil {
			t.Fatalf("GetPublicClientConfig: %v", err)
		}
		want := wantClientConfig(srv, "authorization")
		want.ServiceHTTPEndpoint, want.DataplaneDomain = "", srv.URL()
		if diff := cmp.Diff(want, *res.Msg); diff != "" {
			t.Errorf("client config (-want +got):\n%s", diff)
		}
		meta := connect.NewClient[idl.Empty, idl.OAuth2Metadata](srv.HTTPClient(),
			srv.URL()+idl.GetOAuth2MetadataProcedureV2, idl.CodecOptions(), protocol)
		mres, err := meta.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
		if err != nil {
			t.Fatalf("GetOAuth2Metadata: %v", err)
		}
		if diff := cmp.Diff(wantMetadata(srv), *mres.Msg); diff != "" {
			t.Errorf("metadata (-want +got):\n%s", diff)
		}
		v1 := connect.NewClient[idl.Empty, idl.PublicClientConfig](srv.HTTPClient(),
			srv.URL()+idl.GetPublicClientConfigProcedure, idl.CodecOptions(), protocol)
		if _, err := v1.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{})); connect.CodeOf(err) != connect.CodeUnimplemented || connect.IsWireError(err) {
			t.Errorf("Flyte 1 path: %v, want a 404 read as Unimplemented", err)
		}
		if n := srv.MetadataRequests(idl.GetPublicClientConfigProcedure); n != 1 {
			t.Errorf("MetadataRequests(v1) = %d, want 1", n)
		}
	})
}

func TestFlyte2REST(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2())
	res := get(t, srv, srv.URL()+idl.OAuth2MetadataPath, nil)
	body := readBody(t, res)
	var raw map[string]any
	if err := json.Unmarshal([]byte(body), &raw); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("well-known: %d, %v", res.StatusCode, err)
	}
	for _, key := range []string{"issuer", "tokenEndpoint", "deviceAuthorizationEndpoint", "grantTypesSupported"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("well-known lacks protojson key %q: %s", key, body)
		}
	}
	if strings.Contains(body, "token_endpoint") {
		t.Errorf("well-known has snake_case keys: %s", body)
	}
	if res := get(t, srv, srv.URL()+idl.PublicClientConfigPath, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("flyte_client: %d, want 404", res.StatusCode)
	}
}

func TestWithoutOAuth2Metadata(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2(), authtest.WithoutOAuth2Metadata())
	meta := connect.NewClient[idl.Empty, idl.OAuth2Metadata](srv.HTTPClient(),
		srv.URL()+idl.GetOAuth2MetadataProcedureV2, idl.CodecOptions(), connect.WithGRPC())
	_, err := meta.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
	if connect.CodeOf(err) != connect.CodeUnimplemented || !connect.IsWireError(err) ||
		!strings.Contains(err.Error(), "oauth2 metadata is not configured") {
		t.Fatalf("GetOAuth2Metadata: %v, want a wire Unimplemented", err)
	}
	if res := get(t, srv, srv.URL()+idl.OAuth2MetadataPath, nil); res.StatusCode != http.StatusNotImplemented {
		t.Errorf("well-known: %d, want 501", res.StatusCode)
	}
}
