package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/idl"
	"github.com/authwire/authwire/internal/wire"
)

// checkProxy runs proxyCommand and GETs the anonymous metadata route through
// the session (the stack's proxy layer over its base transport). A route
// that needs no credentials answering Unauthenticated means something in
// front of the endpoint wants them. Without proxyCommand it checks that
// nothing asks for proxy credentials.
func (d *doctor) checkProxy(ctx context.Context) step {
	path := idl.OAuth2MetadataPath
	if len(d.cfg.ProxyCommand) == 0 {
		status, err := d.getAnonymous(ctx, path)
		if err != nil {
			_, hint := explain(err)
			if hint == "" {
				hint = `set proxyCommand to a command that prints a token for the proxy, e.g. ["gcloud", "auth", "print-identity-token"]`
			}
			return failed(hint,
				"no proxyCommand is configured, and something in front of the endpoint asks for credentials (HTTP %d)", status)
		}
		return passed("no proxyCommand configured, and nothing in front of the endpoint asked for proxy credentials")
	}
	_, exp, err := d.proxyToken.Token(ctx)
	if err != nil {
		msg, h := explain(err)
		return failed(withCause("run proxyCommand by hand: it must exit with status 0 and print only the token on stdout", h), "%s", msg)
	}
	status, err := d.getAnonymous(ctx, path)
	if err != nil {
		return failed("check that proxyCommand prints a token for this proxy (for an identity-aware proxy: an identity token whose audience is the proxy's client id)",
			"the proxy rejected the token proxyCommand printed (HTTP %d from the proxy)", status)
	}
	return passed("proxyCommand printed a token (%s); the proxy let GET %s through (HTTP %d)", d.validity(exp), path, status)
}

// getAnonymous GETs path, which the server serves without credentials,
// through the session. err is the stack's error for an Unauthenticated
// answer, which only something in front of the server can give; any other
// answer is the server's and is reported by the metadata check.
func (d *doctor) getAnonymous(ctx context.Context, path string) (status int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.baseURL+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := d.session.Do(req) //nolint:bodyclose // wire.Drain closes it
	if err != nil {
		return 0, err
	}
	defer wire.Drain(resp)
	if rerr := errs.FromResponse(resp); errs.CodeOf(rerr) == errs.Unauthenticated {
		return resp.StatusCode, rerr
	}
	return resp.StatusCode, nil
}

// checkMetadata asks the AuthMetadataService through the stack's own
// client-config store (both RPCs, falling back to the REST routes), which
// the stack then reuses.
func (d *doctor) checkMetadata(ctx context.Context) step {
	cc, err := d.store.ClientConfig(ctx)
	if err == nil {
		d.meta = cc
		return d.metadataAnswered(cc)
	}
	code := errs.CodeOf(err)
	absent := code == errs.Unimplemented || code == errs.NotFound
	if d.cfg.AuthType == config.AuthNone || (!d.needsMetadata() && (absent || d.cfg.AuthorizationHeader != "")) {
		return passed("the server publishes no client configuration; authType %s does not need it", authTypeName(d.cfg.AuthType))
	}
	if absent {
		hint := "set tokenUrl (and scopes if the identity provider wants some) in the config"
		if d.cfg.AuthType == config.AuthPKCE || d.cfg.AuthType == config.AuthDeviceFlow {
			hint = "Pkce and DeviceFlow need the server's OAuth2 metadata: use authType ClientSecret with tokenUrl, or ExternalCommand"
		}
		return failed(hint, "the server publishes no client configuration (neither the AuthMetadataService nor its REST routes)")
	}
	msg, hint := explain(err)
	if hint == "" {
		hint = "check that the endpoint is a Flyte admin and that nothing in between blocks gRPC or the REST routes"
	}
	return failed(hint, "the AuthMetadataService did not answer: %s", msg)
}

// noOAuth2MetadataHint is the advice when the server publishes no OAuth2
// metadata (Flyte 2 without an authorization server configured).
const noOAuth2MetadataHint = "set tokenUrl in the config, or runs.authMetadata.externalAuthServerBaseUrl on the server"

// metadataAnswered is the verdict on the client configuration the server
// published: which AuthMetadataService generation answered, the token
// endpoint and header, and Flyte 2's dataplane domain. A server without
// OAuth2 metadata fails the check when the flow needs a token endpoint and
// tokenUrl is not set.
func (d *doctor) metadataAnswered(cc *authn.ClientConfig) step {
	detail := apiName(cc.API) + " answered"
	if cc.NoOAuth2Metadata {
		detail += ": no OAuth2 metadata (the server has no authorization server configured)"
		if d.needsMetadata() {
			if d.cfg.AuthType == config.AuthPKCE || d.cfg.AuthType == config.AuthDeviceFlow {
				return failed("Pkce and DeviceFlow need the server's OAuth2 metadata: set runs.authMetadata.externalAuthServerBaseUrl on the server, or use authType ClientSecret with tokenUrl", "%s", detail)
			}
			return failed(noOAuth2MetadataHint, "%s", detail)
		}
		if d.cfg.TokenURL != "" {
			detail += ", so the tokenUrl of the config is used"
		}
	} else {
		detail += fmt.Sprintf(": token endpoint %s", orNone(cc.TokenEndpoint))
	}
	detail += fmt.Sprintf(", token header %s", orNone(cc.AuthorizationMetadataKey))
	if cc.DataplaneDomain != "" {
		detail += ", dataplane domain " + cc.DataplaneDomain
	}
	s := passed("%s", detail)
	if cc.NoOAuth2Metadata && d.cfg.TokenURL == "" && d.cfg.AuthType != config.AuthNone {
		s.Warnings = append(s.Warnings, "flows that need a token endpoint will fail: "+noOAuth2MetadataHint)
	}
	return s
}

