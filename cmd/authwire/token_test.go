package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/internal/fakecmd"
)

func TestTokenPrintsOnlyTheToken(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	token := randomToken()
	path := writeConfig(t, admin{
		Endpoint:       srv.Endpoint(),
		CACertFilePath: srv.CAFile(),
		AuthType:       "ExternalCommand",
		Command:        fakecmd.Print(token),
	})
	r := runCLI(t, nil, "--config", path, "token")
	if r.code != exitOK {
		t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	if r.stdout != token+"\n" {
		t.Errorf("stdout = %q, want exactly the token and a newline", r.stdout)
	}
}

func TestTokenClientSecretIsAccepted(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithProxyAuth())
	path := writeConfig(t, withProxyCommand(clientSecretSetup(t, srv), srv))
	r := runCLI(t, nil, "token", "--config", path)
	if r.code != exitOK {
		t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	token, ok := strings.CutSuffix(r.stdout, "\n")
	if !ok || token == "" || strings.ContainsAny(token, " \t\r\n") {
		t.Fatalf("stdout = %q, want one token on one line", r.stdout)
	}
	if got := srv.Counters().TokenRequests; got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
	// The printed token works: a call that carries it by hand is accepted.
	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL())
	req := connect.NewRequest(wrapperspb.String("x"))
	req.Header().Set("Authorization", "Bearer "+token)
	req.Header().Set("Proxy-Authorization", "Bearer "+srv.IssueProxyToken())
	if _, err := client.Unary.CallUnary(t.Context(), req); err != nil {
		t.Errorf("the printed token is not accepted: %v", err)
	}
}

func TestTokenHeaderUsesTheServersKey(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithAuthorizationMetadataKey("flyte-authorization"))
	token := randomToken()
	a := admin{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: "ExternalCommand", Command: fakecmd.Print(token)}
	r := runCLI(t, nil, "--config", writeConfig(t, a), "token", "--header")
	if r.code != exitOK {
		t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	if want := "Flyte-Authorization: Bearer " + token + "\n"; r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}

	a.AuthorizationHeader = "x-custom-auth"
	r = runCLI(t, nil, "--config", writeConfig(t, a), "token", "--header")
	if want := "X-Custom-Auth: Bearer " + token + "\n"; r.code != exitOK || r.stdout != want {
		t.Errorf("with authorizationHeader: status %d, stdout %q; want 0, %q", r.code, r.stdout, want)
	}
}

func TestTokenJSON(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	path := writeConfig(t, clientSecretSetup(t, srv))
	r := runCLI(t, nil, "--config", path, "--output", "json", "token")
	if r.code != exitOK {
		t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	var got tokenResult
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if !got.OK || got.AccessToken == "" || got.TokenType != "Bearer" || got.Expiry == nil ||
		got.HeaderKey != "Authorization" || got.Header != "Authorization: Bearer "+got.AccessToken {
		t.Errorf("token result = %+v", got)
	}
}

func TestTokenFromEnvironmentOnly(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	env := map[string]string{
		"FLYTE_PLATFORM_URL":              srv.Endpoint(),
		"FLYTE_PLATFORM_INSECURE":         "true",
		"FLYTE_CREDENTIALS_CLIENT_ID":     srv.ClientID(),
		"FLYTE_CREDENTIALS_CLIENT_SECRET": srv.ClientSecret(),
		"HOME":                            t.TempDir(),
	}
	r := runCLI(t, env, "token")
	if r.code != exitOK || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("exit status %d, stdout %q, stderr %q; want 0 and one line", r.code, r.stdout, r.stderr)
	}
}

