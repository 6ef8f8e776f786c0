package authn_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
)

// flyteSDKFile is a cache file as flyte-sdk's yaml.safe_dump writes it.
const flyteSDKFile = `authType: Pkce
clientId: sdk-client
insecure: false
authorizationHeader: flyte-authorization
redirectUri: http://localhost:53593/callback
scopes:
- all
- offline
audience: null
`

func TestPublicConfigCacheFile(t *testing.T) {
	t.Parallel()
	for endpoint, want := range map[string]string{
		"dns:///flyte.example.org":    "flyte.example.org.yaml",
		"https://flyte.example.org/":  "flyte.example.org.yaml",
		"http://localhost:8090":       "localhost:8090.yaml",
		"flyte.example.org:443":       "flyte.example.org:443.yaml",
		"dns:///flyte.example.org:81": "flyte.example.org:81.yaml",
	} {
		got, err := authn.PublicConfigCacheFile("/c", endpoint)
		if err != nil || got != filepath.Join("/c", want) {
			t.Errorf("PublicConfigCacheFile(%q) = %q, %v; want /c/%s", endpoint, got, err, want)
		}
	}
	for _, bad := range []string{"", "dns:///", "https://a/b", ".."} {
		if _, err := authn.PublicConfigCacheFile("/c", bad); err == nil {
			t.Errorf("PublicConfigCacheFile(%q) = nil error", bad)
		}
	}
}

// TestPublicConfigCacheHonoursFlyteSDKFile: a file flyte-sdk wrote answers
// for GetPublicClientConfig on a cold start, on either backend, and
// GetOAuth2Metadata decides the generation.
func TestPublicConfigCacheHonoursFlyteSDKFile(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		opts []authtest.Option
		want authn.API
	}{"flyte1": {nil, authn.APIV1}, "flyte2": {[]authtest.Option{authtest.WithFlyte2()}, authn.APIV2}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t, tc.opts...)
			file := filepath.Join(t.TempDir(), "cache", srv.Endpoint()+".yaml")
			if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(flyteSDKFile), 0o600); err != nil {
				t.Fatal(err)
			}
			store := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), authn.WithPublicConfigCache(file, "Pkce", false))
			cc, err := store.ClientConfig(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if cc.ClientID != "sdk-client" || cc.AuthorizationMetadataKey != "flyte-authorization" || cc.TokenEndpoint != srv.TokenURL() || cc.API != tc.want {
				t.Fatalf("config %+v", cc)
			}
			if c := srv.Counters(); c.GetPublicClientConfig != 0 || c.GetOAuth2Metadata != 1 {
				t.Fatalf("%d GetPublicClientConfig, %d GetOAuth2Metadata; want only GetOAuth2Metadata", c.GetPublicClientConfig, c.GetOAuth2Metadata)
			}
			// flyte-sdk's keys stay as they were; authwire's key is added.
			got := readCacheFile(t, file)
			if got["clientId"] != "sdk-client" || got["authorizationHeader"] != "flyte-authorization" || got["authwireOAuth2Metadata"] == nil {
				t.Fatalf("file after the first discovery: %v", got)
			}
			// A rejection makes the next discovery ask the server and rewrite
			// the file with its answer.
			store.Rejected()
			cc, err = store.ClientConfig(t.Context())
			if err != nil || cc.ClientID != "flytectl" {
				t.Fatalf("after a rejection: %+v, %v", cc, err)
			}
			got = readCacheFile(t, file)
			if got["clientId"] != "flytectl" || got["authorizationHeader"] != "authorization" || got["authType"] != "Pkce" {
				t.Fatalf("file not refreshed: %v", got)
			}
		})
	}
}

func readCacheFile(t *testing.T, file string) map[string]any {
	t.Helper()
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file mode %v, want 0600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPublicConfigCacheWrittenOnColdStart(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2(), authtest.WithDataplaneDomain("https://dp.example.org"))
	file := filepath.Join(t.TempDir(), "new", "dir", "x.yaml")
	store := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), authn.WithPublicConfigCache(file, "ClientSecret", true))
	if _, err := store.ClientConfig(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := readCacheFile(t, file)
	want := map[string]any{
		"authType": "ClientSecret", "clientId": "flytectl", "insecure": true, "authorizationHeader": "authorization",
		"redirectUri": "http://localhost:53593/callback", "scopes": []any{"offline", "all"}, "audience": srv.URL(),
		"dataplaneDomain": "https://dp.example.org",
		"authwireOAuth2Metadata": map[string]any{
			"api": "v2", "issuer": srv.URL(), "tokenEndpoint": srv.TokenURL(),
			"authorizationEndpoint":       srv.URL() + "/oauth2/authorize",
			"deviceAuthorizationEndpoint": srv.URL() + "/oauth2/device/auth",
			"scopesSupported":             []any{"offline", "all"},
			"grantTypesSupported":         []any{"authorization_code", "client_credentials", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("cache file (-want +got):\n%s", diff)
	}
	// A second store (the next program) answers from the file alone.
	srv.Reset()
	store = authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), authn.WithPublicConfigCache(file, "ClientSecret", true))
	cc, err := store.ClientConfig(t.Context())
	if err != nil || cc.DataplaneDomain != "https://dp.example.org" || cc.TokenEndpoint != srv.TokenURL() || cc.API != authn.APIV2 || store.API() != authn.APIV2 {
		t.Fatalf("second program: %+v, %v", cc, err)
	}
	if c := srv.Counters(); c.GetPublicClientConfig != 0 || c.GetOAuth2Metadata != 0 {
		t.Fatalf("second program: %d+%d RPCs, want none", c.GetPublicClientConfig, c.GetOAuth2Metadata)
	}
	// A rejection drops the file's answer: the next discovery asks the server.
	store.Rejected()
	if _, err := store.ClientConfig(t.Context()); err != nil {
		t.Fatal(err)
	}
	if c := srv.Counters(); c.GetPublicClientConfig != 1 || c.GetOAuth2Metadata != 1 {
		t.Fatalf("after a rejection: %d+%d RPCs, want one of each", c.GetPublicClientConfig, c.GetOAuth2Metadata)
	}
}

