package errs

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// failure says whether a failed attempt may be sent again.
type failure uint8

const (
	// permanent failures are not retried.
	permanent failure = iota
	// notSent failures provably happened before the server saw the
	// request (a refused connection, REFUSED_STREAM, a GOAWAY that excluded
	// the stream): any replayable request may be sent again.
	notSent
	// connLost failures may have happened after the server saw the request
	// (a reset connection, a timeout): only replayable idempotent requests
	// may be sent again.
	connLost
)

// FromTransportError returns the *Error for a Go error from sending req
// (what an http.RoundTripper or http.Client.Do returns): its code, a
// message, and a hint naming the setting to change —
//
//   - unknown certificate authority → caCertFilePath or insecureSkipVerify;
//     certificate name mismatch; expired certificate; a TLS client
//     certificate the server refuses;
//   - TLS spoken to a cleartext server → insecure: true; cleartext HTTP/2
//     (h2c) spoken to a TLS or HTTP/1-only server → insecure: false;
//   - DNS failures and refused connections → endpoint; the HTTP proxy
//     unreachable or asking for credentials → httpProxyURL;
//   - timeouts (DeadlineExceeded); HTTP/2 stream errors by their code
//     (REFUSED_STREAM is Unavailable); context errors (Canceled,
//     DeadlineExceeded, still matched by errors.Is);
//   - any failure of a request whose context has ended, or whose deadline
//     has passed though its timer has not fired yet: Canceled or
//     DeadlineExceeded, whatever the network reported (a server that keeps
//     the deadline resets the stream as it passes).
//
// Everything else is Unavailable, as connect-go reports it. The cause
// stays in the chain (Err). An error that already holds an *Error is
// returned unchanged, so FromTransportError is idempotent; nil gives nil.
// req may be nil; it names the call (Protocol, Procedure).
func FromTransportError(req *http.Request, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*Error](err); ok && e != nil {
		return err
	}
	e, _ := classifyTransport(req, err)
	return e
}

// classifyTransport builds the *Error for a transport failure that holds no
// *Error, and tells whether the attempt may be repeated.
func classifyTransport(req *http.Request, err error) (*Error, failure) {
	p := ProtocolOf(req)
	e := &Error{Op: "transport", Protocol: p, Procedure: procedureOf(req, p), Err: err}
	f := describe(e, req, err)
	return e, f
}

