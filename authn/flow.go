package authn

import (
	"net/http"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
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
