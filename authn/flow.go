package authn

import (
	"context"
	"net/http"

	"golang.org/x/oauth2"

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
		return interactiveUnavailable(mode), nil
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

// interactiveUnavailable reports, at the first token fetch, that this build
// has no interactive login for mode.
func interactiveUnavailable(mode config.AuthType) TokenSource {
	return TokenSourceFunc(func(context.Context) (*oauth2.Token, error) {
		return nil, &errs.Error{
			Code:    errs.Unauthenticated,
			Op:      "authn",
			Message: "the server requires a token and authType " + mode.String() + " needs an interactive login, which is not available",
			Hint:    "configure authType ClientSecret or ExternalCommand",
		}
	})
}
