package authn

import (
	"net/http"
	"time"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcache"
	"github.com/authwire/authwire/internal/credcmd"
)

// newFlowSource returns the token source of cfg's flow. For AuthUnset it
// picks the flow the configuration implies, used once the server asks for a
// token: a command, then a client secret, then an interactive login.
func newFlowSource(cfg *config.Platform, store ConfigStore, session *http.Client, o *options) (TokenSource, error) {
	mode := cfg.AuthType
	if mode == config.AuthUnset {
		mode = impliedFlow(cfg)
	}
	switch mode {
	case config.AuthClientSecret:
		return newClientSecretSource(cfg, store, session, o)
	case config.AuthExternalCommand:
		return newCommandSource(cfg, o)
	case config.AuthPKCE, config.AuthDeviceFlow:
		return newInteractiveSource(cfg, mode, store, session, o)
	}
	return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "unsupported authType " + mode.String()}
}

// impliedFlow is the flow of an unset authType, as flytekit infers it.
func impliedFlow(cfg *config.Platform) config.AuthType {
	switch {
	case len(cfg.Command) > 0:
		return config.AuthExternalCommand
	case cfg.ClientID != "" && cfg.HasClientSecret():
		return config.AuthClientSecret
	}
	return config.AuthPKCE
}

// fetchTimeout bounds one token fetch of the Authenticator (see
// [WithFetchTimeout]): a metadata round and a token request
// (credcache.DefaultFlightTimeout), plus the command's timeout for
// ExternalCommand, or the login timeout and loginMargin for an interactive
// flow.
func fetchTimeout(cfg *config.Platform, o *options) time.Duration {
	if o.fetchTimeout > 0 {
		return o.fetchTimeout
	}
	mode := cfg.AuthType
	if mode == config.AuthUnset {
		mode = impliedFlow(cfg)
	}
	switch {
	case o.source != nil:
	case mode == config.AuthExternalCommand:
		return credcmd.FlightTimeout(o.commandTimeout)
	case mode == config.AuthPKCE, mode == config.AuthDeviceFlow:
		return credcache.DefaultFlightTimeout + loginTimeout(cfg, mode) + loginMargin
	}
	return credcache.DefaultFlightTimeout
}
