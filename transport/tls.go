package transport

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"sync"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// tlsConfig builds the client TLS configuration: system roots (or
// WithRootCAs) plus the PEM file at cfg.CACertFilePath, and client
// certificates. Every host is verified against it; for InsecureSkipVerify,
// see [pinConfig].
func tlsConfig(cfg *config.Platform, o baseOptions) (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: o.clientCerts}
	roots := o.rootCAs
	if cfg.CACertFilePath != "" {
		pem, err := os.ReadFile(cfg.CACertFilePath)
		if err != nil {
			return nil, configError(&config.FieldError{Key: "caCertFilePath", Value: cfg.CACertFilePath, Reason: "cannot read CA file", Err: err}, "")
		}
		if roots == nil {
			if roots, err = x509.SystemCertPool(); err != nil {
				roots = x509.NewCertPool()
			}
		} else {
			roots = roots.Clone()
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, configError(&config.FieldError{Key: "caCertFilePath", Value: cfg.CACertFilePath, Reason: "holds no PEM certificate"}, "")
		}
	}
	c.RootCAs = roots
	return c, nil
}

// pinConfig returns verified with verification replaced by a pin of the
// first certificate seen: the configuration of the transport that dials the
// endpoint's host:port, and nothing else, under InsecureSkipVerify.
func pinConfig(verified *tls.Config) *tls.Config {
	c := verified.Clone()
	c.InsecureSkipVerify = true // replaced by the pin check
	c.VerifyConnection = new(pin).verify
	return c
}

// pinRouter is the TLS transport under InsecureSkipVerify. It decides on
// the host:port a request dials, never on what the handshake reports (the
// TLS ServerName is empty for IP literals): requests to the endpoint's
// host:port go through the pinned transport, whose connections only ever
// reach that host:port; every other host (an IdP, a dataplane host) goes
// through the verified one.
type pinRouter struct {
	authority        string // the endpoint's host[:port] as configured
	endpoint         string // canonical host:port
	pinned, verified *http.Transport
}

func (p *pinRouter) RoundTrip(req *http.Request) (*http.Response, error) {
	// The authority as configured matches without building a string.
	if req.URL.Host == p.authority || config.CanonicalHost(req.URL.Host, req.URL.Scheme) == p.endpoint {
		return p.pinned.RoundTrip(req)
	}
	return p.verified.RoundTrip(req)
}

func (p *pinRouter) CloseIdleConnections() {
	p.pinned.CloseIdleConnections()
	p.verified.CloseIdleConnections()
}

// pin trusts the certificate the endpoint presents first and rejects any
// other later: trust on first use, for the life of the stack.
type pin struct {
	mu   sync.Mutex
	leaf []byte
}

// ErrPinMismatch is matched by the error of a handshake whose certificate
// differs from the pinned one.
var ErrPinMismatch = errors.New("transport: the server's certificate changed since it was pinned")

func (p *pin) verify(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return &errs.Error{Code: errs.Unavailable, Op: "transport", Message: "server presented no certificate"}
	}
	leaf := cs.PeerCertificates[0].Raw
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.leaf == nil {
		p.leaf = bytes.Clone(leaf)
		return nil
	}
	if !bytes.Equal(p.leaf, leaf) {
		return &errs.Error{
			Code: errs.Unavailable, Op: "transport", Err: ErrPinMismatch,
			Hint: "insecureSkipVerify pins the first certificate seen; restart to trust a new one, or set caCertFilePath",
		}
	}
	return nil
}
