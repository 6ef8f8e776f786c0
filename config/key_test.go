package config

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// The environment variables flytekit defines for the settings authwire reads.
func TestKeyEnvNames(t *testing.T) {
	t.Parallel()
	var got []string
	for _, k := range keys {
		if e := k.env(); e != "" {
			got = append(got, e)
		}
	}
	want := []string{
		"FLYTE_PLATFORM_URL", "FLYTE_PLATFORM_INSECURE", "FLYTE_PLATFORM_INSECURE_SKIP_VERIFY",
		"FLYTE_PLATFORM_CA_CERT_FILE_PATH", "FLYTE_PLATFORM_HTTP_PROXY_URL", "FLYTE_PLATFORM_CONSOLE_ENDPOINT",
		"FLYTE_CREDENTIALS_AUTH_MODE", "FLYTE_CREDENTIALS_CLIENT_ID", "FLYTE_CREDENTIALS_CLIENT_SECRET",
		"FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION", "FLYTE_CREDENTIALS_CLIENT_SECRET_ENV_VAR",
		"FLYTE_CREDENTIALS_SCOPES", "FLYTE_CREDENTIALS_AUDIENCE", "FLYTE_CREDENTIALS_COMMAND",
		"FLYTE_CREDENTIALS_PROXY_COMMAND",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("env names:\n got %v\nwant %v", got, want)
	}
}

// The environment variables flyte-sdk derives from the YAML paths.
func TestKeySDKEnvNames(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"endpoint":                      "FLYTE_ADMIN_ENDPOINT",
		"authType":                      "FLYTE_ADMIN_AUTHTYPE",
		"caCertFilePath":                "FLYTE_ADMIN_CACERTFILEPATH",
		"disableKeyring":                "FLYTE_ADMIN_DISABLEKEYRING",
		"insecure":                      "FLYTE_ADMIN_INSECURE",
		"clientId":                      "FLYTE_ADMIN_CLIENTID",
		"insecureSkipVerify":            "FLYTE_ADMIN_INSECURESKIPVERIFY",
		"deviceFlowConfig.pollInterval": "FLYTE_ADMIN_DEVICEFLOWCONFIG_POLLINTERVAL",
		"consoleEndpoint":               "FLYTE_CONSOLE_ENDPOINT",
		"org":                           "FLYTE_TASK_ORG",
		"clientSecret":                  "",
	}
	for name, env := range want {
		if got := keysByName[name].sdkEnv(); got != env {
			t.Errorf("key %s: sdkEnv() = %q, want %q", name, got, env)
		}
	}
	for _, k := range keys {
		if k.yaml != "" && k.sdkEnv() == "" {
			t.Errorf("key %s has a YAML path and no flyte-sdk variable", k.name)
		}
	}
}

// docs/config.md documents every key under each of its names.
func TestKeysDocumented(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Fatalf("docs/config.md must document every key: %v", err)
	}
	doc := string(b)
	for _, k := range keys {
		names := []string{k.yaml, k.env(), k.sdkEnv()}
		if section, option, ok := strings.Cut(k.ini, "."); ok {
			names = append(names, "["+section+"] "+option)
		}
		for _, n := range names {
			if n != "" && !strings.Contains(doc, "`"+n+"`") {
				t.Errorf("docs/config.md does not mention `%s` (key %s)", n, k.name)
			}
		}
	}
}