// describe sets e's code, message and hint for err.
func describe(e *Error, req *http.Request, err error) failure {
	cleartext := req != nil && req.URL != nil && req.URL.Scheme == "http"
	set := func(c Code, msg, hint string) { e.Code, e.Message, e.Hint = c, msg, hint }

	if c, ok := contextCode(err); ok {
		set(c, "", "")
		return permanent
	}
	if c, msg, ok := requestEnded(req); ok {
		set(c, msg, "")
		return permanent
	}

	// TLS.
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		set(Unavailable, "cannot verify the server's certificate",
			"it is signed by an authority this machine does not trust: set caCertFilePath to that authority's certificate, or insecureSkipVerify: true to trust and pin the server's own certificate")
		return permanent
	}
	if he, ok := errors.AsType[x509.HostnameError](err); ok {
		set(Unavailable, "the server's certificate is not valid for "+quote(he.Host),
			"the certificate names "+certNames(he.Certificate)+"; use one of those in endpoint, or fix the server's certificate")
		return permanent
	}
	if ce, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		hint := "check the server's certificate"
		if ce.Reason == x509.Expired {
			hint = "the certificate has expired or is not valid yet: check the server's certificate and this machine's clock"
		}
		set(Unavailable, "the server's certificate is not valid", hint)
		return permanent
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		set(Unavailable, "the server did not answer in TLS",
			"it speaks cleartext on this port: set insecure: true (cleartext HTTP/2), or use the server's TLS port")
		return permanent
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		set(Unavailable, "cannot verify the server's certificate", "set caCertFilePath, or insecureSkipVerify: true")
		return permanent
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "remote error" {
		set(Unavailable, "the server refused the TLS handshake",
			"it may want a client certificate (mTLS), or not trust the one sent")
		return permanent
	}

	// Proxies.
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "proxyconnect" {
		set(Unavailable, "cannot reach the HTTP proxy", "check httpProxyURL, or HTTPS_PROXY and NO_PROXY")
		return notSent
	}
	if hasMessage(err, func(m string) bool { return m == "Proxy Authentication Required" }) { // net/http's CONNECT failure
		set(Unauthenticated, "the HTTP proxy wants credentials",
			"give them in httpProxyURL (http://user:password@proxy:port)")
		return permanent
	}

	// Resolving and connecting.
	if de, ok := errors.AsType[*net.DNSError](err); ok {
		if de.IsNotFound {
			set(Unavailable, "cannot resolve "+quote(de.Name), "check the host name in endpoint")
			return permanent
		}
		set(Unavailable, "cannot resolve "+quote(de.Name), "check this machine's DNS settings")
		if de.IsTimeout || de.IsTemporary {
			return notSent
		}
		return permanent
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "dial" {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			set(Unavailable, "connection refused", "nothing listens at "+addrOf(oe)+": check the host and port in endpoint, and that the server runs")
		case oe.Timeout():
			set(DeadlineExceeded, "connecting timed out", "check endpoint, firewalls and httpProxyURL")
		default:
			set(Unavailable, "cannot connect", "check endpoint and the network")
		}
		return notSent
	}

	// HTTP/2.
	if code, name, ok := streamErrorCode(err); ok {
		return describeStreamError(e, code, name)
	}
	// net/http's HTTP/2 errors without a type of their own.
	switch {
	case hasMessage(err, func(m string) bool {
		return m == "http2: Transport received Server's graceful shutdown GOAWAY" || m == "http2: client conn not usable"
	}):
		set(Unavailable, "the server closed the connection before taking the request", "")
		return notSent
	case hasMessage(err, func(m string) bool { return m == "http2: client conn could not be established" }):
		set(Unavailable, "the server closed the connection before taking the request", cleartextHint(cleartext))
		return notSent
	case hasMessage(err, func(m string) bool {
		return strings.HasPrefix(m, "http2: server sent GOAWAY and closed the connection")
	}):
		set(Unavailable, "the server closed the connection", "")
		return connLost
	case strings.Contains(err.Error(), "frame header looked like an HTTP/1.1 header"):
		set(Unavailable, "the server answered in HTTP/1.1, not cleartext HTTP/2", cleartextHint(true))
		return permanent
	case strings.Contains(err.Error(), "malformed HTTP response"):
		set(Unavailable, "the server's answer is not HTTP/1.1",
			"if it speaks only cleartext HTTP/2, set insecure: true; if it speaks TLS, use https")
		return permanent
	}

	// Timeouts, then connections lost before a response.
	if ne, ok := errors.AsType[net.Error](err); (ok && ne.Timeout()) || errors.Is(err, os.ErrDeadlineExceeded) {
		msg, hint := "timed out", ""
		switch {
		case strings.Contains(err.Error(), "TLS handshake timeout"):
			msg, hint = "the TLS handshake timed out", "check that endpoint's port serves TLS"
		case strings.Contains(err.Error(), "awaiting response headers"):
			msg = "no response headers in time"
		}
		set(DeadlineExceeded, msg, hint)
		return connLost
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		hasMessage(err, func(m string) bool { return m == "http: server closed idle connection" }) {
		set(Unavailable, "the connection closed before a response", cleartextHint(cleartext))
		return connLost
	}
	set(Unavailable, "", "")
	return permanent
}

// cleartextHint explains a connection that a cleartext request lost early:
// a server that does not speak cleartext HTTP/2 hangs up on it.
func cleartextHint(cleartext bool) string {
	if !cleartext {
		return ""
	}
	return "if the server speaks TLS on this port, set insecure: false; insecure: true needs a server that speaks cleartext HTTP/2 (h2c)"
}

// hasMessage reports whether an error in err's chain has a message match
// accepts: net/http reports several failures as bare errors.New values.
func hasMessage(err error, match func(string) bool) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		if match(err.Error()) {
			return true
		}
	}
	return false
}

// streamError mirrors net/http's HTTP/2 stream error, whose As method fills
// any struct of the same shape.
type streamError struct {
	StreamID uint32
	Code     uint32
	Cause    error
}

