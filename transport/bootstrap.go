package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// BootstrapTLS connects to endpoint (any [config.ParseEndpoint] form), and
// returns the certificate chain it presents, unverified (flytekit's
// bootstrap_creds_from_server). [Base] does this by itself, lazily and with
// a pin, when insecureSkipVerify is set; call BootstrapTLS to inspect the
// chain or to build a root pool ([WithRootCAs]) that trusts it.
func BootstrapTLS(ctx context.Context, endpoint string) ([]*x509.Certificate, error) {
	ep, err := config.ParseEndpoint(endpoint, false)
	if err != nil {
		return nil, configError(err, "")
	}
	d := tls.Dialer{
		NetDialer: &net.Dialer{Timeout: DefaultDialTimeout},
		Config:    &tls.Config{InsecureSkipVerify: true, ServerName: ep.Host}, //nolint:gosec // fetching the chain is the point
	}
	conn, err := d.DialContext(ctx, "tcp", ep.HostPort())
	if err != nil {
		return nil, &errs.Error{Code: errs.Unavailable, Op: "transport", Message: "cannot fetch the certificate of " + ep.HostPort(), Err: err}
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState().PeerCertificates, nil
}
