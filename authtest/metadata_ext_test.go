package authtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/internal/idl"
)

func wantMetadata(srv *authtest.Server) idl.OAuth2Metadata {
	u := srv.URL()
	return idl.OAuth2Metadata{
		Issuer:                            u,
		AuthorizationEndpoint:             u + "/oauth2/authorize",
		TokenEndpoint:                     u + "/oauth2/token",
		ResponseTypesSupported:            []string{"code"},
		ScopesSupported:                   []string{"offline", "all"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "none"},
		JwksURI:                           u + "/oauth2/jwks",
		CodeChallengeMethodsSupported:     []string{"S256"},
		GrantTypesSupported: []string{
			"authorization_code", "client_credentials", "refresh_token",
			"urn:ietf:params:oauth:grant-type:device_code",
		},
		DeviceAuthorizationEndpoint: u + "/oauth2/device/auth",
	}
}

func wantClientConfig(srv *authtest.Server, key string) idl.PublicClientConfig {
	return idl.PublicClientConfig{
		ClientID:                 "flytectl",
		RedirectURI:              "http://localhost:53593/callback",
		Scopes:                   []string{"offline", "all"},
		AuthorizationMetadataKey: key,
		ServiceHTTPEndpoint:      srv.URL(),
		Audience:                 srv.URL(),
	}
}

func TestAuthMetadataServiceRPC(t *testing.T) {
	t.Parallel()
	eachTransportAndProtocol(t, nil, func(t *testing.T, srv *authtest.Server, protocol connect.ClientOption) {
		meta := connect.NewClient[idl.Empty, idl.OAuth2Metadata](srv.HTTPClient(),
			srv.URL()+idl.GetOAuth2MetadataProcedure, idl.CodecOptions(), protocol)
		res, err := meta.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
		if err != nil {
			t.Fatalf("GetOAuth2Metadata: %v", err)
		}
		if diff := cmp.Diff(wantMetadata(srv), *res.Msg); diff != "" {
			t.Errorf("metadata (-want +got):\n%s", diff)
		}
		cfg := connect.NewClient[idl.Empty, idl.PublicClientConfig](srv.HTTPClient(),
			srv.URL()+idl.GetPublicClientConfigProcedure, idl.CodecOptions(), protocol)
		for range 2 {
			cres, err := cfg.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
			if err != nil {
				t.Fatalf("GetPublicClientConfig: %v", err)
			}
			if diff := cmp.Diff(wantClientConfig(srv, "authorization"), *cres.Msg); diff != "" {
				t.Errorf("client config (-want +got):\n%s", diff)
			}
		}
		if diff := cmp.Diff(authtest.Counters{GetOAuth2Metadata: 1, GetPublicClientConfig: 2}, srv.Counters()); diff != "" {
			t.Errorf("counters (-want +got):\n%s", diff)
		}
	})
}

func TestAuthMetadataServiceJSONCodec(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	cfg := connect.NewClient[idl.Empty, idl.PublicClientConfig](srv.HTTPClient(),
		srv.URL()+idl.GetPublicClientConfigProcedure, idl.CodecOptions(), idl.WithJSON())
	res, err := cfg.CallUnary(t.Context(), connect.NewRequest(&idl.Empty{}))
	if err != nil {
		t.Fatalf("GetPublicClientConfig: %v", err)
	}
	if diff := cmp.Diff(wantClientConfig(srv, "authorization"), *res.Msg); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAuthMetadataREST(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithAuthorizationMetadataKey("flyte-authorization"))

	res := get(t, srv, srv.URL()+idl.OAuth2MetadataPath, nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("well-known: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var raw map[string]any
	body := readBody(t, res)
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"issuer", "token_endpoint", "device_authorization_endpoint", "grant_types_supported"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("well-known lacks snake_case key %q: %s", key, body)
		}
	}
	var meta idl.OAuth2Metadata
	if err := json.Unmarshal([]byte(body), &meta); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantMetadata(srv), meta); diff != "" {
		t.Errorf("well-known (-want +got):\n%s", diff)
	}

	res = get(t, srv, srv.URL()+idl.PublicClientConfigPath, nil)
	var cfg idl.PublicClientConfig
	decodeJSON(t, res.Body, &cfg)
	if diff := cmp.Diff(wantClientConfig(srv, "flyte-authorization"), cfg); diff != "" {
		t.Errorf("flyte_client (-want +got):\n%s", diff)
	}

	res = get(t, srv, srv.URL()+"/oauth2/jwks", nil)
	if res.StatusCode != http.StatusOK {
		t.Errorf("jwks: status %d", res.StatusCode)
	}
	if diff := cmp.Diff(authtest.Counters{WellKnown: 1, FlyteClient: 1}, srv.Counters()); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithProxyAuth())
	h := http.Header{"Proxy-Authorization": {"Bearer " + srv.IssueProxyToken()}}
	get(t, srv, srv.URL()+idl.OAuth2MetadataPath, h)
	get(t, srv, srv.URL()+idl.OAuth2MetadataPath, nil)
	if c := srv.Counters(); c.WellKnown != 1 || c.ProxyAuthorized != 1 || c.ProxyRejected != 1 {
		t.Fatalf("counters before Reset = %+v", c)
	}
	srv.Reset()
	if diff := cmp.Diff(authtest.Counters{}, srv.Counters()); diff != "" {
		t.Errorf("after Reset (-want +got):\n%s", diff)
	}
	if res := get(t, srv, srv.URL()+idl.OAuth2MetadataPath, h); res.StatusCode != http.StatusOK {
		t.Errorf("proxy token lost by Reset: %d", res.StatusCode)
	}
}

func TestWithoutDeviceFlow(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C(), authtest.WithoutDeviceFlow())
	want := wantMetadata(srv)
	want.DeviceAuthorizationEndpoint = ""
	want.GrantTypesSupported = []string{"authorization_code", "client_credentials", "refresh_token"}

	var got idl.OAuth2Metadata
	decodeJSON(t, get(t, srv, srv.URL()+idl.OAuth2MetadataPath, nil).Body, &got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("well-known (-want +got):\n%s", diff)
	}
	if res := postForm(t, srv, srv.URL()+"/oauth2/device/auth", url.Values{"client_id": {"flytectl"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("device authorization endpoint: status %d, want 404", res.StatusCode)
	}
	res := postForm(t, srv, srv.TokenURL(), url.Values{"grant_type": {deviceGrant}, "device_code": {"x"}, "client_id": {"flytectl"}})
	var e errorAnswer
	decodeJSON(t, res.Body, &e)
	if res.StatusCode != http.StatusBadRequest || e.Error != "unsupported_grant_type" {
		t.Errorf("device grant: %d %q", res.StatusCode, e.Error)
	}
}
