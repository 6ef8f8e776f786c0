package authn

import (
	"context"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// ForEndpoint returns an Authenticator for another endpoint (a Flyte 2 data
// plane, say) that shares a's credentials: the same flow, token cache and
// header, so both together make one token request, one refresh per
// rejection and at most one login. The token goes to endpoint's host and to
// hosts only — not to a's host unless listed — and over cleartext only when
// insecure is set or the host is loopback. Authenticators made this way
// share a's lifetime and are safe for concurrent use. A None-mode a has no
// credentials to share: the error is an *errs.Error with code
// InvalidArgument, as is a malformed endpoint.
func (a *Authenticator) ForEndpoint(endpoint string, insecure bool, hosts ...string) (*Authenticator, error) {
	if a.mode == config.AuthNone {
		return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "authType None has no credentials to share", Hint: "set an authType on the stack whose credentials are shared"}
	}
	ep, err := config.ParseEndpoint(endpoint, insecure)
	if err != nil {
		return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "invalid endpoint for shared credentials", Err: err}
	}
	b := &Authenticator{
		mode:           a.mode,
		headerKey:      a.headerKey,
		allowCleartext: insecure,
		store:          a.store,
		source:         a.source,
		cache:          a.cache,
		log:            a.log,
	}
	b.origins.AddEndpoint(ep)
	for _, h := range hosts {
		if err := b.origins.Add(h, ep.Scheme); err != nil {
			return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "invalid host for shared credentials", Err: err}
		}
	}
	if a.activated.Load() {
		b.activated.Store(true)
	}
	return b, nil
}

// ServerConfig returns the server's client configuration as the
// Authenticator's store answers it (asking the server at most once per
// stack): the detected AuthMetadataService generation ([ClientConfig.API])
// and Flyte 2's dataplane_domain among the rest. Without a store it answers
// an empty configuration.
func (a *Authenticator) ServerConfig(ctx context.Context) (*ClientConfig, error) {
	if a.store == nil {
		return &ClientConfig{}, nil
	}
	return a.store.ClientConfig(ctx)
}

// tokenRequestRefused reports whether a failed token request was refused by the server
// (rather than not reaching it).
func tokenRequestRefused(err error) bool {
	switch errs.CodeOf(err) {
	case errs.Unauthenticated, errs.PermissionDenied, errs.InvalidArgument, errs.NotFound:
		return true
	}
	return false
}

// distrustServerConfig tells the store that the server rejected a credential
// or token request made with its answer: an answer read from the cache file
// is dropped, so the next token fetch asks the server.
func (a *Authenticator) distrustServerConfig() {
	if s, ok := a.store.(interface{ Rejected() }); ok {
		s.Rejected()
	}
}
