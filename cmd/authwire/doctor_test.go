package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/internal/fakecmd"
)

// clientSecretSetup is a working configuration: TLS with the server's CA,
// the client-credentials flow with the secret in a file.
func clientSecretSetup(t *testing.T, srv *authtest.Server) admin {
	return admin{
		Endpoint:             "dns:///" + srv.Endpoint(),
		CACertFilePath:       srv.CAFile(),
		AuthType:             "ClientSecret",
		ClientID:             srv.ClientID(),
		ClientSecretLocation: writeSecret(t, srv.ClientSecret()),
	}
}

// withProxyCommand adds a proxy command that fetches a valid proxy token.
func withProxyCommand(a admin, srv *authtest.Server) admin {
	a.ProxyCommand = fakecmd.Fetch(srv.ProxyTokenURL(), srv.CAFile())
	return a
}

type doctorCase struct {
	name string
	opts []authtest.Option
	// setup returns the config and the environment; it may change the
	// server's knobs and add placeholders.
	setup func(t *testing.T, srv *authtest.Server, n *normalizer) (admin, map[string]string)
	// hosts maps host names the base transport's dialer resolves to
	// addresses.
	hosts map[string][]string
	args  []string
	want  int
}

var doctorCases = []doctorCase{
	{
		name: "pass",
		opts: []authtest.Option{authtest.WithProxyAuth()},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return withProxyCommand(clientSecretSetup(t, srv), srv), nil
		},
		want: exitOK,
	},
	{
		name: "pass_h2c_secret_from_env",
		opts: []authtest.Option{authtest.WithH2C()},
		setup: func(_ *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{
				Endpoint:           srv.Endpoint(),
				Insecure:           true,
				AuthType:           "ClientSecret",
				ClientID:           srv.ClientID(),
				ClientSecretEnvVar: "MY_FLYTE_SECRET",
			}, map[string]string{"MY_FLYTE_SECRET": srv.ClientSecret()}
		},
		want: exitOK,
	},
	{
		name: "pass_external_command_with_warning",
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{
				Endpoint:       srv.Endpoint(),
				CACertFilePath: srv.CAFile(),
				AuthType:       "ExternalCommand",
				Command:        fakecmd.Fetch(srv.CommandTokenURL(), srv.CAFile()),
				Extra:          "  insecureSkipVerfy: true\n",
			}, nil
		},
		want: exitOK,
	},
	{
		name: "pass_sandbox_without_auth",
		opts: []authtest.Option{authtest.WithAnonymous(), authtest.WithH2C()},
		setup: func(_ *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{Endpoint: "dns:///" + srv.Endpoint(), Insecure: true}, nil
		},
		want: exitOK,
	},
	{
		name: "http_endpoint_without_insecure",
		opts: []authtest.Option{authtest.WithAnonymous(), authtest.WithH2C()},
		setup: func(_ *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{Endpoint: "http://" + srv.Endpoint()}, nil
		},
		want: exitFailed,
	},
	{
		name: "wrong_ca",
		opts: []authtest.Option{authtest.WithProxyAuth()},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			a := withProxyCommand(clientSecretSetup(t, srv), srv)
			a.CACertFilePath = ""
			return a, nil
		},
		want: exitFailed,
	},
	{
		name: "name_mismatch",
		setup: func(t *testing.T, srv *authtest.Server, n *normalizer) (admin, map[string]string) {
			a := clientSecretSetup(t, srv)
			_, port, _ := net.SplitHostPort(srv.Endpoint())
			a.Endpoint = "flyte.authwire.test:" + port
			n.add(":"+port, ":<PORT>")
			return a, nil
		},
		hosts: map[string][]string{"flyte.authwire.test": {"127.0.0.1"}},
		want:  exitFailed,
	},
	{
		name: "tls_to_cleartext_server",
		opts: []authtest.Option{authtest.WithH2C()},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{Endpoint: srv.Endpoint(), AuthType: "ClientSecret", ClientID: srv.ClientID(), ClientSecretLocation: writeSecret(t, srv.ClientSecret())}, nil
		},
		want: exitFailed,
	},
	{
		name: "h2c_to_tls_server",
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{Endpoint: srv.Endpoint(), Insecure: true, AuthType: "ClientSecret", ClientID: srv.ClientID(), ClientSecretLocation: writeSecret(t, srv.ClientSecret())}, nil
		},
		want: exitFailed,
	},
	{
		name: "connection_refused",
		setup: func(t *testing.T, srv *authtest.Server, n *normalizer) (admin, map[string]string) {
			a := clientSecretSetup(t, srv)
			a.Endpoint = closedPort(t)
			n.add(a.Endpoint, "127.0.0.1:<CLOSED>")
			return a, nil
		},
		want: exitFailed,
	},
	{
		name: "proxy_rejects_token",
		opts: []authtest.Option{authtest.WithProxyAuth()},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			a := clientSecretSetup(t, srv)
			a.ProxyCommand = fakecmd.Print(randomToken())
			return a, nil
		},
		want: exitFailed,
	},
	{
		name: "proxy_iap_401",
		opts: []authtest.Option{authtest.WithProxyRejectStatus(http.StatusUnauthorized)},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			a := clientSecretSetup(t, srv)
			a.ProxyCommand = fakecmd.Print(randomToken())
			return a, nil
		},
		want: exitFailed,
	},
	{
		name: "proxy_command_missing",
		opts: []authtest.Option{authtest.WithProxyAuth()},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return clientSecretSetup(t, srv), nil
		},
		want: exitFailed,
	},
	{
		name: "proxy_command_fails",
		opts: []authtest.Option{authtest.WithProxyAuth()},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			a := clientSecretSetup(t, srv)
			a.ProxyCommand = fakecmd.Fail(1, "not logged in")
			return a, nil
		},
		want: exitFailed,
	},
	{
		name: "external_command_fails",
		setup: func(_ *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{
				Endpoint:       srv.Endpoint(),
				CACertFilePath: srv.CAFile(),
				AuthType:       "ExternalCommand",
				Command:        fakecmd.Fail(3, "no credentials found"),
			}, nil
		},
		want: exitFailed,
	},
	{
		name: "wrong_secret",
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			a := clientSecretSetup(t, srv)
			a.ClientSecretLocation = writeSecret(t, randomToken())
			return a, nil
		},
		want: exitFailed,
	},
	{
		name: "token_endpoint_invalid_client",
		opts: []authtest.Option{authtest.WithProxyAuth()},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			srv.FailTokenRequests(100, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"client is disabled"}`)
			return withProxyCommand(clientSecretSetup(t, srv), srv), nil
		},
		want: exitFailed,
	},
	{
		name: "token_endpoint_invalid_scope",
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			srv.FailTokenRequests(100, http.StatusBadRequest, `{"error":"invalid_scope"}`)
			a := clientSecretSetup(t, srv)
			a.Extra = "  scopes: [\"all\", \"offline\"]\n"
			return a, nil
		},
		want: exitFailed,
	},
	{
		name: "server_rejects_token",
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			srv.RejectAll(true)
			return clientSecretSetup(t, srv), nil
		},
		want: exitFailed,
	},
	{
		name: "auth_none_but_server_wants_token",
		setup: func(_ *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: "None"}, nil
		},
		want: exitFailed,
	},
	{
		name: "probe_unimplemented",
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return clientSecretSetup(t, srv), nil
		},
		args: []string{"--probe", "/authwire.test.v1.TestService/Missing"},
		want: exitFailed,
	},
	{
		name: "unknown_auth_type",
		setup: func(_ *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{Endpoint: srv.Endpoint(), AuthType: "client-secret"}, nil
		},
		want: exitFailed,
	},
	{
		name: "pass_probe_flag",
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return clientSecretSetup(t, srv), nil
		},
		args: []string{"--probe", authtest.TestServiceUnaryProcedure},
		want: exitOK,
	},
	{
		name: "through_http_proxy",
		setup: func(t *testing.T, srv *authtest.Server, n *normalizer) (admin, map[string]string) {
			a := clientSecretSetup(t, srv)
			a.HTTPProxyURL = "http://" + startProxy(t, serveConnect)
			n.add(strings.TrimPrefix(a.HTTPProxyURL, "http://"), "127.0.0.1:<PROXY>")
			return a, nil
		},
		want: exitOK,
	},
	{
		name: "http_proxy_wants_credentials",
		setup: func(t *testing.T, srv *authtest.Server, n *normalizer) (admin, map[string]string) {
			a := clientSecretSetup(t, srv)
			a.HTTPProxyURL = "http://" + startProxy(t, refuseConnect)
			n.add(strings.TrimPrefix(a.HTTPProxyURL, "http://"), "127.0.0.1:<PROXY>")
			return a, nil
		},
		want: exitFailed,
	},
	{
		name: "pass_flyte2_dataplane_domain",
		opts: []authtest.Option{authtest.WithFlyte2(), authtest.WithDataplaneDomain("https://dp.example.org")},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return clientSecretSetup(t, srv), nil
		},
		want: exitOK,
	},
	{
		name: "pass_flyte2_without_oauth2_metadata_token_url",
		opts: []authtest.Option{authtest.WithFlyte2(), authtest.WithoutOAuth2Metadata()},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			a := clientSecretSetup(t, srv)
			a.Extra = "  tokenUrl: " + srv.TokenURL() + "\n"
			return a, nil
		},
		want: exitOK,
	},
	{
		name: "flyte2_without_oauth2_metadata",
		opts: []authtest.Option{authtest.WithFlyte2(), authtest.WithoutOAuth2Metadata()},
		setup: func(t *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return clientSecretSetup(t, srv), nil
		},
		want: exitFailed,
	},
	{
		name: "flyte2_without_oauth2_metadata_external_command",
		opts: []authtest.Option{authtest.WithFlyte2(), authtest.WithoutOAuth2Metadata()},
		setup: func(_ *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{
				Endpoint:       srv.Endpoint(),
				CACertFilePath: srv.CAFile(),
				AuthType:       "ExternalCommand",
				Command:        fakecmd.Fetch(srv.CommandTokenURL(), srv.CAFile()),
			}, nil
		},
		want: exitOK,
	},
	{
		name: "passthrough",
		setup: func(_ *testing.T, srv *authtest.Server, _ *normalizer) (admin, map[string]string) {
			return admin{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: "Passthrough"}, nil
		},
		want: exitOK,
	},
}

func TestDoctorGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range doctorCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := authtest.New(t, tc.opts...)
			n := &normalizer{}
			a, env := tc.setup(t, srv, n)
			path := writeConfig(t, a)
			n.add(path, "<CONFIG>")
			n.add(a.ClientSecretLocation, "<SECRET_FILE>")
			n.addServer(srv)
			c := newTestCLI(env)
			if tc.hosts != nil {
				c.dial = fakeDialer(tc.hosts)
			}
			args := append([]string{"--config", path, "doctor"}, tc.args...)
			r := runWith(t, c, args...)
			if r.code != tc.want {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.want, r.stdout, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr: %q, want nothing", r.stderr)
			}
			golden(t, "doctor_"+tc.name, n.apply(r.stdout))
		})
	}
}

func TestDoctorJSON(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithProxyAuth())
	path := writeConfig(t, withProxyCommand(clientSecretSetup(t, srv), srv))
	r := runCLI(t, nil, "doctor", "--config", path, "--output", "json")
	if r.code != exitOK {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	var report doctorReport
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&report); err != nil {
		t.Fatalf("stdout is not one doctor report: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Errorf("stdout holds more than one JSON value:\n%s", r.stdout)
	}
	if !report.OK || report.Command != "doctor" || report.Config != path {
		t.Errorf("report = ok %v, command %q, config %q; want ok true, doctor, %q", report.OK, report.Command, report.Config, path)
	}
	var names []string
	for _, s := range report.Steps {
		names = append(names, s.Name)
		if !s.OK || s.Detail == "" {
			t.Errorf("step %+v: want ok with a detail", s)
		}
	}
	want := []string{"config", "dns", "tcp", "tls", "http2", "proxy", "metadata", "token", "call"}
	if !slices.Equal(names, want) {
		t.Errorf("steps %q, want %q", names, want)
	}
}

func TestDoctorJSONStopsAtFailure(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	a := clientSecretSetup(t, srv)
	a.CACertFilePath = ""
	r := runCLI(t, nil, "--output=json", "--config", writeConfig(t, a), "doctor")
	if r.code != exitFailed {
		t.Fatalf("exit status %d, want %d\n%s", r.code, exitFailed, r.stdout)
	}
	var report doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	last := report.Steps[len(report.Steps)-1]
	if report.OK || last.Name != "tls" || last.OK || !strings.Contains(last.Hint, "caCertFilePath") {
		t.Errorf("report ok %v, last step %+v; want a failed tls step that names caCertFilePath", report.OK, last)
	}
}

func TestDoctorWithoutConfig(t *testing.T) {
	t.Parallel()
	r := runCLI(t, map[string]string{"HOME": t.TempDir()}, "doctor")
	if r.code != exitFailed {
		t.Errorf("exit status %d, want %d", r.code, exitFailed)
	}
	if !strings.HasPrefix(r.stdout, "FAIL  config") || !strings.Contains(r.stdout, "FLYTE_PLATFORM_URL") {
		t.Errorf("stdout does not report the missing config:\n%s", r.stdout)
	}
}

func TestDoctorUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"doctor", "--probe", "GetVersion"},
		{"doctor", "--probe", "/only.Service"},
		{"doctor", "--timeout", "0s"},
		{"doctor", "extra"},
	} {
		r := runCLI(t, nil, args...)
		if r.code != exitUsage || r.stdout != "" || r.stderr == "" {
			t.Errorf("%q: exit status %d, stdout %q, stderr %q; want %d, nothing, a message", args, r.code, r.stdout, r.stderr, exitUsage)
		}
	}
}

func TestDoctorStopsWhenCanceled(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	c := newTestCLI(nil)
	c.configPath = writeConfig(t, clientSecretSetup(t, srv))
	code := c.doctor(canceled(t), nil)
	if code != exitFailed {
		t.Errorf("exit status %d, want %d", code, exitFailed)
	}
	if got := srv.Counters(); got.TokenRequests != 0 || got.Attempts != 0 {
		t.Errorf("a canceled doctor reached the server: %+v", got)
	}
}

// fakeDialer resolves the names in hosts, and no others, as a resolver
// would: it reports the lookup to the request's httptrace hooks, then dials
// the first address.
func fakeDialer(hosts map[string][]string) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var d net.Dialer
		if net.ParseIP(host) != nil {
			return d.DialContext(ctx, network, addr)
		}
		trace := httptrace.ContextClientTrace(ctx)
		if trace != nil && trace.DNSStart != nil {
			trace.DNSStart(httptrace.DNSStartInfo{Host: host})
		}
		ips, ok := hosts[host]
		var dnsErr error
		if !ok {
			dnsErr = &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		if trace != nil && trace.DNSDone != nil {
			info := httptrace.DNSDoneInfo{Err: dnsErr}
			for _, ip := range ips {
				info.Addrs = append(info.Addrs, net.IPAddr{IP: net.ParseIP(ip)})
			}
			trace.DNSDone(info)
		}
		if dnsErr != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: dnsErr}
		}
		return d.DialContext(ctx, network, net.JoinHostPort(ips[0], port))
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startProxy starts an HTTP proxy on loopback that serves each connection
// with serve, and returns its address.
func startProxy(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { serve(conn) })
		}
	})
	return ln.Addr().String()
}

// refuseConnect answers every request with 407, as a proxy that wants
// credentials does.
func refuseConnect(conn net.Conn) {
	defer conn.Close()
	if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
		return
	}
	io.WriteString(conn, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n")
}

// serveConnect serves CONNECT tunnels only.
func serveConnect(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		io.WriteString(conn, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	upstream, err := net.Dial("tcp", req.Host)
	if err != nil {
		io.WriteString(conn, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer upstream.Close()
	io.WriteString(conn, "HTTP/1.1 200 Connection Established\r\n\r\n")
	done := make(chan struct{})
	go func() {
		io.Copy(upstream, br)
		upstream.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(conn, upstream)
	conn.(*net.TCPConn).CloseWrite()
	<-done
}
