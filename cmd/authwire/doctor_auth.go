package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/idl"
	"github.com/authwire/authwire/transport"
)

// maxBody bounds what the doctor reads of an answer.
const maxBody = 1 << 20

// checkProxy runs proxyCommand and sends its token to the endpoint, straight
// over the base transport, so that the proxy's first answer is seen as it
// is. Without proxyCommand it checks that nothing asks for proxy credentials.
func (d *doctor) checkProxy(ctx context.Context) step {
	base, err := transport.Base(d.cfg)
	if err != nil {
		return failedErr("", err)
	}
	defer closeIdle(base)
	path := idl.OAuth2MetadataPath
	if len(d.cfg.ProxyCommand) == 0 {
		status, rejected, err := probeProxy(ctx, base, d.st.baseURL+path, "")
		if err != nil {
			return failedErr("", err)
		}
		if rejected {
			return failed(`set proxyCommand to a command that prints a token for the proxy, e.g. ["gcloud", "auth", "print-identity-token"]`,
				"no proxyCommand is configured, and a proxy in front of the endpoint asks for credentials (HTTP %d)", status)
		}
		return passed("no proxyCommand configured, and nothing in front of the endpoint asked for proxy credentials")
	}
	tok, exp, err := d.proxyToken.Token(ctx)
	if err != nil {
		msg, h := explain(err)
		return failed(withCause("run proxyCommand by hand: it must exit with status 0 and print only the token on stdout", h), "%s", msg)
	}
	status, rejected, err := probeProxy(ctx, base, d.st.baseURL+path, "Bearer "+tok)
	if err != nil {
		return failedErr("", err)
	}
	if rejected {
		return failed("check that proxyCommand prints a token for this proxy (for an identity-aware proxy: an identity token whose audience is the proxy's client id)",
			"the proxy rejected the token proxyCommand printed (HTTP %d from the proxy)", status)
	}
	return passed("proxyCommand printed a token (%s); the proxy let GET %s through (HTTP %d)", d.validity(exp), path, status)
}

// probeProxy GETs url with the proxy token value (none when empty) and
// reports the status and whether the proxy rejected the request.
func probeProxy(ctx context.Context, rt http.RoundTripper, url, value string) (status int, rejected bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, false, err
	}
	if value != "" {
		req.Header.Set("Proxy-Authorization", value)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	return resp.StatusCode, proxyRejected(resp), nil
}

// proxyRejected reports whether resp is a proxy's refusal: a 407, or a 401
// with a proxy challenge or an HTML page and no bearer challenge (what
// identity-aware proxies send). The proxy layer uses the same rule.
func proxyRejected(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusProxyAuthRequired:
		return true
	case http.StatusUnauthorized:
		if resp.Header.Get("Proxy-Authenticate") != "" {
			return true
		}
		return strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && resp.Header.Get("Www-Authenticate") == ""
	}
	return false
}

// metadata is what the AuthMetadataService said.
type metadata struct {
	tokenEndpoint string
	headerKey     string // authorization_metadata_key
}

// route is the outcome of one AuthMetadataService route.
type route struct {
	name   string
	err    error
	absent bool // the server does not serve it (Unimplemented, NotFound, 404)
}

func (r route) String() string {
	switch {
	case r.err == nil:
		return r.name + " ok"
	case r.absent:
		return r.name + " absent"
	}
	return r.name + " failed"
}