// apiName names the AuthMetadataService generation that answered.
func apiName(api authn.API) string {
	switch api {
	case authn.APIV1:
		return "flyteidl.service.AuthMetadataService (v1, Flyte 1)"
	case authn.APIV2:
		return "flyteidl2.auth.AuthMetadataService (v2, Flyte 2)"
	}
	return "the AuthMetadataService"
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

// checkToken obtains a token from the configured flow, through the same
// Authenticator the call uses.
func (d *doctor) checkToken(ctx context.Context) step {
	switch d.cfg.AuthType {
	case config.AuthNone:
		return skipped("authType None sends no token")
	case config.AuthUnset:
		return skipped("authType not set: calls go without a token until the server asks for one")
	case config.AuthPassthrough:
		return skipped("authType Passthrough takes the token from each request's caller: there is none to obtain")
	case config.AuthClientSecret, config.AuthExternalCommand:
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.timeout)
		defer cancel()
	}
	tok, err := d.auth.Token(ctx)
	if err != nil {
		return d.tokenFailure(err)
	}
	if d.cfg.AuthType == config.AuthExternalCommand {
		return passed("command printed a token (%s)", d.validity(tok.Expiry))
	}
	return passed("the %s flow obtained a token (%s)", d.cfg.AuthType, d.validity(tok.Expiry))
}

// tokenFailure names the RFC 6749 error a token endpoint answered and what
// to check for it.
func (d *doctor) tokenFailure(err error) step {
	msg, hint := explain(err)
	p := d.cfg
	switch {
	case strings.Contains(msg, "invalid_client"):
		hint = fmt.Sprintf("the token endpoint does not accept client %q with this secret: check clientId, and the secret in %s", p.ClientID, orNone(d.l.secretSource))
	case strings.Contains(msg, "unauthorized_client"):
		hint = fmt.Sprintf("client %q may not use this grant: allow it at the identity provider, or use another authType", p.ClientID)
	case strings.Contains(msg, "invalid_scope"):
		hint = fmt.Sprintf("the identity provider refused the scopes %q: fix scopes in the config, or remove them to use the server's", p.Scopes)
	case p.AuthType == config.AuthExternalCommand:
		hint = withCause("run the command by hand: it must exit with status 0 and print only the token on stdout", hint)
	}
	return step{Detail: msg, Hint: hint}
}

// checkCall makes the probe call through the whole stack (without retries,
// so a failure shows as it happened): unary, gRPC, an empty request, any
// answer accepted.
func (d *doctor) checkCall(ctx context.Context) step {
	if d.cfg.AuthType == config.AuthPassthrough {
		return skipped("authType Passthrough: an authenticated call needs a caller's token")
	}
	c := connect.NewClient[idl.Empty, idl.Empty](&http.Client{Transport: d.rt}, d.baseURL+d.procedure, connect.WithGRPC(), idl.CodecOptions())
	_, err := c.CallUnary(ctx, connect.NewRequest(&idl.Empty{}))
	if err == nil {
		return passed("%s accepted over gRPC", d.procedure)
	}
	msg, hint := explain(err)
	switch code := connect.CodeOf(err); code {
	case connect.CodeUnauthenticated:
		return failed(d.rejectionHint(ctx), "the server did not accept the call: %s", msg)
	case connect.CodePermissionDenied:
		return failed("the identity behind the token is not allowed this call: ask the server's administrators for access",
			"authenticated, but not allowed: %s", msg)
	case connect.CodeUnimplemented:
		return failed("pass --probe with a unary procedure the server serves", "the server does not serve %s: %s", d.procedure, msg)
	case connect.CodeInvalidArgument, connect.CodeNotFound, connect.CodeAlreadyExists,
		connect.CodeFailedPrecondition, connect.CodeOutOfRange, connect.CodeAborted:
		return passed("%s got past authentication: the server answered %s to an empty request", d.procedure, code)
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
	header, err := d.auth.HeaderKey(ctx)
	if err != nil {
		header = "Authorization"
	}
	if d.meta != nil && d.meta.AuthorizationMetadataKey != "" && !strings.EqualFold(d.meta.AuthorizationMetadataKey, header) {
		return hint + fmt.Sprintf(", and the header: the token goes in %s, the server names %s (authorizationHeader)", header, d.meta.AuthorizationMetadataKey)
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
