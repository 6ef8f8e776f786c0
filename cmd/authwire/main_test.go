package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/internal/fakecmd"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) {
	fakecmd.Main() // commands in the fixtures run this test binary again
	os.Exit(m.Run())
}

// result is what one run of the program produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the program in-process with args and the environment env.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runWith(t, newTestCLI(env), args...)
}

// newTestCLI returns a cli on buffers, whose environment is env alone.
func newTestCLI(env map[string]string) *cli {
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	return newCLI(strings.NewReader(""), new(bytes.Buffer), new(bytes.Buffer), lookup)
}

func runWith(t *testing.T, c *cli, args ...string) result {
	t.Helper()
	code := c.main(t.Context(), args)
	return result{code: code, stdout: c.stdout.(*bytes.Buffer).String(), stderr: c.stderr.(*bytes.Buffer).String()}
}

// admin is the admin: section of a flytectl config file. Empty fields are
// left out.
type admin struct {
	Endpoint             string
	Insecure             bool
	CACertFilePath       string
	AuthType             string
	ClientID             string
	ClientSecretLocation string
	ClientSecretEnvVar   string
	AuthorizationHeader  string
	HTTPProxyURL         string
	Command              []string
	ProxyCommand         []string
	Extra                string // further lines, indented as admin keys
}

// writeConfig writes a flytectl YAML file for a into a fresh directory and
// returns its path.
func writeConfig(t *testing.T, a admin) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("admin:\n")
	str := func(key, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %s: %q\n", key, v)
		}
	}
	list := func(key string, v []string) {
		if len(v) == 0 {
			return
		}
		quoted := make([]string, len(v))
		for i, s := range v {
			quoted[i] = fmt.Sprintf("%q", s)
		}
		fmt.Fprintf(&b, "  %s: [%s]\n", key, strings.Join(quoted, ", "))
	}
	str("endpoint", a.Endpoint)
	if a.Insecure {
		b.WriteString("  insecure: true\n")
	}
	str("caCertFilePath", a.CACertFilePath)
	str("authType", a.AuthType)
	str("clientId", a.ClientID)
	str("clientSecretLocation", a.ClientSecretLocation)
	str("clientSecretEnvVar", a.ClientSecretEnvVar)
	str("authorizationHeader", a.AuthorizationHeader)
	str("httpProxyURL", a.HTTPProxyURL)
	list("command", a.Command)
	list("proxyCommand", a.ProxyCommand)
	b.WriteString(a.Extra)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeSecret writes secret to a fresh file and returns its path.
func writeSecret(t *testing.T, secret string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "client_secret")
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// randomToken returns a token no server issued.
func randomToken() string { return "tok-" + rand.Text() }

// normalizer replaces what differs between runs (ports, temporary paths,
// random client ids, the test binary's path) with placeholders.
type normalizer struct {
	pairs []string // old, new, ...
}

func (n *normalizer) add(old, placeholder string) {
	if old != "" {
		n.pairs = append(n.pairs, old, placeholder)
	}
}

// addServer registers the things of srv that vary.
func (n *normalizer) addServer(srv *authtest.Server) {
	n.add(srv.Endpoint(), "127.0.0.1:<PORT>")
	if ca := srv.CAFile(); ca != "" {
		n.add(filepath.Dir(ca), "<CADIR>")
	}
	n.add(srv.ClientID(), "<CLIENT_ID>")
}

func (n *normalizer) apply(s string) string {
	exe, err := os.Executable()
	if err == nil {
		s = strings.ReplaceAll(s, exe, "<EXE>")
	}
	return strings.NewReplacer(n.pairs...).Replace(s)
}

// golden compares got with testdata/name.golden, or rewrites the file with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
	}
}

// canceled returns a context that is already done.
func canceled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}
