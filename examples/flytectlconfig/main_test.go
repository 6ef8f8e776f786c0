package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authwire/authwire/authtest"
)

func TestRunUsesAFlytectlConfigFile(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte(srv.ClientSecret()), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf(`admin:
  endpoint: dns:///%s
  caCertFilePath: %s
  authType: ClientSecret
  clientId: %s
  clientSecretLocation: %s
`, srv.Endpoint(), srv.CAFile(), srv.ClientID(), secret)
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, log strings.Builder
	if err := run(t.Context(), path, "/api/v1/echo?msg=config", &out, &log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"msg":"config"`) || !strings.Contains(log.String(), "using "+path) {
		t.Errorf("out %q, log %q", out.String(), log.String())
	}
}
