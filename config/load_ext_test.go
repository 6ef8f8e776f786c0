package config_test

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/config"
)

func TestLoadFixtures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want func(dir string) config.Platform
	}{
		{"sandbox.yaml", func(string) config.Platform {
			return config.Platform{
				Endpoint:        "localhost:30080",
				Insecure:        true,
				AuthType:        config.AuthPKCE,
				ConsoleEndpoint: "http://localhost:30080",
			}
		}},
		{"client-secret.yaml", func(dir string) config.Platform {
			return config.Platform{
				Endpoint:             "flyte.example.com:443",
				AuthType:             config.AuthClientSecret,
				ClientID:             "flytepropeller",
				ClientSecretLocation: filepath.Join(dir, "client_secret"),
				Scopes:               []string{"all"},
				Audience:             "https://flyte.example.com",
				MaxRetries:           5,
				PerRetryTimeout:      30 * time.Second,
				MaxBackoffDelay:      10 * time.Second,
				TokenRefreshWindow:   2 * time.Minute,
			}
		}},
		{"pkce-header.yaml", func(string) config.Platform {
			return config.Platform{
				Endpoint:            "flyte.corp.example.com",
				AuthType:            config.AuthPKCE,
				ClientID:            "flytectl",
				AuthorizationHeader: "flyte-authorization",
				CACertFilePath:      "/etc/ssl/certs/corp-root-ca.pem",
				Scopes:              []string{"openid", "offline_access"},
				PKCE:                config.PKCEConfig{Timeout: 3 * time.Minute, RefreshTime: 10 * time.Minute},
				TokenCache:          "keyring",
				ConsoleEndpoint:     "https://flyte.corp.example.com/console",
			}
		}},
		{"device-flow.yaml", func(string) config.Platform {
			return config.Platform{
				Endpoint:             "flyte.example.org:443",
				AuthType:             config.AuthDeviceFlow,
				ClientID:             "flyte-device",
				UseAudienceFromAdmin: true,
				DeviceFlow:           config.DeviceFlowConfig{Timeout: 10 * time.Minute, RefreshTime: 5 * time.Minute, PollInterval: 5 * time.Second},
				TokenCache:           "file",
			}
		}},
		{"iap.yaml", func(string) config.Platform {
			return config.Platform{
				Endpoint: "flyte.internal.example.com",
				AuthType: config.AuthExternalCommand,
				Command: []string{"flyte-iap", "generate-user-id-token", "--webapp_client_id",
					"1234567890-webapp.apps.googleusercontent.com", "--project", "my-gcp-project"},
				ProxyCommand:    []string{"gcloud", "auth", "print-identity-token", "--audiences=1234567890-webapp.apps.googleusercontent.com"},
				HTTPProxyURL:    "http://proxy.internal.example.com:3128",
				MaxRetries:      3,
				ConsoleEndpoint: "https://flyte.internal.example.com/console",
			}
		}},
		{"legacy.ini", func(dir string) config.Platform {
			return config.Platform{
				Endpoint:             "flyte.example.com:443",
				CACertFilePath:       "/etc/flyte/ca.pem",
				ConsoleEndpoint:      "https://flyte.example.com/console",
				AuthType:             config.AuthClientSecret,
				ClientID:             "flytekit",
				ClientSecretLocation: filepath.Join(dir, "client_secret"),
				Scopes:               []string{"openid", "offline_access"},
			}
		}},
		{"legacy-command", func(string) config.Platform {
			return config.Platform{
				Endpoint:           "flyte.example.net",
				InsecureSkipVerify: true,
				HTTPProxyURL:       "http://proxy.example.net:8080",
				AuthType:           config.AuthExternalCommand,
				Command:            []string{"flyte-token", "--audience", "flyte.example.net"},
				ProxyCommand:       []string{"gcloud", "auth", "print-identity-token"},
			}
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, dir, "client_secret", randomSecret(t)+"\n")
			var w warnings
			got, err := config.Load(fixture(t, dir, tc.file), noEnv, w.option())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want(dir), *got); diff != "" {
				t.Errorf("Load mismatch (-want +got):\n%s", diff)
			}
			if ws := w.get(); len(ws) != 0 {
				t.Errorf("warnings: %v", ws)
			}
		})
	}
}

func TestLoadEnvOverridesFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secretFile := writeFile(t, dir, "env_secret", randomSecret(t))
	path := fixture(t, dir, "sandbox.yaml")
	got, err := config.Load(path, env(map[string]string{
		"FLYTE_PLATFORM_URL":                       "dns:///flyte.example.com",
		"FLYTE_PLATFORM_INSECURE":                  "False",
		"FLYTE_PLATFORM_CA_CERT_FILE_PATH":         "/etc/ca.pem",
		"FLYTE_CREDENTIALS_AUTH_MODE":              "client_credentials",
		"FLYTE_CREDENTIALS_CLIENT_ID":              "ci",
		"FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION": secretFile,
		"FLYTE_CREDENTIALS_SCOPES":                 "a, b,,c",
		"FLYTE_PLATFORM_CONSOLE_ENDPOINT":          "  ", // blank: ignored
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Platform{
		Endpoint:             "flyte.example.com",
		CACertFilePath:       "/etc/ca.pem",
		AuthType:             config.AuthClientSecret,
		ClientID:             "ci",
		ClientSecretLocation: secretFile,
		Scopes:               []string{"a", "b", "c"},
		ConsoleEndpoint:      "http://localhost:30080",
	}
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadOverrideBeatsEnv(t *testing.T) {
	t.Parallel()
	path := fixture(t, t.TempDir(), "sandbox.yaml")
	got, err := config.Load(path,
		env(map[string]string{"FLYTE_PLATFORM_URL": "env.example.com", "FLYTE_CREDENTIALS_AUTH_MODE": "DeviceFlow"}),
		config.WithOverride(func(p *config.Platform) { p.Endpoint = "explicit.example.com:8089" }),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got.Endpoint != "explicit.example.com:8089" || got.AuthType != config.AuthDeviceFlow || !got.Insecure {
		t.Fatalf("got endpoint %q, auth %v, insecure %v", got.Endpoint, got.AuthType, got.Insecure)
	}
}

func TestLoadValueForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		file    string
		content string
		check   func(*config.Platform) bool
	}{
		{"bool spellings", "c.yaml", "admin:\n  endpoint: h\n  insecure: yes\n  useAudienceFromAdmin: 'ON'\n", func(p *config.Platform) bool {
			return p.Insecure && p.UseAudienceFromAdmin
		}},
		{"bool as number", "c.yaml", "admin:\n  endpoint: h\n  insecure: 1\n", func(p *config.Platform) bool { return p.Insecure }},
		{"keys are case-insensitive", "c.yaml", "Admin:\n  ENDPOINT: h\n  insecureskipverify: true\n  PKCEConfig:\n    Timeout: 1m\n", func(p *config.Platform) bool {
			return p.Endpoint == "h" && p.InsecureSkipVerify && p.PKCE.Timeout == time.Minute
		}},
		{"zero duration", "c.yaml", "admin:\n  endpoint: h\n  perRetryTimeout: 0\n", func(p *config.Platform) bool { return p.PerRetryTimeout == 0 }},
		{"compound duration", "c.yaml", "admin:\n  endpoint: h\n  maxBackoffDelay: 1m30s\n", func(p *config.Platform) bool { return p.MaxBackoffDelay == 90*time.Second }},
		{"scopes as one string", "c.yaml", "admin:\n  endpoint: h\n  scopes: openid,offline\n", func(p *config.Platform) bool {
			return cmp.Equal(p.Scopes, []string{"openid", "offline"})
		}},
		{"empty and null values are unset", "c.yaml", "admin:\n  endpoint: h\n  clientId: ''\n  audience:\n  tokenUrl: ~\n  pkceConfig:\n", func(p *config.Platform) bool {
			return p.ClientID == "" && p.Audience == "" && p.TokenURL == ""
		}},
		{"argv kept verbatim", "c.yaml", "admin:\n  endpoint: h\n  authType: ExternalCommand\n  command: ['my tool', '', ' x ']\n", func(p *config.Platform) bool {
			return cmp.Equal(p.Command, []string{"my tool", "", " x "})
		}},
		{"anchors and aliases", "c.yaml", "defaults: &d\n  - openid\nadmin:\n  endpoint: h\n  scopes: *d\n", func(p *config.Platform) bool {
			return cmp.Equal(p.Scopes, []string{"openid"})
		}},
		{"deprecated flytectl keys accepted", "c.yaml", "admin:\n  endpoint: h\n  useAuth: true\n  authorizationServerUrl: https://idp\n  defaultServiceConfig: '{}'\n", func(p *config.Platform) bool {
			return p.Endpoint == "h"
		}},
		{"empty file with env", "c.yaml", "# nothing yet\n", func(p *config.Platform) bool { return p.Endpoint == "" }},
		{"ini continuation lines", "c.ini", "[platform]\nurl = h\n[credentials]\nscopes =\n  openid\n  offline\n", func(p *config.Platform) bool {
			return cmp.Equal(p.Scopes, []string{"openid", "offline"})
		}},
		{"ini section names are case-insensitive", "c.ini", "[Platform]\nURL = h\nInsecure = TRUE\n", func(p *config.Platform) bool {
			return p.Endpoint == "h" && p.Insecure
		}},
		{"token cache is case-insensitive", "c.yaml", "admin:\n  endpoint: h\n  tokenCache: Auto\n", func(p *config.Platform) bool { return p.TokenCache == "auto" }},
		{"ipv6 endpoint", "c.yaml", "admin:\n  endpoint: dns:///[::1]:8089\n", func(p *config.Platform) bool { return p.Endpoint == "[::1]:8089" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, t.TempDir(), tc.file, tc.content)
			p, err := config.Load(path, noEnv, config.WithoutValidation())
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(p) {
				t.Fatalf("unexpected result: %+v", *p)
			}
		})
	}
}

func TestLoadSecretImpliesClientSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := writeFile(t, dir, "secret", randomSecret(t))
	for _, tc := range []struct {
		name    string
		content string
		env     map[string]string
		want    config.AuthType
	}{
		{"secret file", "admin:\n  endpoint: h\n  clientId: c\n  clientSecretLocation: " + secret + "\n", nil, config.AuthClientSecret},
		{"secret env var", "admin:\n  endpoint: h\n  clientId: c\n  clientSecretEnvVar: MY_SECRET\n", nil, config.AuthClientSecret},
		{"literal secret from env", "admin:\n  endpoint: h\n  clientId: c\n", map[string]string{"FLYTE_CREDENTIALS_CLIENT_SECRET": randomSecret(t)}, config.AuthClientSecret},
		{"explicit auth type wins", "admin:\n  endpoint: h\n  authType: Pkce\n  clientSecretEnvVar: MY_SECRET\n", nil, config.AuthPKCE},
		{"no secret", "admin:\n  endpoint: h\n", nil, config.AuthUnset},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := config.Load(writeFile(t, t.TempDir(), "config.yaml", tc.content), env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if p.AuthType != tc.want {
				t.Fatalf("AuthType = %v, want %v", p.AuthType, tc.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	emptySecret := writeFile(t, dir, "empty_secret", "\n")
	for _, tc := range []struct {
		name     string
		file     string // "" for a file that does not exist
		content  string
		env      map[string]string
		wantKey  string
		wantLine int
		wantText string
	}{
		{"unknown auth type", "c.yaml", "admin:\n  endpoint: h\n  authType: client-secret\n", nil, "admin.authType", 3, `unknown value (want one of ClientSecret, Pkce, ExternalCommand, DeviceFlow, Passthrough, None): "client-secret"`},
		{"bad duration", "c.yaml", "admin:\n  endpoint: h\n  perRetryTimeout: 5 minutes\n", nil, "admin.perRetryTimeout", 3, `not a duration`},
		{"bare number duration", "c.yaml", "admin:\n  endpoint: h\n  deviceFlowConfig:\n    pollInterval: 30\n", nil, "admin.deviceFlowConfig.pollInterval", 4, `a number needs a unit`},
		{"negative duration", "c.yaml", "admin:\n  endpoint: h\n  tokenRefreshWindow: -1m\n", nil, "admin.tokenRefreshWindow", 3, `must not be negative`},
		{"bad bool", "c.yaml", "admin:\n  endpoint: h\n  insecure: maybe\n", nil, "admin.insecure", 3, `not a boolean (want true or false): "maybe"`},
		{"bad integer", "c.yaml", "admin:\n  endpoint: h\n  maxRetries: many\n", nil, "admin.maxRetries", 3, `not an integer`},
		{"unknown token cache", "c.yaml", "admin:\n  endpoint: h\n  tokenCache: vault\n", nil, "admin.tokenCache", 3, `unknown value`},
		{"malformed proxy URL", "c.yaml", "admin:\n  endpoint: h\n  httpProxyURL: '::nope'\n", nil, "admin.httpProxyURL", 3, `malformed`},
		{"endpoint with a path", "c.yaml", "admin:\n  endpoint: https://h/api\n", nil, "admin.endpoint", 2, `without path`},
		{"endpoint missing", "c.yaml", "admin:\n  authType: Pkce\n", nil, "admin.endpoint", 0, `is empty`},
		{"list for a single value", "c.yaml", "admin:\n  endpoint: [a, b]\n", nil, "admin.endpoint", 2, `got a list`},
		{"mapping for a value", "c.yaml", "admin:\n  clientId:\n    name: x\n", nil, "admin.clientId", 3, `got a mapping`},
		{"admin not a mapping", "c.yaml", "admin: yes\n", nil, "admin", 1, `want a mapping`},
		{"duplicate key", "c.yaml", "admin:\n  endpoint: a\n  Endpoint: b\n", nil, "admin.Endpoint", 3, `duplicate key (first on line 2)`},
		{"duplicate section", "c.yaml", "admin:\n  endpoint: a\nadmin:\n  insecure: true\n", nil, "admin", 3, `duplicate key`},
		{"malformed YAML", "c.yaml", "admin:\n  insecure: true\n  endpoint: h: x\n", nil, "", 3, `malformed YAML: mapping values are not allowed in this context`},
		{"top level not a mapping", "c.yaml", "- admin\n", nil, "", 1, `want a mapping of sections`},
		{"missing file", "", "", nil, "", 0, `cannot read config file`},
		{"unreadable secret file", "c.yaml", "admin:\n  endpoint: h\n  authType: ClientSecret\n  clientId: c\n  clientSecretLocation: " + filepath.Join(dir, "absent") + "\n", nil, "admin.clientSecretLocation", 5, `cannot read secret file`},
		{"empty secret file", "c.yaml", "admin:\n  endpoint: h\n  clientId: c\n  clientSecretLocation: " + emptySecret + "\n", nil, "admin.clientSecretLocation", 4, `secret file is empty`},
		{"insecure with CA file", "c.yaml", "admin:\n  endpoint: h\n  insecure: true\n  caCertFilePath: /ca.pem\n", nil, "admin.caCertFilePath", 4, `has no effect with insecure: true`},
		{"external command without command", "c.yaml", "admin:\n  endpoint: h\n  authType: ExternalCommand\n", nil, "admin.command", 0, `is required for authType ExternalCommand`},
		{"client secret without id", "c.yaml", "admin:\n  endpoint: h\n  authType: ClientSecret\n  clientSecretEnvVar: X\n", nil, "admin.clientId", 0, `is required`},
		{"empty program name", "c.yaml", "admin:\n  endpoint: h\n  proxyCommand: ['', x]\n", nil, "admin.proxyCommand", 3, `empty program name`},
		{"env bad bool", "c.yaml", "admin:\n  endpoint: h\n", map[string]string{"FLYTE_PLATFORM_INSECURE": "sure"}, "FLYTE_PLATFORM_INSECURE", 0, `not a boolean`},
		{"env bad auth mode", "c.yaml", "admin:\n  endpoint: h\n", map[string]string{"FLYTE_CREDENTIALS_AUTH_MODE": "oauth"}, "FLYTE_CREDENTIALS_AUTH_MODE", 0, `unknown value`},
		{"env contradiction", "c.yaml", "admin:\n  endpoint: h\n  caCertFilePath: /ca.pem\n", map[string]string{"FLYTE_PLATFORM_INSECURE": "true"}, "admin.caCertFilePath", 3, `has no effect`},
		{"env endpoint", "c.yaml", "admin:\n  endpoint: h\n", map[string]string{"FLYTE_PLATFORM_URL": "ftp://h"}, "FLYTE_PLATFORM_URL", 0, `unsupported scheme`},
		{"ini bad auth mode", "c.ini", "[platform]\nurl = h\n[credentials]\nauth_mode = oauth\n", nil, "credentials.auth_mode", 4, `unknown value`},
		{"ini bad bool", "c.ini", "[platform]\nurl = h\ninsecure = sometimes\n", nil, "platform.insecure", 3, `not a boolean`},
		{"ini option outside a section", "c.ini", "url = h\n", nil, "", 1, `outside a section`},
		{"ini line without delimiter", "c.ini", "[platform]\nurl h\n", nil, "", 2, `want option = value`},
		{"ini malformed header", "c.ini", "[platform\nurl = h\n", nil, "", 1, `want a section header`},
		{"ini duplicate option", "c.ini", "[platform]\nurl = a\nURL = b\n", nil, "platform.url", 3, `duplicate option`},
		{"ini missing endpoint", "c.ini", "[credentials]\nauth_mode = pkce\n", nil, "platform.url", 0, `is empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := t.TempDir()
			path := filepath.Join(d, "absent.yaml")
			if tc.file != "" {
				path = writeFile(t, d, tc.file, tc.content)
			}
			p, err := config.Load(path, env(tc.env))
			if err == nil {
				t.Fatalf("Load succeeded: %+v", *p)
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FieldError", err)
			}
			if fe.Key != tc.wantKey || fe.Line != tc.wantLine {
				t.Errorf("key %q line %d, want %q line %d (%v)", fe.Key, fe.Line, tc.wantKey, tc.wantLine, err)
			}
			if tc.env == nil && fe.File != path {
				t.Errorf("file %q, want %q", fe.File, path)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantText) || strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "config: ") {
				t.Errorf("message %q: want one line starting with config: and containing %q", msg, tc.wantText)
			}
		})
	}
}

func TestLoadJoinsSeveralProblems(t *testing.T) {
	t.Parallel()
	path := writeFile(t, t.TempDir(), "c.yaml", "admin:\n  insecure: true\n  caCertFilePath: /ca.pem\n  authType: ExternalCommand\n  maxBackoffDelay: -1s\n")
	_, err := config.Load(path, noEnv)
	var got []string
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(line, "config: "+path) {
			t.Errorf("line %q does not name the file", line)
		}
	}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *config.FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("%v is not a *FieldError", e)
		}
		got = append(got, fe.Key)
	}
	want := []string{"admin.endpoint", "admin.caCertFilePath", "admin.command", "admin.maxBackoffDelay"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

func TestLoadMissingFileIsNotExist(t *testing.T) {
	t.Parallel()
	_, err := config.Load(filepath.Join(t.TempDir(), "config.yaml"), noEnv)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadNeverEchoesSecrets(t *testing.T) {
	t.Parallel()
	secret := randomSecret(t)
	for _, tc := range []struct {
		name    string
		file    string
		content string
		env     map[string]string
	}{
		{"ini secret, bad auth mode", "c.ini", "[platform]\nurl = h\n[credentials]\nclient_secret = " + secret + "\nauth_mode = oauth\n", nil},
		{"ini secret, no client id", "c.ini", "[platform]\nurl = h\n[credentials]\nclient_secret = " + secret + "\n", nil},
		{"env secret, no client id", "c.yaml", "admin:\n  endpoint: h\n", map[string]string{"FLYTE_CREDENTIALS_CLIENT_SECRET": secret}},
		{"env secret, secret file missing", "c.yaml", "admin:\n  endpoint: h\n  clientId: c\n  clientSecretLocation: /nonexistent/" + "x" + "\n", map[string]string{"FLYTE_CREDENTIALS_CLIENT_SECRET": secret}},
		{"ini secret as a list", "c.ini", "[platform]\nurl = h\n[credentials]\nclient_secret = " + secret + "\nclient_id = \n  c\nbogus = 1\n", nil},
		{"proxy URL with credentials", "c.yaml", "admin:\n  endpoint: h\n  httpProxyURL: 'http://user:" + secret + "@/'\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var w warnings
			path := writeFile(t, t.TempDir(), tc.file, tc.content)
			_, err := config.Load(path, env(tc.env), w.option())
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error echoes the secret: %v", err)
			}
			for _, x := range w.get() {
				if strings.Contains(x.String(), secret) {
					t.Errorf("warning echoes the secret: %v", x)
				}
			}
		})
	}
}

func TestLoadWarnings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		file    string
		content string
		want    []config.Warning
	}{
		{"yaml typo", "c.yaml", "admin:\n  endpoint: h\n  insecureSkipVerfy: true\n", []config.Warning{
			{Key: "admin.insecureSkipVerfy", Line: 3, Message: "unknown key, ignored (did you mean insecureSkipVerify?)"},
		}},
		{"nested typo", "c.yaml", "admin:\n  endpoint: h\n  pkceConfig:\n    refreshtme: 1m\n  deviceFlowConfig:\n    interval: 1s\n", []config.Warning{
			{Key: "admin.pkceConfig.refreshtme", Line: 4, Message: "unknown key, ignored (did you mean refreshTime?)"},
			{Key: "admin.deviceFlowConfig.interval", Line: 6, Message: "unknown key, ignored"},
		}},
		{"command as one string", "c.yaml", "admin:\n  endpoint: h\n  authType: ExternalCommand\n  command: gcloud auth print-access-token\n", []config.Warning{
			{Key: "admin.command", Line: 4, Message: "command given as one string was split on whitespace; write it as a list to keep arguments that contain spaces"},
		}},
		{"ini typo", "c.ini", "[platform]\nurl = h\n[credentials]\nclientid = x\n", []config.Warning{
			{Key: "credentials.clientid", Line: 4, Message: "unknown key, ignored (did you mean client_id?)"},
		}},
		{"other sections are silent", "c.yaml", "admin:\n  endpoint: h\nlogger:\n  level: 5\nstorage:\n  typo: x\nconsole:\n  endpoint: http://c\n  other: 1\n", nil},
		{"other ini sections are silent", "c.ini", "[platform]\nurl = h\n[sdk]\nanything = goes\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var w warnings
			path := writeFile(t, t.TempDir(), tc.file, tc.content)
			if _, err := config.Load(path, noEnv, w.option()); err != nil {
				t.Fatal(err)
			}
			for i := range tc.want {
				tc.want[i].File = path
			}
			if diff := cmp.Diff(tc.want, w.get()); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadWarningsToLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	path := writeFile(t, t.TempDir(), "c.yaml", "admin:\n  endpoint: h\n  clientID: x\n  scopez: [a]\n")
	if _, err := config.Load(path, noEnv, config.WithLogger(logger)); err != nil {
		t.Fatal(err)
	}
	want := `level=WARN msg="config: unknown key, ignored (did you mean scopes?)" key=admin.scopez file=` + path + " line=4\n"
	if got := buf.String(); got != want {
		t.Fatalf("log = %q, want %q", got, want)
	}
}
