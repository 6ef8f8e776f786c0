package config_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/authwire/authwire/config"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseAPIKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		key  string
		want config.APIKey
	}{
		// flyte-sdk's reading: the first three colons split the fields.
		// Each result was checked against flyte-sdk's decode_api_key.
		{"host", "Zmx5dGUuZXhhbXBsZS5jb206bXktY2xpZW50OnMzY3IzdDphY21l",
			config.APIKey{Endpoint: "flyte.example.com", ClientID: "my-client", ClientSecret: "s3cr3t", Org: "acme"}},
		{"empty org", "Zmx5dGUuZXhhbXBsZS5jb206bXktY2xpZW50OnMzY3IzdDo=",
			config.APIKey{Endpoint: "flyte.example.com", ClientID: "my-client", ClientSecret: "s3cr3t"}},
		{"org None", "Zmx5dGUuZXhhbXBsZS5jb206aWQ6c2VjOk5vbmU=",
			config.APIKey{Endpoint: "flyte.example.com", ClientID: "id", ClientSecret: "sec"}},
		{"org with colons", "Zmx5dGUuZXhhbXBsZS5jb206aWQ6c2VjOmE6Yg==",
			config.APIKey{Endpoint: "flyte.example.com", ClientID: "id", ClientSecret: "sec", Org: "a:b"}},
		{"trailing newline kept in the org", "Zmx5dGUuZXhhbXBsZS5jb206aWQ6c2VjOm9yZwo=",
			config.APIKey{Endpoint: "flyte.example.com", ClientID: "id", ClientSecret: "sec", Org: "org\n"}},
		{"wrapped base64", "Zmx5dGUuZXhhbXBsZS5j\nb206bXktY2xpZW50OnMzY3IzdDphY21l\n",
			config.APIKey{Endpoint: "flyte.example.com", ClientID: "my-client", ClientSecret: "s3cr3t", Org: "acme"}},
		{"surrounding blanks", "  Zmx5dGUuZXhhbXBsZS5jb206bXktY2xpZW50OnMzY3IzdDphY21l\t",
			config.APIKey{Endpoint: "flyte.example.com", ClientID: "my-client", ClientSecret: "s3cr3t", Org: "acme"}},
		{"numeric client id, four fields", b64("h.example.com:8443:sec:org"),
			config.APIKey{Endpoint: "h.example.com", ClientID: "8443", ClientSecret: "sec", Org: "org"}},
		{"secret with base64 symbols", b64("h:id:a+b/c=:o"),
			config.APIKey{Endpoint: "h", ClientID: "id", ClientSecret: "a+b/c=", Org: "o"}},
		// authwire's extension: a scheme or a port in the endpoint.
		{"dns scheme", b64("dns:///flyte.example.com:id:sec:acme"),
			config.APIKey{Endpoint: "dns:///flyte.example.com", ClientID: "id", ClientSecret: "sec", Org: "acme"}},
		{"dns scheme and port", b64("dns:///flyte.example.com:443:id:sec:acme"),
			config.APIKey{Endpoint: "dns:///flyte.example.com:443", ClientID: "id", ClientSecret: "sec", Org: "acme"}},
		{"https scheme", b64("https://flyte.example.com:id:sec:"),
			config.APIKey{Endpoint: "https://flyte.example.com", ClientID: "id", ClientSecret: "sec"}},
		{"https scheme and port", b64("https://flyte.example.com:8443:id:sec:acme"),
			config.APIKey{Endpoint: "https://flyte.example.com:8443", ClientID: "id", ClientSecret: "sec", Org: "acme"}},
		{"http scheme", b64("http://localhost:30080:id:sec:None"),
			config.APIKey{Endpoint: "http://localhost:30080", ClientID: "id", ClientSecret: "sec"}},
		{"port", b64("flyte.example.com:8443:id:sec:acme"),
			config.APIKey{Endpoint: "flyte.example.com:8443", ClientID: "id", ClientSecret: "sec", Org: "acme"}},
		{"IPv6 with port", b64("[::1]:8089:id:sec:acme"),
			config.APIKey{Endpoint: "[::1]:8089", ClientID: "id", ClientSecret: "sec", Org: "acme"}},
		{"IPv6", b64("[2001:db8::1]:id:sec:"),
			config.APIKey{Endpoint: "[2001:db8::1]", ClientID: "id", ClientSecret: "sec"}},
		{"missing padding", strings.TrimRight(b64("h:id:sec:o"), "="),
			config.APIKey{Endpoint: "h", ClientID: "id", ClientSecret: "sec", Org: "o"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := config.ParseAPIKey(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("ParseAPIKey = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseAPIKeyErrors(t *testing.T) {
	t.Parallel()
	const secret = "do-not-print-me"
	for _, tc := range []struct {
		name, key, want string
	}{
		{"not base64", "*", "not base64"},
		{"no base64 at all", "*:*", "not base64"},
		{"one character too many", b64("h:id:"+secret+":ooo") + "A", "not base64"},
		{"not text", b64("h:id:\xff" + secret + ":o"), "does not decode to text"},
		{"three fields", b64("h:id:" + secret), "four fields"},
		{"scheme and three fields", b64("https://h:id:" + secret), "four fields"},
		{"empty endpoint", b64(":id:" + secret + ":o"), "the endpoint is empty"},
		{"empty client id", b64("h::" + secret + ":o"), "the client id is empty"},
		{"empty secret", b64("h:" + secret + "::o"), "the client secret is empty"},
		{"scheme without a host", b64("https://:id:" + secret + ":o"), "the endpoint has no host"},
		{"endpoint with a path", b64("https://h/" + secret + ":id:s:o"), "the endpoint must be a host"},
		{"the plain text", "h:id:" + secret + ":o", "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.ParseAPIKey(tc.key)
			var fe *config.FieldError
			if !errors.As(err, &fe) || !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("err = %v, want a *FieldError", err)
			}
			msg := err.Error()
			if fe.Key != "FLYTE_API_KEY" || fe.Value != "" || !strings.Contains(msg, tc.want) || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("err = %q, want one line for FLYTE_API_KEY containing %q", msg, tc.want)
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, tc.key) {
				t.Errorf("err echoes the key: %q", msg)
			}
		})
	}
}

func TestAPIKeyStringRedacts(t *testing.T) {
	t.Parallel()
	secret := randomSecret(t)
	k := config.APIKey{Endpoint: "h", ClientID: "id", ClientSecret: secret, Org: "o"}
	if s := k.String(); strings.Contains(s, secret) || !strings.Contains(s, `"id"`) {
		t.Fatalf("String() = %q", s)
	}
}

// FLYTE_API_KEY wins over the file and every other variable, clears the
// secret's other sources, and works with no file at all.
func TestAPIKeyFromEnv(t *testing.T) {
	t.Parallel()
	secret := randomSecret(t)
	key := b64("dns:///key.example.com:key-client:" + secret + ":acme")
	dir := t.TempDir()
	path := writeFile(t, dir, "c.yaml", "admin:\n  endpoint: file.example.com\n  authType: Pkce\n  clientId: file-client\n  clientSecretLocation: /absent\n  scopes: [all]\ntask:\n  org: file-org\n  project: p\n")
	for _, tc := range []struct {
		name    string
		vars    map[string]string
		wantOrg string
	}{
		{"over the file", map[string]string{"FLYTE_API_KEY": key}, "acme"},
		{"over other variables", map[string]string{
			"FLYTE_API_KEY": key, "FLYTE_ADMIN_ENDPOINT": "env.example.com", "FLYTE_CREDENTIALS_AUTH_MODE": "DeviceFlow",
			"FLYTE_ADMIN_CLIENTSECRETENVVAR": "OTHER", "OTHER": "other-secret", "FLYTE_TASK_ORG": "env-org",
		}, "acme"},
		{"no org in the key keeps task.org", map[string]string{"FLYTE_API_KEY": b64("key.example.com:key-client:" + secret + ":None")}, "file-org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := config.Load(path, env(tc.vars))
			if err != nil {
				t.Fatal(err)
			}
			if p.Endpoint != "key.example.com" || p.ClientID != "key-client" || p.AuthType != config.AuthClientSecret || p.Org != tc.wantOrg {
				t.Fatalf("Load = %+v", *p)
			}
			if got, err := p.ResolveClientSecret(); err != nil || got != secret {
				t.Fatalf("ResolveClientSecret = %v; the key's secret must win", err)
			}
			if len(p.Scopes) != 1 || p.Scopes[0] != "all" {
				t.Errorf("scopes %q from the file were lost", p.Scopes)
			}
		})
	}
}

// Replacing a different endpoint is worth a warning; the same one is not.
func TestAPIKeyEndpointWarning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"different", "admin:\n  endpoint: file.example.com\n", []string{"config: FLYTE_API_KEY: its endpoint replaces the one set by admin.endpoint"}},
		{"same", "admin:\n  endpoint: dns:///key.example.com\n", nil},
		{"none", "admin:\n  insecure: false\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var w warnings
			path := writeFile(t, dir, tc.name+".yaml", tc.file)
			if _, err := config.Load(path, env(map[string]string{"FLYTE_API_KEY": b64("key.example.com:id:sec:o")}), w.option()); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range w.get() {
				got = append(got, x.String())
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("warnings %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAPIKeyErrorNamesTheVariable(t *testing.T) {
	t.Parallel()
	bad := b64("h:id")
	_, err := config.Load(writeFile(t, t.TempDir(), "c.yaml", "admin:\n  endpoint: h\n"), env(map[string]string{"FLYTE_API_KEY": bad}))
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Key != "FLYTE_API_KEY" || strings.Contains(err.Error(), bad) {
		t.Fatalf("err = %v", err)
	}
}
