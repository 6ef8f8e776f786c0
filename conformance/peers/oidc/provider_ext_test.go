package oidc_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/authwire/authwire/conformance/peers/peerproc"
	"github.com/authwire/authwire/conformance/peers/peertest"
	"github.com/authwire/authwire/conformance/peers/pki"
)

// The provider's clients. Secrets are random per run.
const (
	basicClient    = "cc-basic"              // client_credentials, client_secret_basic
	postClient     = "cc-post"               // client_credentials, client_secret_post
	resourceClient = "resource-server"       // introspects tokens
	publicClient   = peertest.PublicClientID // public: authorization code + PKCE, device, refresh
)

// peer is the provider every test of the package shares.
var peer struct {
	issuer  string
	secrets map[string]string
	tls     *pki.Files
	pid     int
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "authwire-oidc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	p, err := startProvider(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oidc-provider:", err)
		return 1
	}
	defer p.Stop()
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "oidc-provider (pid %d) output:\n%s\n", p.PID(), p.Output())
	}
	return code
}

// npmDir is conformance/npm, where package-lock.json pins oidc-provider.
func npmDir() (string, error) { return filepath.Abs(filepath.Join("..", "..", "npm")) }

func startProvider(dir string) (*peerproc.Process, error) {
	npm, err := npmDir()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(npm, "node_modules", "oidc-provider")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = npm
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("npm ci in %s: %v\n%s", npm, err, out)
		}
	}
	peer.tls, err = pki.Write(dir)
	if err != nil {
		return nil, err
	}
	// A secret with characters that must be form-encoded in HTTP Basic
	// credentials (RFC 6749 section 2.3.1).
	peer.secrets = map[string]string{
		basicClient:    rand.Text() + "+/:%&=" + rand.Text(),
		postClient:     rand.Text() + "+&=" + rand.Text(),
		resourceClient: rand.Text(),
	}
	confidential := func(id, method, grant string) map[string]any {
		c := map[string]any{
			"client_id": id, "client_secret": peer.secrets[id], "token_endpoint_auth_method": method,
			"grant_types": []string{}, "response_types": []string{}, "redirect_uris": []string{},
		}
		if grant != "" {
			c["grant_types"], c["scope"] = []string{grant}, "all"
		}
		return c
	}
	conf := map[string]any{
		"tls": map[string]string{"cert": peer.tls.CertFile, "key": peer.tls.KeyFile},
		"clients": []any{
			confidential(basicClient, "client_secret_basic", "client_credentials"),
			confidential(postClient, "client_secret_post", "client_credentials"),
			confidential(resourceClient, "client_secret_basic", ""),
			map[string]any{
				"client_id": publicClient, "token_endpoint_auth_method": "none", "application_type": "native",
				"redirect_uris":  []string{"http://127.0.0.1/callback"},
				"grant_types":    []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"},
				"response_types": []string{"code"},
				"scope":          "openid offline_access all",
			},
		},
	}
	data, err := json.Marshal(conf)
	if err != nil {
		return nil, err
	}
	confFile := filepath.Join(dir, "provider.json")
	if err := os.WriteFile(confFile, data, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, line, err := peerproc.Start(ctx, peerproc.Spec{
		Argv:      []string{"node", filepath.Join(npm, "oidc-provider.mjs"), confFile},
		Dir:       npm,
		ReadyLine: true,
	})
	if err != nil {
		return nil, err
	}
	var ready struct{ Issuer string }
	if err := json.Unmarshal([]byte(line), &ready); err != nil || ready.Issuer == "" {
		p.Stop()
		return nil, fmt.Errorf("unexpected first line %q", line)
	}
	peer.issuer, peer.pid = ready.Issuer, p.PID()
	return p, nil
}

// idpClient is a plain client that trusts the provider's CA.
func idpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{Proxy: nil, TLSClientConfig: peer.tls.TLSClientConfig()}, Timeout: 30 * time.Second}
}
