package transport_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

// tlsServer starts an HTTP/2-capable TLS server on loopback and writes its
// certificate to a PEM file.
func tlsServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	cert := selfSigned(t)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, path
}

func fetch(t *testing.T, rt http.RoundTripper, url string) (string, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestBaseTrustsCAFileAndSpeaksHTTP2(t *testing.T) {
	t.Parallel()
	srv, caFile := tlsServer(t)
	rt, err := transport.Base(&config.Platform{Endpoint: srv.Listener.Addr().String(), CACertFilePath: caFile})
	if err != nil {
		t.Fatal(err)
	}
	proto, err := fetch(t, rt, srv.URL)
	if err != nil || proto != "HTTP/2.0" {
		t.Fatalf("got %q, %v; want HTTP/2.0", proto, err)
	}
}

func TestBaseWithoutCAFileRejectsUnknownCA(t *testing.T) {
	t.Parallel()
	srv, _ := tlsServer(t)
	rt, err := transport.Base(&config.Platform{Endpoint: srv.Listener.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fetch(t, rt, srv.URL); err == nil {
		t.Fatal("self-signed certificate accepted without caCertFilePath")
	}
}

func TestBaseRejectsBadSettingsAtConstruction(t *testing.T) {
	t.Parallel()
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	os.WriteFile(garbage, []byte("not a certificate"), 0o600)
	for _, tc := range []struct {
		name string
		cfg  config.Platform
		key  string
	}{
		{"unreadable CA file", config.Platform{Endpoint: "h", CACertFilePath: "/nonexistent/ca.pem"}, "caCertFilePath"},
		{"CA file without PEM", config.Platform{Endpoint: "h", CACertFilePath: garbage}, "caCertFilePath"},
		{"malformed endpoint", config.Platform{Endpoint: "https://h/path"}, "endpoint"},
		{"empty endpoint", config.Platform{}, "endpoint"},
		{"malformed proxy URL", config.Platform{Endpoint: "h", HTTPProxyURL: "::nope"}, "httpProxyURL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := transport.Base(&tc.cfg)
			if errs.CodeOf(err) != errs.InvalidArgument {
				t.Fatalf("err = %v, want InvalidArgument", err)
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) || fe.Key != tc.key {
				t.Fatalf("err = %v, want a FieldError for %s", err, tc.key)
			}
		})
	}
}

func TestInsecureSkipVerifyPinsFirstCertificate(t *testing.T) {
	t.Parallel()
	var cert atomic.Pointer[tls.Certificate]
	first := selfSigned(t)
	cert.Store(&first)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		return &tls.Config{Certificates: []tls.Certificate{*cert.Load()}}, nil
	}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	rt, err := transport.Base(&config.Platform{Endpoint: srv.Listener.Addr().String(), InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fetch(t, rt, srv.URL); err != nil {
		t.Fatalf("first connection: %v", err)
	}
	second := selfSigned(t) // the same host:port, another certificate
	cert.Store(&second)
	rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	_, err = fetch(t, rt, srv.URL)
	if !errors.Is(err, transport.ErrPinMismatch) {
		t.Fatalf("changed certificate: err = %v, want ErrPinMismatch", err)
	}
}

// TestInsecureSkipVerifyVerifiesOtherIPLiteralHosts: the pin applies to the
// endpoint's host:port only. Another host on an IP literal (an IdP with a
// configured tokenUrl, reached before the endpoint), whose handshake carries
// no server name either, is verified and its unknown certificate refused;
// the endpoint is then pinned as usual.
func TestInsecureSkipVerifyVerifiesOtherIPLiteralHosts(t *testing.T) {
	t.Parallel()
	endpoint, _ := tlsServer(t)
	var reached atomic.Int32
	idp := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	idp.Config.ErrorLog = log.New(io.Discard, "", 0)
	idp.StartTLS()
	t.Cleanup(idp.Close)
	rt, err := transport.Base(&config.Platform{Endpoint: endpoint.Listener.Addr().String(), InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	var unknown x509.UnknownAuthorityError
	if _, err := fetch(t, rt, idp.URL); !errors.As(err, &unknown) {
		t.Fatalf("unverified IP-literal host: err = %v, want an unknown authority", err)
	}
	if _, err := fetch(t, rt, endpoint.URL); err != nil {
		t.Fatalf("the endpoint: %v", err)
	}
	if reached.Load() != 0 {
		t.Fatal("a request reached the unverified host")
	}
}

func TestInsecureIsH2C(t *testing.T) {
	t.Parallel()
	protos := new(http.Protocols)
	protos.SetUnencryptedHTTP2(true)
	protos.SetHTTP1(true)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }))
	srv.Config.Protocols = protos
	srv.Start()
	t.Cleanup(srv.Close)
	rt, err := transport.Base(&config.Platform{Endpoint: srv.Listener.Addr().String(), Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	proto, err := fetch(t, rt, srv.URL)
	if err != nil || proto != "HTTP/2.0" {
		t.Fatalf("got %q, %v; want HTTP/2.0 over cleartext", proto, err)
	}
}

func TestHTTPProxyURLCarriesEveryHop(t *testing.T) {
	t.Parallel()
	srv, caFile := tlsServer(t)
	var connects atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		connects.Add(1)
		upstream, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		go func() { io.Copy(upstream, buf); upstream.Close() }()
		io.Copy(conn, upstream)
		conn.Close()
	}))
	t.Cleanup(proxy.Close)
	rt, err := transport.Base(&config.Platform{Endpoint: srv.Listener.Addr().String(), CACertFilePath: caFile, HTTPProxyURL: proxy.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fetch(t, rt, srv.URL); err != nil {
		t.Fatal(err)
	}
	if connects.Load() != 1 {
		t.Fatalf("proxy saw %d CONNECTs, want 1", connects.Load())
	}
}

func TestBootstrapTLSReturnsChain(t *testing.T) {
	t.Parallel()
	srv, _ := tlsServer(t)
	chain, err := transport.BootstrapTLS(t.Context(), srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) == 0 || !chain[0].Equal(srv.Certificate()) {
		t.Fatalf("chain = %d certificates, want the server's", len(chain))
	}
	if _, err := transport.BootstrapTLS(t.Context(), "127.0.0.1:1"); errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("refused: err = %v", err)
	}
}

// selfSigned makes a fresh self-signed certificate for 127.0.0.1, so that
// each test server has its own.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "authwire test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestIdleConnTimeout: a connection idle for longer than WithIdleConnTimeout
// is not used again; by default one idle for a moment is.
func TestIdleConnTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		opts  []transport.BaseOption
		conns int64
	}{
		{"default", nil, 1},
		{"shorter than the pause between calls", []transport.BaseOption{transport.WithIdleConnTimeout(time.Nanosecond)}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var conns atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			t.Cleanup(srv.Close)
			rt, err := transport.Base(&config.Platform{Endpoint: srv.URL}, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := fetch(t, rt, srv.URL); err != nil {
					t.Fatal(err)
				}
			}
			if n := conns.Load(); n != tc.conns {
				t.Fatalf("%d connections for two calls, want %d", n, tc.conns)
			}
		})
	}
}
