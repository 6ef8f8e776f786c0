package errs

import (
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/authwire/authwire/internal/wire"
)

// FromResponse returns nil when resp reports success and otherwise an
// *Error with the code, message and details the response carries, read the
// way its protocol ([ProtocolOf] of resp.Request, corrected by the response's
// content type) reports failures:
//
//   - Connect unary: the HTTP status and the JSON error body
//     ({"code":"not_found","message":…,"details":[…]}), gzip-compressed or
//     not; Connect streaming: the HTTP status (an error inside the stream
//     is in its end-of-stream message, which connect-go reads).
//   - gRPC and gRPC-Web: the HTTP status, then grpc-status, grpc-message
//     (percent-decoded) and grpc-status-details-bin in the headers
//     (trailers-only responses) or in resp.Trailer once the caller has read
//     the body to its end.
//   - REST: the HTTP status (see [CodeFromHTTP]), refined by a JSON body:
//     google.rpc.Status from grpc-gateway ({"code":5,"message":…}), a Google
//     API error ({"error":{"status":"NOT_FOUND",…}}) or an OAuth 2.0 error
//     ({"error":"invalid_grant",…}, see [OAuthError]); statuses below 400 are
//     success.
//
// For Connect, gRPC and gRPC-Web the code is the one connect-go reports for
// the same response, so errs.CodeOf and connect.CodeOf agree. A Bearer
// challenge in WWW-Authenticate becomes the cause ([OAuthError]); HTML pages
// from proxies, login redirects and proxy 407s get a hint. The error's
// Attempts is [AttemptsOf](resp).
//
// FromResponse reads at most 1 MiB of an error body, and only when the
// status says failure; it puts what it read back, so the caller can still
// read the whole body, and it never closes it. It never reads a successful
// body.
func FromResponse(resp *http.Response) error {
	if resp == nil {
		return nil
	}
	if e := responseError(resp, protocolOfResponse(resp), maxErrorBody); e != nil {
		e.Attempts = AttemptsOf(resp)
		return e
	}
	return nil
}

// responseError classifies resp for protocol p, reading at most limit bytes
// of an error body; nil means success.
func responseError(resp *http.Response, p Protocol, limit int64) *Error {
	var e *Error
	switch p {
	case ProtocolGRPC, ProtocolGRPCWeb:
		e = grpcResponseError(resp, p)
	case ProtocolConnect:
		e = connectResponseError(resp, limit)
	default:
		e = restResponseError(resp, limit)
	}
	if e == nil {
		return nil
	}
	e.Op = "server"
	e.Protocol = p
	e.Procedure = procedureOf(resp.Request, p)
	e.HTTPStatus = resp.StatusCode
	addResponseHint(e, resp, p)
	return e
}

// addResponseHint explains the answers that come from what stands in front
// of the server rather than from the service.
func addResponseHint(e *Error, resp *http.Response, p Protocol) {
	for _, v := range resp.Header["Www-Authenticate"] {
		if oe, ok := ParseBearerChallenge(v); ok {
			if e.Err == nil {
				e.Err = oe
			}
			if e.Hint == "" {
				e.Hint = oauthHint(oe.ErrorCode)
			}
			break
		}
	}
	if e.Hint != "" {
		return
	}
	status := resp.StatusCode
	switch {
	case strings.Contains(e.Message, "HTTP request to an HTTPS server"):
		e.Hint = "the server speaks TLS on this port; use https (insecure: false)"
	case status == 407:
		e.Hint = "an authenticating proxy in front of the server wants credentials; set proxyCommand"
	case status >= 300 && status < 400:
		e.Hint = "redirected"
		if host := locationHost(resp); host != "" {
			e.Hint += " to " + host
		}
		e.Hint += ", likely to the login page of an authenticating proxy in front of the server; set proxyCommand"
	case isHTML(resp):
		e.Hint = "the answer is an HTML page, likely from a proxy or load balancer in front of the server rather than from the service"
	case status == 404 && p.rpc():
		e.Hint = "the server has no such procedure; check endpoint and that it serves this API"
	case status == 401:
		e.Hint = "the server rejected the credentials; check authType and the client's settings"
	}
}

// locationHost returns the host a redirect points to, never its path or
// query (a login URL carries state).
func locationHost(resp *http.Response) string {
	loc := headerValue(resp.Header, "Location")
	if loc == "" {
		return ""
	}
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	if u.Host == "" && resp.Request != nil && resp.Request.URL != nil {
		return resp.Request.URL.Host
	}
	return u.Host
}

func isHTML(resp *http.Response) bool {
	return mediaType(headerValue(resp.Header, "Content-Type")) == "text/html"
}

// mediaType returns the lower-case media type of a content type, without
// parameters.
func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

// textMessage returns the start of a plain-text error body (or of one
// without a content type) as a message, or "" for other content types.
func textMessage(resp *http.Response) string {
	if mt := mediaType(headerValue(resp.Header, "Content-Type")); mt != "text/plain" && mt != "" {
		return ""
	}
	b := wire.PeekAll(resp, maxMessage)
	return cleanMessage(string(b))
}