func (e streamError) Error() string { return "stream error " + strconv.FormatUint(uint64(e.Code), 10) }

// HTTP/2 error codes (RFC 9113 §7).
var h2Codes = map[string]uint32{
	"NO_ERROR": 0x0, "PROTOCOL_ERROR": 0x1, "INTERNAL_ERROR": 0x2, "FLOW_CONTROL_ERROR": 0x3,
	"SETTINGS_TIMEOUT": 0x4, "STREAM_CLOSED": 0x5, "FRAME_SIZE_ERROR": 0x6, "REFUSED_STREAM": 0x7,
	"CANCEL": 0x8, "COMPRESSION_ERROR": 0x9, "CONNECT_ERROR": 0xa, "ENHANCE_YOUR_CALM": 0xb,
	"INADEQUATE_SECURITY": 0xc, "HTTP_1_1_REQUIRED": 0xd,
}

// streamErrorCode finds an HTTP/2 stream error in err: net/http's by its As
// method, x/net's ("stream error: stream ID 3; REFUSED_STREAM…") by its text.
func streamErrorCode(err error) (code uint32, name string, ok bool) {
	var se streamError
	if errors.As(err, &se) {
		for n, c := range h2Codes {
			if c == se.Code {
				return c, n, true
			}
		}
		return se.Code, "ERR_UNKNOWN_" + strconv.FormatUint(uint64(se.Code), 10), true
	}
	hasMessage(err, func(m string) bool {
		rest, found := strings.CutPrefix(m, "stream error: stream ID ")
		if !found {
			return false
		}
		_, rest, _ = strings.Cut(rest, "; ")
		n, _, _ := strings.Cut(rest, ";")
		code, ok = h2Codes[strings.TrimSpace(n)]
		name = strings.TrimSpace(n)
		return ok
	})
	return code, name, ok
}

// describeStreamError maps an HTTP/2 RST_STREAM code as the gRPC HTTP/2
// transport does
// (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md#errors).
func describeStreamError(e *Error, code uint32, name string) failure {
	e.Message = "the server reset the stream (" + name + ")"
	switch code {
	case 0x7: // REFUSED_STREAM: the server did not process the request
		e.Code = Unavailable
		return notSent
	case 0x8: // CANCEL
		e.Code = Canceled
	case 0xb: // ENHANCE_YOUR_CALM
		e.Code = ResourceExhausted
	case 0xc: // INADEQUATE_SECURITY
		e.Code = PermissionDenied
	case 0xd: // HTTP_1_1_REQUIRED
		e.Code = Unavailable
		e.Hint = "the server wants HTTP/1.1, which gRPC cannot use"
	default:
		e.Code = Internal
	}
	return permanent
}

// requestEnded reports how req's context ended, if it has: canceled, or
// past its deadline. A past deadline counts even while the context's timer
// has not fired yet: a server that keeps the call's deadline (gRPC's
// grpc-timeout, Connect's connect-timeout-ms) resets the stream when it
// passes, and that reset can reach the client before the client's own
// timer does; the call failed because its time ran out, not because the
// server canceled it.
func requestEnded(req *http.Request) (c Code, msg string, ok bool) {
	if req == nil {
		return 0, "", false
	}
	ctx := req.Context()
	if c, ok = contextCode(ctx.Err()); !ok {
		deadline, has := ctx.Deadline()
		c, ok = DeadlineExceeded, has && !time.Now().Before(deadline)
	}
	switch {
	case !ok:
		return 0, "", false
	case c == Canceled:
		return c, "the call was canceled", true
	}
	return c, "the call's deadline passed", true
}

// certNames lists the names a certificate is valid for, bounded.
func certNames(c *x509.Certificate) string {
	if c == nil {
		return "no names"
	}
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	if len(names) == 0 {
		return "no names"
	}
	const limit = 5
	more := ""
	if len(names) > limit {
		more = " and " + strconv.Itoa(len(names)-limit) + " more"
		names = names[:limit]
	}
	return cleanMessage(strings.Join(names, ", ")) + more
}

// addrOf returns the address a dial failed to reach.
func addrOf(oe *net.OpError) string {
	if oe.Addr != nil {
		return oe.Addr.String()
	}
	return "the endpoint"
}
