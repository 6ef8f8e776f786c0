package config_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/config"
)

func TestFromEnv(t *testing.T) {
	t.Parallel()
	secret := randomSecret(t)
	p := config.Platform{Endpoint: "file.example.com", ClientID: "from-file", MaxRetries: 7}
	err := config.FromEnv(&p, env(map[string]string{
		"FLYTE_PLATFORM_URL":                       "dns:///env.example.com:443",
		"FLYTE_PLATFORM_INSECURE":                  "NO",
		"FLYTE_PLATFORM_INSECURE_SKIP_VERIFY":      "1",
		"FLYTE_PLATFORM_CA_CERT_FILE_PATH":         "/etc/ca.pem",
		"FLYTE_PLATFORM_HTTP_PROXY_URL":            "http://proxy:3128",
		"FLYTE_PLATFORM_CONSOLE_ENDPOINT":          "https://console",
		"FLYTE_CREDENTIALS_CLIENT_ID":              "from-env",
		"FLYTE_CREDENTIALS_CLIENT_SECRET":          secret,
		"FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION": "/secrets/id",
		"FLYTE_CREDENTIALS_CLIENT_SECRET_ENV_VAR":  "MY_SECRET",
		"FLYTE_CREDENTIALS_SCOPES":                 "openid,offline_access",
		"FLYTE_CREDENTIALS_AUTH_MODE":              "ExternalCommand",
		"FLYTE_CREDENTIALS_AUDIENCE":               "aud",
		"FLYTE_CREDENTIALS_COMMAND":                "get-token, --scope, all",
		"FLYTE_CREDENTIALS_PROXY_COMMAND":          "gcloud,auth,print-identity-token",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Platform{
		Endpoint:             "env.example.com:443",
		InsecureSkipVerify:   true,
		CACertFilePath:       "/etc/ca.pem",
		HTTPProxyURL:         "http://proxy:3128",
		ConsoleEndpoint:      "https://console",
		ClientID:             "from-env",
		ClientSecret:         secret,
		ClientSecretLocation: "/secrets/id",
		ClientSecretEnvVar:   "MY_SECRET",
		Scopes:               []string{"openid", "offline_access"},
		AuthType:             config.AuthExternalCommand,
		Audience:             "aud",
		Command:              []string{"get-token", "--scope", "all"},
		ProxyCommand:         []string{"gcloud", "auth", "print-identity-token"},
		MaxRetries:           7,
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("FromEnv mismatch (-want +got):\n%s", diff)
	}
}

func TestFromEnvLeavesUnsetAndBlankAlone(t *testing.T) {
	t.Parallel()
	p := config.Platform{Endpoint: "h", Insecure: true, Scopes: []string{"a"}}
	want := p
	if err := config.FromEnv(&p, env(map[string]string{"FLYTE_PLATFORM_URL": " ", "FLYTE_CREDENTIALS_SCOPES": ""})); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestFromEnvErrorLeavesPlatformUnchanged(t *testing.T) {
	t.Parallel()
	p := config.Platform{Endpoint: "h"}
	err := config.FromEnv(&p, env(map[string]string{"FLYTE_PLATFORM_URL": "other", "FLYTE_PLATFORM_INSECURE": "nope"}))
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Key != "FLYTE_PLATFORM_INSECURE" || fe.Value != "nope" || fe.File != "" {
		t.Fatalf("err = %#v", err)
	}
	if p.Endpoint != "h" {
		t.Fatalf("Endpoint = %q after a failed FromEnv", p.Endpoint)
	}
}
