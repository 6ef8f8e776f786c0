package transport

import (
	"cmp"
	"context"
	"net/http"
	"os"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// WithCredentialsFrom makes [New] authenticate with the credentials of the
// stack from, another [New] stack (typically the control plane's): both share
// one Authenticator, so together they make one token request, one refresh
// per revocation and at most one interactive login. The new stack sends the
// token only to its own endpoint's host and the hosts of [WithHosts]; the
// stack from keeps sending it only to its own. The auth settings of the
// configuration given to New (authType, clientId, …) are not used; its
// transport settings (TLS, proxy, retries) are.
//
// This is how a multi-cluster Flyte 2 user reaches a data plane (the
// server's dataplane_domain, see [ServerConfig]) with the control plane's
// token: nothing sends the token there unless a stack is built for it this
// way. New fails with an *errs.Error of code InvalidArgument when from is
// not a New stack or authenticates nothing (authType None).
func WithCredentialsFrom(from http.RoundTripper) Option {
	return optionFunc(func(o *options) { o.credentialsFrom = from })
}

// WithPublicConfigCacheDir turns on the client config cache shared with
// flyte-sdk (its public client config, and authwire's copy of the OAuth2
// metadata, so a later program's first call needs no metadata request): the
// file <dir>/<endpoint>.yaml, dir "" meaning flyte-sdk's
// ~/.flyte/.cache. FLYTE_AUTH_METADATA_CACHE_DISABLED set to a true value
// (1, true, yes, on) turns it off again, as in flyte-sdk. Without this
// option New keeps no file: a library's callers (and their tests) get no
// state on disk they did not ask for; programs such as a CLI opt in. See
// [authn.WithPublicConfigCache] for how the file is used.
func WithPublicConfigCacheDir(dir string) Option {
	return optionFunc(func(o *options) { o.cacheDir = &dir })
}

// getenv reads the environment; tests replace it.
var getenv = os.Getenv

// publicConfigCache returns the store option of the public client config
// cache for cfg, or nil when the cache is off.
func publicConfigCache(cfg *config.Platform, o options) authn.StoreOption {
	if o.cacheDir == nil || authn.PublicConfigCacheDisabled(getenv(authn.PublicConfigCacheDisabledEnv)) {
		return nil
	}
	file, err := authn.PublicConfigCacheFile(*o.cacheDir, cfg.Endpoint)
	if err != nil {
		return nil // no home directory: no cache
	}
	return authn.WithPublicConfigCache(file, cmp.Or(cfg.AuthType.String(), "Pkce"), cfg.Insecure)
}

// ServerConfig returns what the server behind stack (a [New] stack) says
// about authenticating with it, asking at most once per stack: the detected
// AuthMetadataService generation (ClientConfig.API: v1 for Flyte 1, v2 for
// Flyte 2), Flyte 2's dataplane_domain, the token endpoint and the rest. A
// stack without authentication (authType None) gives an *errs.Error with
// code FailedPrecondition.
func ServerConfig(ctx context.Context, stack http.RoundTripper) (*authn.ClientConfig, error) {
	a := AuthenticatorOf(stack)
	if a == nil {
		return nil, &errs.Error{Code: errs.FailedPrecondition, Op: "transport", Message: "the stack does not authenticate, so it has no server client configuration"}
	}
	return a.ServerConfig(ctx)
}
