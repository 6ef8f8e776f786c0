package benchserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Routes outside the service.
const (
	TokenPath      = "/oauth2/token"
	ProxyTokenPath = "/bench/proxy-token"
	StatsPath      = "/bench/stats"
)

// Credentials are the secrets a server accepts: random per run.
type Credentials struct {
	ClientID     string
	ClientSecret string
	Token        string // the access token the token endpoint issues
	ProxyToken   string // the token ProxyTokenPath hands out
}

// NewCredentials returns fresh random credentials.
func NewCredentials() Credentials {
	return Credentials{
		ClientID:     "bench-" + strings.ToLower(rand.Text()[:10]),
		ClientSecret: rand.Text(),
		Token:        rand.Text() + rand.Text(),
		ProxyToken:   rand.Text() + rand.Text(),
	}
}

// Stats counts what a server has seen.
type Stats struct {
	TokenRequests int64 // hits on TokenPath
	ProxyTokens   int64 // hits on ProxyTokenPath: one per proxy command run
	Calls         int64 // requests that reached the service
	WithBearer    int64 // of Calls, those that carried the bearer token
	WithProxy     int64 // of Calls, those that carried the proxy token
	CPUNanos      int64 // CPU time the server's process has used (in process: the whole process's)
}

// Server is a running benchmark server. Its methods are safe for concurrent
// use.
type Server struct {
	// H2CURL is "http://127.0.0.1:PORT", cleartext HTTP/1.1 and h2c.
	H2CURL string
	// TLSURL is "https://127.0.0.1:PORT", HTTP/1.1 and HTTP/2 over TLS.
	TLSURL string
	// CertPEM is the server's self-signed certificate, to trust.
	CertPEM []byte

	creds    Credentials
	bearer   string // "Bearer <token>"
	proxy    string // "Bearer <proxy token>"
	stats    stats
	profiler profiler
	servers  []*http.Server
	shutdown atomic.Bool
}

type stats struct {
	tokenRequests, proxyTokens, calls, withBearer, withProxy atomic.Int64
}

// Start runs a server in this process on two loopback ports. The caller
// must call [Server.Close].
func Start(creds Credentials) (*Server, error) {
	s := &Server{creds: creds, bearer: "Bearer " + creds.Token, proxy: "Bearer " + creds.ProxyToken}
	cert, certPEM, err := selfSigned()
	if err != nil {
		return nil, err
	}
	s.CertPEM = certPEM
	h2cLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("benchserver: listen: %w", err)
	}
	tlsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h2cLn.Close()
		return nil, fmt.Errorf("benchserver: listen: %w", err)
	}
	s.H2CURL = "http://" + h2cLn.Addr().String()
	s.TLSURL = "https://" + tlsLn.Addr().String()

	handler := s.routes()
	var cleartext, secure http.Protocols
	cleartext.SetHTTP1(true)
	cleartext.SetUnencryptedHTTP2(true)
	secure.SetHTTP1(true)
	secure.SetHTTP2(true)
	quiet := log.New(io.Discard, "", 0)
	h2cSrv := &http.Server{Handler: handler, Protocols: &cleartext, ReadHeaderTimeout: time.Minute, ErrorLog: quiet}
	tlsSrv := &http.Server{
		Handler: handler, Protocols: &secure, ReadHeaderTimeout: time.Minute, ErrorLog: quiet,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	}
	s.servers = []*http.Server{h2cSrv, tlsSrv}
	go h2cSrv.Serve(h2cLn)            //nolint:errcheck // ErrServerClosed on Close
	go tlsSrv.ServeTLS(tlsLn, "", "") //nolint:errcheck // ErrServerClosed on Close
	return s, nil
}

// Close stops the server and closes its connections.
func (s *Server) Close() {
	if s.shutdown.Swap(true) {
		return
	}
	for _, srv := range s.servers {
		srv.Close()
	}
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	return Stats{
		TokenRequests: s.stats.tokenRequests.Load(),
		ProxyTokens:   s.stats.proxyTokens.Load(),
		Calls:         s.stats.calls.Load(),
		WithBearer:    s.stats.withBearer.Load(),
		WithProxy:     s.stats.withProxy.Load(),
		CPUNanos:      cpu(),
	}
}

func cpu() int64 {
	self, _ := CPUTime()
	return self
}

func (s *Server) routes() http.Handler {
	svc := service()
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TokenPath, s.token)
	mux.HandleFunc("GET "+ProxyTokenPath, s.proxyToken)
	mux.HandleFunc("GET "+StatsPath, s.statsJSON)
	mux.HandleFunc("POST "+ProfileStartPath, s.profiler.start)
	mux.HandleFunc("POST "+ProfileStopPath, s.profiler.stop)
	mux.Handle("/", s.check(svc))
	return mux
}

// check is the proxy and bearer check in front of the service. A missing
// header passes; a wrong one is rejected (407 for the proxy, 401 for the
// bearer token).
func (s *Server) check(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.stats.calls.Add(1)
		seen := ""
		if v := r.Header.Get("Proxy-Authorization"); v != "" {
			if !equal(v, s.proxy) {
				http.Error(w, "proxy authentication required", http.StatusProxyAuthRequired)
				return
			}
			s.stats.withProxy.Add(1)
			seen = "proxy"
		}
		if v := r.Header.Get("Authorization"); v != "" {
			if !equal(v, s.bearer) {
				w.Header().Set("Www-Authenticate", "Bearer")
				http.Error(w, "unauthenticated", http.StatusUnauthorized)
				return
			}
			s.stats.withBearer.Add(1)
			seen += "+bearer"
		}
		if seen != "" && r.Header.Get("Bench-Check") != "" {
			w.Header().Set("Bench-Auth", strings.TrimPrefix(seen, "+"))
		}
		next.ServeHTTP(w, r)
	})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// token is a client_credentials token endpoint (client id and secret in
// Basic auth or the form).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.stats.tokenRequests.Add(1)
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if r.PostFormValue("grant_type") != "client_credentials" || !equal(id, s.creds.ClientID) || !equal(secret, s.creds.ClientSecret) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": s.creds.Token,
		"token_type":   "Bearer",
		"expires_in":   3600,
	})
}

func (s *Server) proxyToken(w http.ResponseWriter, _ *http.Request) {
	s.stats.proxyTokens.Add(1)
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, s.creds.ProxyToken)
}

func (s *Server) statsJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.Stats())
}

// selfSigned makes an ECDSA P-256 certificate for 127.0.0.1 and localhost,
// trusted directly (no CA).
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("benchserver: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("benchserver: serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("benchserver: certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}

// CertPool returns a pool that trusts only pemBytes.
func CertPool(pemBytes []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, errors.New("benchserver: no certificate in PEM")
	}
	return pool, nil
}
