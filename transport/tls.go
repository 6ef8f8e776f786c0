package transport

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"sync"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// tlsConfig builds the client TLS configuration: system roots (or
// WithRootCAs) plus the PEM file at cfg.CACertFilePath, client certificates,
// and for InsecureSkipVerify a pin of the endpoint's first certificate.
func tlsConfig(cfg *config.Platform, ep config.Endpoint, o options) (*tls.Config, error) {
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
	if cfg.InsecureSkipVerify {
		p := &pin{host: ep.Host, roots: roots}
		c.InsecureSkipVerify = true // replaced by the pin check below
		c.VerifyConnection = p.verify
	}
	return c, nil
}

// pin trusts the certificate chain the endpoint presents first and rejects
// any other later: trust on first use, for the life of the stack. Other
// hosts (an IdP on another domain) are verified normally against the roots.
type pin struct {
	host  string
	roots *x509.CertPool // for other hosts; nil means the system roots
	mu    sync.Mutex
	leaf  []byte
}

// ErrPinMismatch is matched by the error of a handshake whose certificate
// differs from the pinned one.
var ErrPinMismatch = errors.New("transport: the server's certificate changed since it was pinned")

func (p *pin) verify(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return &errs.Error{Code: errs.Unavailable, Op: "transport", Message: "server presented no certificate"}
	}
	if cs.ServerName != p.host && cs.ServerName != "" {
		return verifyChain(cs, p.roots)
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

// verifyChain performs the standard verification that InsecureSkipVerify
// turned off, for hosts other than the pinned endpoint.
func verifyChain(cs tls.ConnectionState, roots *x509.CertPool) error {
	opts := x509.VerifyOptions{DNSName: cs.ServerName, Roots: roots, Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(opts)
	return err
}
