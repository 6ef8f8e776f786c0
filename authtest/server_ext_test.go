package authtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/authwire/authwire/authtest"
)

func TestServerTLS(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	if !strings.HasPrefix(srv.URL(), "https://127.0.0.1:") {
		t.Errorf("URL = %q", srv.URL())
	}
	if host, port, err := net.SplitHostPort(srv.Endpoint()); err != nil || host != "127.0.0.1" || port == "0" {
		t.Errorf("Endpoint = %q (%v)", srv.Endpoint(), err)
	}
	if srv.URL() != "https://"+srv.Endpoint() {
		t.Errorf("URL %q and Endpoint %q disagree", srv.URL(), srv.Endpoint())
	}

	pemBytes, err := os.ReadFile(srv.CAFile())
	if err != nil {
		t.Fatalf("read CA file: %v", err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("CA file is not a PEM certificate")
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.IsCA {
		t.Error("CA file does not hold a CA")
	}

	leaf := srv.Certificate()
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		if err := leaf.VerifyHostname(name); err != nil {
			t.Errorf("leaf does not cover %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: srv.CertPool(), DNSName: "localhost"}); err != nil {
		t.Errorf("leaf does not chain to CertPool: %v", err)
	}

	res := get(t, srv, srv.URL()+"/.well-known/oauth-authorization-server", nil)
	if res.ProtoMajor != 2 || res.TLS == nil {
		t.Errorf("HTTPClient spoke %s (TLS %v), want HTTP/2 over TLS", res.Proto, res.TLS != nil)
	}

	// Plain HTTP/1.1 clients are served too.
	h1 := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CertPool(), MinVersion: tls.VersionTLS12}}
	res1, err := (&http.Client{Transport: h1}).Get(srv.URL() + "/config/v1/flyte_client")
	if err != nil {
		t.Fatalf("HTTP/1.1 GET: %v", err)
	}
	res1.Body.Close()
	h1.CloseIdleConnections()
	if res1.ProtoMajor != 1 || res1.StatusCode != http.StatusOK {
		t.Errorf("HTTP/1.1 client got %s %d", res1.Proto, res1.StatusCode)
	}
}

func TestServerH2C(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	if srv.URL() != "http://"+srv.Endpoint() {
		t.Errorf("URL = %q, Endpoint = %q", srv.URL(), srv.Endpoint())
	}
	if srv.CAFile() != "" || srv.CertPool() != nil || srv.Certificate() != nil {
		t.Error("h2c server reports TLS material")
	}
	res := get(t, srv, srv.URL()+"/config/v1/flyte_client", nil)
	if res.ProtoMajor != 2 || res.TLS != nil {
		t.Errorf("HTTPClient spoke %s (TLS %v), want h2c", res.Proto, res.TLS != nil)
	}
	res1, err := http.Get(srv.URL() + "/config/v1/flyte_client")
	if err != nil {
		t.Fatalf("HTTP/1.1 GET: %v", err)
	}
	res1.Body.Close()
	if res1.ProtoMajor != 1 || res1.StatusCode != http.StatusOK {
		t.Errorf("HTTP/1.1 client got %s %d", res1.Proto, res1.StatusCode)
	}
}

func TestServerUntrustedClientFails(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t)
	// The CA is fresh per server: the system roots do not trust it.
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	_, err := (&http.Client{Transport: tr}).Get(srv.URL() + "/config/v1/flyte_client")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("error = %v, want an unknown authority error", err)
	}
}

func TestCloseRemovesCAFileAndIsIdempotent(t *testing.T) {
	t.Parallel()
	srv, err := authtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	caFile := srv.CAFile()
	srv.Close()
	srv.Close()
	if _, err := os.Stat(caFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CA file after Close: %v", err)
	}
	// The port may be reused by another test's server, but that one has
	// its own CA, so this server's client cannot reach a server either way.
	res, err := srv.HTTPClient().Get(srv.URL() + "/config/v1/flyte_client")
	if err == nil {
		res.Body.Close()
		t.Error("server still answers after Close")
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]authtest.Option{
		"zero TTL":     authtest.WithTokenTTL(0),
		"empty key":    authtest.WithAuthorizationMetadataKey(""),
		"bad status":   authtest.WithProxyRejectStatus(1000),
		"negative TTL": authtest.WithTokenTTL(-time.Second),
	} {
		srv, err := authtest.Start(opt)
		if err == nil {
			srv.Close()
			t.Errorf("%s: Start succeeded", name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "authtest: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
}

func TestClientCredentialsAreRandom(t *testing.T) {
	t.Parallel()
	a, b := authtest.New(t, authtest.WithH2C()), authtest.New(t, authtest.WithH2C())
	if a.ClientSecret() == b.ClientSecret() || a.ClientID() == b.ClientID() {
		t.Error("two servers share client credentials")
	}
	if len(a.ClientSecret()) < 32 {
		t.Errorf("client secret has %d characters", len(a.ClientSecret()))
	}
}