// checkMetadata calls both AuthMetadataService RPCs over gRPC and both REST
// routes, through the session, and says which work.
func (d *doctor) checkMetadata(ctx context.Context) step {
	s, base := d.st.session, d.st.baseURL
	var meta idl.OAuth2Metadata
	var public idl.PublicClientConfig
	routes := []route{
		callRoute(ctx, s, base, idl.GetOAuth2MetadataProcedure, &meta),
		callRoute(ctx, s, base, idl.GetPublicClientConfigProcedure, &public),
		getRoute(ctx, s, base, idl.OAuth2MetadataPath, &meta),
		getRoute(ctx, s, base, idl.PublicClientConfigPath, &public),
	}
	summary := fmt.Sprintf("gRPC: %s, %s; REST: %s, %s", routes[0], routes[1], routes[2], routes[3])
	metaOK := routes[0].err == nil || routes[2].err == nil
	publicOK := routes[1].err == nil || routes[3].err == nil
	if metaOK && publicOK {
		d.meta = &metadata{tokenEndpoint: meta.TokenEndpoint, headerKey: public.AuthorizationMetadataKey}
		return passed("%s; token endpoint %s, token header %s", summary, orNone(meta.TokenEndpoint), orNone(public.AuthorizationMetadataKey))
	}
	absent, firstErr := true, error(nil)
	for _, r := range routes {
		if r.err != nil && !r.absent {
			absent = false
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", r.name, r.err)
			}
		}
	}
	needed := d.needsMetadata()
	if d.cfg.AuthType == config.AuthNone || (!needed && (absent || d.cfg.AuthorizationHeader != "")) {
		return passed("%s; authType %s does not need it", summary, authTypeName(d.cfg.AuthType))
	}
	if absent {
		hint := "set tokenUrl (and scopes if the identity provider wants some) in the config"
		if d.cfg.AuthType == config.AuthPKCE || d.cfg.AuthType == config.AuthDeviceFlow {
			hint = "Pkce and DeviceFlow need the server's OAuth2 metadata: use authType ClientSecret with tokenUrl, or ExternalCommand"
		}
		return failed(hint, "%s: the server publishes no client configuration", summary)
	}
	msg, hint := explain(firstErr)
	if hint == "" {
		hint = "check that the endpoint is a Flyte admin and that nothing in between blocks gRPC or the REST routes"
	}
	return failed(hint, "%s: %s", summary, msg)
}

// needsMetadata reports whether the configured flow cannot work without the
// server's client configuration.
func (d *doctor) needsMetadata() bool {
	switch d.cfg.AuthType {
	case config.AuthPKCE, config.AuthDeviceFlow:
		return true
	case config.AuthClientSecret:
		return d.cfg.TokenURL == ""
	}
	return false
}

func callRoute[T any](ctx context.Context, s *http.Client, base, procedure string, out *T) route {
	c := connect.NewClient[idl.Empty, T](s, base+procedure, connect.WithGRPC(), idl.CodecOptions())
	r := route{name: procedure[strings.LastIndex(procedure, "/")+1:]}
	resp, err := c.CallUnary(ctx, connect.NewRequest(&idl.Empty{}))
	if err != nil {
		code := connect.CodeOf(err)
		r.err, r.absent = err, code == connect.CodeUnimplemented || code == connect.CodeNotFound
		return r
	}
	*out = *resp.Msg
	return r
}

func getRoute(ctx context.Context, s *http.Client, base, path string, out any) route {
	r := route{name: path}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		r.err = err
		return r
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.Do(req)
	if err != nil {
		r.err = err
		return r
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	switch {
	case err != nil:
		r.err = err
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusNotImplemented:
		r.err, r.absent = fmt.Errorf("HTTP %d", resp.StatusCode), true
	case resp.StatusCode != http.StatusOK:
		r.err = fmt.Errorf("HTTP %d", resp.StatusCode)
	default:
		if err := json.Unmarshal(body, out); err != nil {
			r.err = fmt.Errorf("malformed JSON: %w", err)
		}
	}
	return r
}

// checkToken obtains a token from the configured flow, through the same
// Authenticator the call uses.
func (d *doctor) checkToken(ctx context.Context) step {
	switch d.cfg.AuthType {
	case config.AuthNone:
		return skipped("authType None sends no token")
	case config.AuthUnset:
		return skipped("authType not set: calls go without a token until the server asks for one")
	case config.AuthClientSecret, config.AuthExternalCommand:
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.timeout)
		defer cancel()
	}
	tok, err := d.st.auth.Token(ctx)
	if err != nil {
		return d.tokenFailure(err)
	}
	if d.cfg.AuthType == config.AuthExternalCommand {
		return passed("command printed a token (%s)", d.validity(tok.Expiry))
	}
	return passed("the %s flow obtained a token (%s)", d.cfg.AuthType, d.validity(tok.Expiry))
}

