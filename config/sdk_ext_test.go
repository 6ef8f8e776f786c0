package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/config"
)

// flyte-sdk's FLYTE_ + YAML path variables set every key that has a YAML
// path.
func TestFromEnvSDKNames(t *testing.T) {
	t.Parallel()
	var p config.Platform
	err := config.FromEnv(&p, env(map[string]string{
		"FLYTE_ADMIN_ENDPOINT":                      "dns:///sdk.example.com",
		"FLYTE_ADMIN_INSECURE":                      "false",
		"FLYTE_ADMIN_INSECURESKIPVERIFY":            "true",
		"FLYTE_ADMIN_CACERTFILEPATH":                "/ca.pem",
		"FLYTE_ADMIN_HTTPPROXYURL":                  "http://proxy:3128",
		"FLYTE_CONSOLE_ENDPOINT":                    "https://console",
		"FLYTE_ADMIN_AUTHTYPE":                      "Passthrough",
		"FLYTE_ADMIN_CLIENTID":                      "sdk-client",
		"FLYTE_ADMIN_CLIENTSECRETLOCATION":          "/secret",
		"FLYTE_ADMIN_CLIENTSECRETENVVAR":            "MY_SECRET",
		"FLYTE_ADMIN_SCOPES":                        "a,b",
		"FLYTE_ADMIN_AUDIENCE":                      "aud",
		"FLYTE_ADMIN_USEAUDIENCEFROMADMIN":          "yes",
		"FLYTE_ADMIN_TOKENURL":                      "https://idp/token",
		"FLYTE_ADMIN_AUTHORIZATIONHEADER":           "flyte-authorization",
		"FLYTE_ADMIN_COMMAND":                       "get-token,--raw",
		"FLYTE_ADMIN_PROXYCOMMAND":                  "iap-token",
		"FLYTE_ADMIN_MAXRETRIES":                    "5",
		"FLYTE_ADMIN_PERRETRYTIMEOUT":               "10s",
		"FLYTE_ADMIN_MAXBACKOFFDELAY":               "3s",
		"FLYTE_ADMIN_TOKENREFRESHWINDOW":            "1m",
		"FLYTE_ADMIN_PKCECONFIG_TIMEOUT":            "2m",
		"FLYTE_ADMIN_PKCECONFIG_REFRESHTIME":        "3m",
		"FLYTE_ADMIN_DEVICEFLOWCONFIG_TIMEOUT":      "4m",
		"FLYTE_ADMIN_DEVICEFLOWCONFIG_REFRESHTIME":  "5m",
		"FLYTE_ADMIN_DEVICEFLOWCONFIG_POLLINTERVAL": "6s",
		"FLYTE_ADMIN_TOKENCACHE":                    "memory",
		"FLYTE_ADMIN_DISABLEKEYRING":                "True",
		"FLYTE_TASK_ORG":                            "acme",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Platform{
		Endpoint: "sdk.example.com", InsecureSkipVerify: true, CACertFilePath: "/ca.pem",
		HTTPProxyURL: "http://proxy:3128", ConsoleEndpoint: "https://console",
		AuthType: config.AuthPassthrough, ClientID: "sdk-client", ClientSecretLocation: "/secret", ClientSecretEnvVar: "MY_SECRET",
		Scopes: []string{"a", "b"}, Audience: "aud", UseAudienceFromAdmin: true, TokenURL: "https://idp/token",
		AuthorizationHeader: "flyte-authorization", Command: []string{"get-token", "--raw"}, ProxyCommand: []string{"iap-token"},
		MaxRetries: 5, PerRetryTimeout: 10 * time.Second, MaxBackoffDelay: 3 * time.Second, TokenRefreshWindow: time.Minute,
		PKCE:       config.PKCEConfig{Timeout: 2 * time.Minute, RefreshTime: 3 * time.Minute},
		DeviceFlow: config.DeviceFlowConfig{Timeout: 4 * time.Minute, RefreshTime: 5 * time.Minute, PollInterval: 6 * time.Second},
		TokenCache: "memory", DisableKeyring: true, Org: "acme",
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("FromEnv mismatch (-want +got):\n%s", diff)
	}
}

// When flytekit's and flyte-sdk's spelling of one key are both set,
// flyte-sdk's wins; differing values are reported.
func TestEnvSpellingPrecedence(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		vars     map[string]string
		want     string
		warnings []string
	}{
		{"flytekit only", map[string]string{"FLYTE_PLATFORM_URL": "kit"}, "kit", nil},
		{"flyte-sdk only", map[string]string{"FLYTE_ADMIN_ENDPOINT": "sdk"}, "sdk", nil},
		{"both, different", map[string]string{"FLYTE_PLATFORM_URL": "kit", "FLYTE_ADMIN_ENDPOINT": "sdk"}, "sdk",
			[]string{"config: FLYTE_PLATFORM_URL: ignored: FLYTE_ADMIN_ENDPOINT is set too, and wins"}},
		{"both, same", map[string]string{"FLYTE_PLATFORM_URL": "same", "FLYTE_ADMIN_ENDPOINT": "same"}, "same", nil},
		{"blank flyte-sdk value", map[string]string{"FLYTE_PLATFORM_URL": "kit", "FLYTE_ADMIN_ENDPOINT": " "}, "kit", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var w warnings
			p := config.Platform{Endpoint: "file"}
			if err := config.FromEnv(&p, env(tc.vars), w.option()); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range w.get() {
				got = append(got, x.String())
			}
			if p.Endpoint != tc.want || !cmp.Equal(got, tc.warnings) {
				t.Fatalf("endpoint %q, warnings %q; want %q, %q", p.Endpoint, got, tc.want, tc.warnings)
			}
		})
	}
}

// Only the winning spelling is parsed; an error names it.
func TestEnvSpellingErrorNamesTheWinner(t *testing.T) {
	t.Parallel()
	var p config.Platform
	err := config.FromEnv(&p, env(map[string]string{"FLYTE_PLATFORM_INSECURE": "true", "FLYTE_ADMIN_INSECURE": "sure"}))
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Key != "FLYTE_ADMIN_INSECURE" {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadFlyteSDKKeys(t *testing.T) {
	t.Parallel()
	path := writeFile(t, t.TempDir(), "c.yaml", "admin:\n  endpoint: h\n  authType: passthrough\n  disableKeyring: true\ntask:\n  org: acme\n  project: p\n  domain: development\nimage:\n  builder: remote\n")
	var w warnings
	p, err := config.Load(path, noEnv, w.option())
	if err != nil {
		t.Fatal(err)
	}
	if p.AuthType != config.AuthPassthrough || !p.DisableKeyring || p.Org != "acme" {
		t.Fatalf("Load = %+v", *p)
	}
	if got := w.get(); len(got) != 0 {
		t.Fatalf("warnings for flyte-sdk's other sections: %v", got)
	}
}

func TestParsePassthrough(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"Passthrough", "passthrough", " PASSTHROUGH "} {
		if a, err := config.ParseAuthType(s); err != nil || a != config.AuthPassthrough || a.String() != "Passthrough" {
			t.Errorf("ParseAuthType(%q) = %v, %v", s, a, err)
		}
	}
}

func TestValidateDisableKeyring(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cache   string
		wantErr bool
	}{{"", false}, {"auto", false}, {"file", false}, {"memory", false}, {"keyring", true}, {"Keyring", true}} {
		p := config.Platform{Endpoint: "h", DisableKeyring: true, TokenCache: tc.cache}
		err := p.Validate()
		var fe *config.FieldError
		if tc.wantErr != (err != nil) || (err != nil && (!errors.As(err, &fe) || fe.Key != "tokenCache" || !strings.Contains(err.Error(), "disableKeyring"))) {
			t.Errorf("tokenCache %q: Validate = %v", tc.cache, err)
		}
	}
}

// With no file, the environment alone gives a usable Platform and an empty
// path.
func TestDiscoverEnvOnlyFlyteSDK(t *testing.T) {
	t.Parallel()
	secret := randomSecret(t)
	for _, tc := range []struct {
		name string
		vars map[string]string
		want config.Platform
	}{
		{"API key", map[string]string{"FLYTE_API_KEY": b64("dns:///flyte.example.com:id:" + secret + ":acme")},
			config.Platform{Endpoint: "flyte.example.com", AuthType: config.AuthClientSecret, ClientID: "id", ClientSecret: secret, Org: "acme"}},
		{"FLYTE_ADMIN_ENDPOINT", map[string]string{"FLYTE_ADMIN_ENDPOINT": "dns:///flyte.example.com", "FLYTE_ADMIN_AUTHTYPE": "DeviceFlow"},
			config.Platform{Endpoint: "flyte.example.com", AuthType: config.AuthDeviceFlow}},
		{"FLYTE_PLATFORM_URL", map[string]string{"FLYTE_PLATFORM_URL": "flyte.example.com"},
			config.Platform{Endpoint: "flyte.example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			p, path, err := config.Discover(config.WithHomeDir(root), config.WithWorkDir(root), env(tc.vars))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *p); path != "" || diff != "" {
				t.Fatalf("path %q, Platform (-want +got):\n%s", path, diff)
			}
		})
	}
}
