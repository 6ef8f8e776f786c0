package hydra_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authwire/authwire/conformance/peers/peerproc"
	"github.com/authwire/authwire/conformance/peers/peertest"
	"github.com/authwire/authwire/conformance/peers/pki"
)

// Clients registered in Hydra. Ids and secrets hold characters that must
// be form-encoded in HTTP Basic credentials; secrets are random per run.
const (
	basicClient  = "flyte:basic+client"    // client_credentials, client_secret_basic
	postClient   = "flyte:post+client"     // client_credentials, client_secret_post
	publicClient = peertest.PublicClientID // public: authorization code + PKCE, refresh
)

var peer struct {
	public, admin string // https://127.0.0.1:PORT
	secrets       map[string]string
	tls           *pki.Files
	unavailable   string // why Hydra is not running, when it is not
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// needHydra skips the test when Hydra is not available (see the package
// doc), naming the reason.
func needHydra(t *testing.T) {
	t.Helper()
	if peer.unavailable != "" {
		t.Skip(peer.unavailable)
	}
}

func run(m *testing.M) int {
	bin, err := binary()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hydra:", err)
		return 1
	}
	if bin == "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "authwire-hydra-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	login, err := startLoginApp()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hydra login app:", err)
		return 1
	}
	defer login.Close()
	p, err := startHydra(bin, dir, "http://"+login.Addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hydra:", err)
		return 1
	}
	defer p.Stop()
	if err := registerClients(); err != nil {
		fmt.Fprintln(os.Stderr, "hydra:", err, p.Output())
		return 1
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "hydra (pid %d) output:\n%s\n", p.PID(), p.Output())
	}
	return code
}

// version reads the Hydra version build/go.mod pins.
func version() (string, error) {
	data, err := os.ReadFile(filepath.Join("build", "go.mod"))
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/ory/hydra/v2" && strings.HasPrefix(f[1], "v") {
			return f[1], nil
		}
	}
	return "", errors.New("build/go.mod does not require github.com/ory/hydra/v2")
}

// binary returns the cached Hydra binary, building it when asked to; ""
// (with peer.unavailable set) when it is missing and may not be built.
func binary() (string, error) {
	if bin := os.Getenv("AUTHWIRE_HYDRA_BIN"); bin != "" {
		return bin, nil
	}
	v, err := version()
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "authwire-conformance", "hydra-"+v, "hydra")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if os.Getenv("AUTHWIRE_HYDRA_BUILD") != "1" {
		peer.unavailable = fmt.Sprintf("Hydra %s is not built (%s is missing); run conformance/run.sh or set AUTHWIRE_HYDRA_BUILD=1", v, bin)
		return "", nil
	}
	start := time.Now()
	tmp := bin + ".tmp"
	cmd := exec.Command("go", "build", "-tags", "sqlite", "-o", tmp, "github.com/ory/hydra/v2")
	cmd.Dir = "build"
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", v, err, out)
	}
	fmt.Fprintf(os.Stderr, "hydra: built %s in %s\n", v, time.Since(start).Round(time.Second))
	return bin, os.Rename(tmp, bin)
}

func startHydra(bin, dir, loginApp string) (*peerproc.Process, error) {
	var err error
	if peer.tls, err = pki.Write(dir); err != nil {
		return nil, err
	}
	publicPort, err := peerproc.FreePort()
	if err != nil {
		return nil, err
	}
	adminPort, err := peerproc.FreePort()
	if err != nil {
		return nil, err
	}
	peer.public = "https://127.0.0.1:" + strconv.Itoa(publicPort)
	peer.admin = "https://127.0.0.1:" + strconv.Itoa(adminPort)
	p, _, err := peerproc.Start(context.Background(), peerproc.Spec{
		Argv: []string{bin, "serve", "all", "--sqa-opt-out"},
		Dir:  dir,
		Env: []string{
			"DSN=memory",
			"LOG_LEVEL=warn",
			"SERVE_PUBLIC_HOST=127.0.0.1", "SERVE_PUBLIC_PORT=" + strconv.Itoa(publicPort),
			"SERVE_ADMIN_HOST=127.0.0.1", "SERVE_ADMIN_PORT=" + strconv.Itoa(adminPort),
			"SERVE_TLS_ENABLED=true", "SERVE_TLS_CERT_PATH=" + peer.tls.CertFile, "SERVE_TLS_KEY_PATH=" + peer.tls.KeyFile,
			"URLS_SELF_ISSUER=" + peer.public,
			"URLS_LOGIN=" + loginApp + "/login",
			"URLS_CONSENT=" + loginApp + "/consent",
			"SECRETS_SYSTEM=" + rand.Text() + rand.Text(),
			"OAUTH2_PKCE_ENFORCED_FOR_PUBLIC_CLIENTS=true",
		},
	})
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := adminClient().Get(peer.admin + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.Done():
			return nil, fmt.Errorf("exited before it was ready: %s", p.Output())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("not ready within a minute: %s", p.Output())
		}
	}
}