// tokenFailure names the RFC 6749 error a token endpoint answered (the
// *errs.OAuthError in err's chain) and what to check for it.
func (d *doctor) tokenFailure(err error) step {
	msg, hint := explain(err)
	p := d.cfg
	var oauthCode string
	if oe, ok := errors.AsType[*errs.OAuthError](err); ok {
		oauthCode = oe.ErrorCode
	}
	switch {
	case oauthCode == "invalid_client":
		hint = fmt.Sprintf("the token endpoint does not accept client %q with this secret: check clientId, and the secret in %s", p.ClientID, orNone(d.l.secretSource))
	case oauthCode == "unauthorized_client":
		hint = fmt.Sprintf("client %q may not use this grant: allow it at the identity provider, or use another authType", p.ClientID)
	case oauthCode == "invalid_scope":
		hint = fmt.Sprintf("the identity provider refused the scopes %q: fix scopes in the config, or remove them to use the server's", p.Scopes)
	case p.AuthType == config.AuthExternalCommand:
		hint = withCause("run the command by hand: it must exit with status 0 and print only the token on stdout", hint)
	}
	return step{Detail: msg, Hint: hint}
}

// checkCall makes the probe call through the bearer layer: unary, gRPC, an
// empty request, any answer accepted.
func (d *doctor) checkCall(ctx context.Context) step {
	c := connect.NewClient[rawMessage, rawMessage](d.st.client(), d.st.baseURL+d.probe, connect.WithGRPC(), connect.WithCodec(rawCodec{}))
	_, err := c.CallUnary(ctx, connect.NewRequest(&rawMessage{}))
	if err == nil {
		return passed("%s accepted over gRPC", d.probe)
	}
	msg, hint := explain(err)
	switch code := connect.CodeOf(err); code {
	case connect.CodeUnauthenticated:
		return failed(d.rejectionHint(ctx), "the server did not accept the call: %s", msg)
	case connect.CodePermissionDenied:
		return failed("the identity behind the token is not allowed this call: ask the server's administrators for access",
			"authenticated, but not allowed: %s", msg)
	case connect.CodeUnimplemented:
		return failed("pass --probe with a unary procedure the server serves", "the server does not serve %s: %s", d.probe, msg)
	case connect.CodeInvalidArgument, connect.CodeNotFound, connect.CodeAlreadyExists,
		connect.CodeFailedPrecondition, connect.CodeOutOfRange, connect.CodeAborted:
		return passed("%s got past authentication: the server answered %s to an empty request", d.probe, code)
	}
	return failedErr(hint, err)
}

// rejectionHint says what to check when the server rejects the call.
func (d *doctor) rejectionHint(ctx context.Context) string {
	switch d.cfg.AuthType {
	case config.AuthNone:
		return "authType None sends no token, and the server wants one: set authType (ClientSecret, Pkce, DeviceFlow or ExternalCommand)"
	case config.AuthUnset:
		return "the server wants a token: set authType (ClientSecret, Pkce, DeviceFlow or ExternalCommand) and its settings"
	}
	hint := "the server does not accept the token: check that the identity provider issues it for this server (audience, useAudienceFromAdmin, scopes)"
	header := d.st.headerKey(ctx)
	if d.meta != nil && d.meta.headerKey != "" && !strings.EqualFold(d.meta.headerKey, header) {
		return hint + fmt.Sprintf(", and the header: the token goes in %s, the server names %s (authorizationHeader)", header, d.meta.headerKey)
	}
	return hint + fmt.Sprintf(", and that the server reads it from %s (authorizationHeader)", header)
}

// validity says how long a token is valid, to the minute.
func (d *doctor) validity(expiry time.Time) string {
	if expiry.IsZero() {
		return "no expiry known"
	}
	left := expiry.Sub(d.now()).Round(time.Minute)
	if left <= 0 {
		return "expires within a minute"
	}
	h, m := int(left.Hours()), int(left.Minutes())%60
	switch {
	case h == 0:
		return fmt.Sprintf("valid for about %dm", m)
	case m == 0:
		return fmt.Sprintf("valid for about %dh", h)
	}
	return fmt.Sprintf("valid for about %dh%dm", h, m)
}

// withCause appends the cause a hint came with, in parentheses.
func withCause(hint, cause string) string {
	if cause == "" {
		return hint
	}
	return hint + " (" + cause + ")"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func authTypeName(a config.AuthType) string {
	if a == config.AuthUnset {
		return "(not set)"
	}
	return a.String()
}

// closeIdle releases a transport's idle connections.
func closeIdle(rt http.RoundTripper) {
	if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