func TestTokenFailures(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	secretless := clientSecretSetup(t, srv)
	secretless.ClientSecretLocation = ""
	secretless.ClientSecretEnvVar = "UNSET_SECRET_VARIABLE"
	tests := []struct {
		name   string
		config admin
		setup  func()
		want   int
		stderr string
	}{
		{
			name:   "command fails",
			config: admin{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: "ExternalCommand", Command: fakecmd.Fail(2, "please log in")},
			want:   exitFailed,
			stderr: "fix: stderr: please log in",
		},
		{
			name:   "auth type none",
			config: admin{Endpoint: srv.Endpoint(), AuthType: "None"},
			want:   exitUsage,
			stderr: "authType is None",
		},
		{
			name:   "unknown key is a warning",
			config: admin{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: "ExternalCommand", Command: fakecmd.Fail(2, ""), Extra: "  clientSecretLocaton: x\n"},
			want:   exitFailed,
			stderr: "warning: config:",
		},
		{
			name:   "secret variable not set",
			config: secretless,
			want:   exitUsage,
			stderr: "clientSecretEnvVar",
		},
		{
			name:   "missing CA file",
			config: admin{Endpoint: srv.Endpoint(), CACertFilePath: t.TempDir() + "/missing.pem", AuthType: "ExternalCommand", Command: fakecmd.Print("x")},
			want:   exitUsage,
			stderr: "caCertFilePath",
		},
	}
	for _, tc := range tests {
		r := runCLI(t, nil, "--config", writeConfig(t, tc.config), "token")
		if r.code != tc.want || r.stdout != "" || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want %d, nothing, a message with %q", tc.name, r.code, r.stdout, r.stderr, tc.want, tc.stderr)
		}
	}
}

func TestTokenMissingConfig(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "--config", t.TempDir()+"/nope.yaml", "token")
	if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "nope.yaml") {
		t.Errorf("status %d, stdout %q, stderr %q; want %d and the path on stderr", r.code, r.stdout, r.stderr, exitUsage)
	}
	r = runCLI(t, nil, "--config", t.TempDir()+"/nope.yaml", "--output", "json", "token")
	var f failure
	if err := json.Unmarshal([]byte(r.stdout), &f); err != nil || f.OK || f.Command != "token" || f.Error == "" {
		t.Errorf("JSON failure = %+v (%v) from %q", f, err, r.stdout)
	}
}

func TestTokenPassthroughIsAUsageError(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	path := writeConfig(t, admin{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: "Passthrough"})
	r := runCLI(t, nil, "--config", path, "token")
	if r.code != exitUsage || r.stdout != "" {
		t.Fatalf("exit status %d, stdout %q; want %d and nothing", r.code, r.stdout, exitUsage)
	}
	first, _, _ := strings.Cut(r.stderr, "\n")
	if first != "authwire token: authType is Passthrough: no token to print (Passthrough takes the caller's token)" {
		t.Errorf("stderr = %q, want the Passthrough usage error on one line", r.stderr)
	}
	if strings.Contains(r.stderr, "request context") {
		t.Errorf("stderr = %q, want no library error", r.stderr)
	}
}

// TestTokenSharesThePublicConfigCache pins that "authwire token" writes
// flyte-sdk's public client config cache under $HOME/.flyte/.cache, and
// that "authwire doctor" neither reads nor writes it.
func TestTokenSharesThePublicConfigCache(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	path := writeConfig(t, clientSecretSetup(t, srv))
	cacheFile := func(home string) string {
		return filepath.Join(home, ".flyte", ".cache", srv.Endpoint()+".yaml")
	}

	home := t.TempDir()
	if r := runCLI(t, map[string]string{"HOME": home}, "--config", path, "doctor"); r.code != exitOK {
		t.Fatalf("doctor: exit status %d, stdout:\n%s", r.code, r.stdout)
	}
	if _, err := os.Stat(cacheFile(home)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("doctor left a cache file (stat: %v)", err)
	}

	if r := runCLI(t, map[string]string{"HOME": home}, "--config", path, "token"); r.code != exitOK {
		t.Fatalf("token: exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(cacheFile(home))
	if err != nil {
		t.Fatalf("token wrote no cache file: %v", err)
	}
	if !strings.Contains(string(data), "authType: ClientSecret") || !strings.Contains(string(data), "authorizationHeader: authorization") {
		t.Errorf("cache file:\n%s\nwant the server's public client config under the configured authType", data)
	}
	if strings.Contains(string(data), srv.ClientSecret()) {
		t.Error("the cache file holds the client secret")
	}

	off := t.TempDir()
	if r := runCLI(t, map[string]string{"HOME": off, authn.PublicConfigCacheDisabledEnv: "1"}, "--config", path, "token"); r.code != exitOK {
		t.Fatalf("token: exit status %d, stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(cacheFile(off)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("token wrote a cache file with %s=1 (stat: %v)", authn.PublicConfigCacheDisabledEnv, err)
	}
}
