package authn

import (
	"context"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcmd"
)

// newCommandSource runs cfg.Command (authType ExternalCommand). The
// Authenticator caches its output, so the command runs again only when the
// token expires (expires_in in JSON output, or a JWT exp) or is rejected.
func newCommandSource(cfg *config.Platform, o *options) (TokenSource, error) {
	cmd := &credcmd.Command{Argv: cfg.Command, Key: "command", Timeout: o.commandTimeout, Now: o.now}
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	return TokenSourceFunc(func(ctx context.Context) (*oauth2.Token, error) {
		r, err := cmd.Run(ctx)
		if err != nil {
			return nil, &errs.Error{Code: errs.CodeOf(err), Op: "authn", Message: "external command failed", Err: err}
		}
		return &oauth2.Token{AccessToken: r.Token, TokenType: "Bearer", Expiry: r.Expiry}, nil
	}), nil
}