// adminClient is a plain client that trusts Hydra's CA.
func adminClient() *http.Client {
	return &http.Client{Transport: &http.Transport{Proxy: nil, TLSClientConfig: peer.tls.TLSClientConfig()}, Timeout: 30 * time.Second}
}

func registerClients() error {
	peer.secrets = map[string]string{
		basicClient: rand.Text() + "+/:%&=" + rand.Text(),
		postClient:  rand.Text() + "+&=" + rand.Text(),
	}
	clients := []map[string]any{
		{"client_id": basicClient, "client_secret": peer.secrets[basicClient], "token_endpoint_auth_method": "client_secret_basic", "grant_types": []string{"client_credentials"}, "scope": "all"},
		{"client_id": postClient, "client_secret": peer.secrets[postClient], "token_endpoint_auth_method": "client_secret_post", "grant_types": []string{"client_credentials"}, "scope": "all"},
		{
			"client_id": publicClient, "token_endpoint_auth_method": "none",
			"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"},
			"scope": "openid offline_access all", "redirect_uris": []string{"http://127.0.0.1/callback"},
		},
	}
	for _, c := range clients {
		if _, err := admin(context.Background(), http.MethodPost, "/admin/clients", c); err != nil {
			return err
		}
	}
	return nil
}

// admin calls Hydra's admin API with a JSON body and returns the answer.
func admin(ctx context.Context, method, path string, body any) (map[string]any, error) {
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, peer.admin+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := adminClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %s %s", method, path, resp.Status, data)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return out, nil
}

// loginApp accepts every login (as subject "alice") and grants every
// requested scope, through Hydra's admin API: what a login and consent UI
// does once the user has agreed.
type loginApp struct {
	*http.Server
}

func startLoginApp() (*loginApp, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		challenge := r.URL.Query().Get("login_challenge")
		accepted, err := admin(r.Context(), http.MethodPut, "/admin/oauth2/auth/requests/login/accept?login_challenge="+challenge,
			map[string]any{"subject": "alice", "remember": false})
		redirect(w, r, accepted, err)
	})
	mux.HandleFunc("GET /consent", func(w http.ResponseWriter, r *http.Request) {
		challenge := r.URL.Query().Get("consent_challenge")
		consent, err := admin(r.Context(), http.MethodGet, "/admin/oauth2/auth/requests/consent?consent_challenge="+challenge, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		accepted, err := admin(r.Context(), http.MethodPut, "/admin/oauth2/auth/requests/consent/accept?consent_challenge="+challenge, map[string]any{
			"grant_scope":                 consent["requested_scope"],
			"grant_access_token_audience": consent["requested_access_token_audience"],
			"remember":                    false,
		})
		redirect(w, r, accepted, err)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	srv.Addr = ln.Addr().String()
	go srv.Serve(ln) //nolint:errcheck // ErrServerClosed on Close
	return &loginApp{srv}, nil
}

func redirect(w http.ResponseWriter, r *http.Request, accepted map[string]any, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	to, _ := accepted["redirect_to"].(string)
	if to == "" {
		http.Error(w, "no redirect_to", http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}