func TestPublicConfigCacheIgnoresBadFiles(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"malformed":  "clientId: [unterminated\n",
		"incomplete": "clientId: x\n",
		// Never trusted more than the server: cleartext to a remote token
		// endpoint without insecure, a bad endpoint, an unknown generation.
		"cleartext token endpoint": flyteSDKFile + "authwireOAuth2Metadata:\n  api: v1\n  tokenEndpoint: http://idp.example.org/token\n",
		"relative token endpoint":  flyteSDKFile + "authwireOAuth2Metadata:\n  api: v1\n  tokenEndpoint: /token\n",
		"unknown generation":       flyteSDKFile + "authwireOAuth2Metadata:\n  api: v9\n  tokenEndpoint: https://idp.example.org/token\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t)
			file := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			cc, err := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), authn.WithPublicConfigCache(file, "Pkce", false)).ClientConfig(t.Context())
			if err != nil || cc.ClientID != "flytectl" || cc.TokenEndpoint != srv.TokenURL() {
				t.Fatalf("config %+v, %v", cc, err)
			}
			if c := srv.Counters(); c.GetPublicClientConfig != 1 || c.GetOAuth2Metadata != 1 {
				t.Fatalf("%d+%d RPCs, want the file ignored and both asked", c.GetPublicClientConfig, c.GetOAuth2Metadata)
			}
			if got := readCacheFile(t, file); got["clientId"] != "flytectl" {
				t.Fatalf("bad file not replaced: %v", got)
			}
		})
	}
}

// TestPublicConfigCacheKeepsNoOAuth2Metadata: Flyte 2's "no OAuth2 metadata"
// answer is cached too, and a store pinned to the other generation ignores
// the file's metadata part.
func TestPublicConfigCacheKeepsNoOAuth2Metadata(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2(), authtest.WithoutOAuth2Metadata())
	file := filepath.Join(t.TempDir(), "c.yaml")
	opt := authn.WithPublicConfigCache(file, "Pkce", false)
	if _, err := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), opt).ClientConfig(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.Reset()
	cc, err := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), opt).ClientConfig(t.Context())
	if err != nil || !cc.NoOAuth2Metadata || cc.TokenEndpoint != "" || cc.API != authn.APIV2 {
		t.Fatalf("from the file: %+v, %v", cc, err)
	}
	if c := srv.Counters(); c.GetPublicClientConfig+c.GetOAuth2Metadata != 0 {
		t.Fatalf("%d+%d RPCs, want none", c.GetPublicClientConfig, c.GetOAuth2Metadata)
	}
	// Pinned to Flyte 1, the file's Flyte 2 metadata is not used.
	v1 := authtest.New(t)
	v1File := filepath.Join(t.TempDir(), "c.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(v1File, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cc, err = authn.NewRemoteConfigStore(v1.HTTPClient(), v1.URL(), authn.WithAPI(authn.APIV1), authn.WithPublicConfigCache(v1File, "Pkce", false)).ClientConfig(t.Context())
	if err != nil || cc.NoOAuth2Metadata || cc.TokenEndpoint != v1.TokenURL() || cc.API != authn.APIV1 {
		t.Fatalf("pinned v1: %+v, %v", cc, err)
	}
	if c := v1.Counters(); c.GetOAuth2Metadata != 1 || c.GetPublicClientConfig != 0 {
		t.Fatalf("pinned v1: %d+%d RPCs, want GetOAuth2Metadata only", c.GetPublicClientConfig, c.GetOAuth2Metadata)
	}
}

// TestPublicConfigCacheRejectionRedetects: the generation a file recorded is
// not the server's word; after a rejection the store detects it again.
func TestPublicConfigCacheRejectionRedetects(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2())
	file := filepath.Join(t.TempDir(), "c.yaml")
	content := flyteSDKFile + "authwireOAuth2Metadata:\n  api: v1\n  tokenEndpoint: " + srv.TokenURL() + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	store := authn.NewRemoteConfigStore(srv.HTTPClient(), srv.URL(), authn.WithPublicConfigCache(file, "Pkce", false))
	cc, err := store.ClientConfig(t.Context())
	if err != nil || cc.API != authn.APIV1 || cc.ClientID != "sdk-client" {
		t.Fatalf("from the file: %+v, %v", cc, err)
	}
	store.Rejected()
	cc, err = store.ClientConfig(t.Context())
	if err != nil || cc.API != authn.APIV2 || cc.ClientID != "flytectl" {
		t.Fatalf("after a rejection: %+v, %v", cc, err)
	}
	if got := readCacheFile(t, file)["authwireOAuth2Metadata"].(map[string]any); got["api"] != "v2" {
		t.Fatalf("file not rewritten: %v", got)
	}
}
