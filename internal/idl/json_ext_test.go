package idl_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/internal/idl"
)

func TestMarshalJSONSnakeCase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  any
		want string
	}{
		{"empty", idl.Empty{}, `{}`},
		{"zero metadata", idl.OAuth2Metadata{}, `{}`},
		{"client", clientFixture(), `{"client_id":"flytectl","redirect_uri":"http://localhost:53593/callback",` +
			`"scopes":["offline","all"],"authorization_metadata_key":"flyte-authorization",` +
			`"service_http_endpoint":"https://flyte.local","audience":"aud","dataplane_domain":"development"}`},
		{"metadata omits empty", idl.OAuth2Metadata{Issuer: "i", JwksURI: "j", GrantTypesSupported: []string{}, DeviceAuthorizationEndpoint: "d"},
			`{"issuer":"i","jwks_uri":"j","device_authorization_endpoint":"d"}`},
		{"pointer", &idl.PublicClientConfig{ClientID: "c"}, `{"client_id":"c"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := json.Marshal(tt.msg)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("json.Marshal =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestUnmarshalJSONBothSpellings(t *testing.T) {
	t.Parallel()
	snake := `{"issuer":"https://flyte.local","authorization_endpoint":"https://flyte.local/oauth2/a",
		"token_endpoint":"https://flyte.local/oauth2/t","response_types_supported":["code"],
		"scopes_supported":["all","offline"],"token_endpoint_auth_methods_supported":["client_secret_basic"],
		"jwks_uri":"jwks","code_challenge_methods_supported":["S256"],
		"grant_types_supported":["client_credentials"],"device_authorization_endpoint":"device"}`
	camel := `{"issuer":"https://flyte.local","authorizationEndpoint":"https://flyte.local/oauth2/a",
		"tokenEndpoint":"https://flyte.local/oauth2/t","responseTypesSupported":["code"],
		"scopesSupported":["all","offline"],"tokenEndpointAuthMethodsSupported":["client_secret_basic"],
		"jwksUri":"jwks","codeChallengeMethodsSupported":["S256"],
		"grantTypesSupported":["client_credentials"],"deviceAuthorizationEndpoint":"device"}`
	for name, in := range map[string]string{"snake": snake, "camel": camel} {
		var m idl.OAuth2Metadata
		if err := json.Unmarshal([]byte(in), &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(metadataFixture(), m); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}

	mixed := `{"clientId":"flytectl","redirect_uri":"http://localhost:53593/callback","scopes":["offline","all"],
		"authorizationMetadataKey":"flyte-authorization","service_http_endpoint":"https://flyte.local",
		"audience":"aud","dataplaneDomain":"development","unknown":{"x":[1,2]}}`
	var c idl.PublicClientConfig
	if err := json.Unmarshal([]byte(mixed), &c); err != nil {
		t.Fatalf("mixed: %v", err)
	}
	if diff := cmp.Diff(clientFixture(), c); diff != "" {
		t.Errorf("mixed (-want +got):\n%s", diff)
	}
}

func TestUnmarshalJSONNullAndReset(t *testing.T) {
	t.Parallel()
	c := idl.PublicClientConfig{ClientID: "old", Scopes: []string{"old"}, Audience: "old"}
	if err := json.Unmarshal([]byte(`{"client_id":null,"scopes":null,"audience":"new"}`), &c); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if diff := cmp.Diff(idl.PublicClientConfig{Audience: "new"}, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUnmarshalJSONErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`[]`,
		`"x"`,
		`{"client_id":1}`,
		`{"scopes":"all"}`,
		`{"client_id":"a","clientId":"b"}`,
		`{"client_id":`,
	} {
		var c idl.PublicClientConfig
		if err := json.Unmarshal([]byte(in), &c); err == nil {
			t.Errorf("json.Unmarshal(%s) = nil error, want one", in)
		}
	}
	var e idl.Empty
	if err := json.Unmarshal([]byte(`{"anything":[1,{"a":null}]}`), &e); err != nil {
		t.Errorf("Empty ignores members: %v", err)
	}
	if err := json.Unmarshal([]byte(`[]`), &e); err == nil {
		t.Error("Empty accepts a JSON array")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := clientFixture()
	in.RedirectURI = `http://localhost/cb?a=<b>&c="d"`
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	var out idl.PublicClientConfig
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
