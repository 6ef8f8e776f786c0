package main

import (
	"context"
	"io"
	"net/http"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

// stack holds the pieces of the authwire stack the commands work with
// directly: the session (proxy layer over the base transport), the remote
// client-config store, and the Authenticator of the configured flow.
type stack struct {
	cfg     *config.Platform
	baseURL string
	session *http.Client
	store   *authn.RemoteConfigStore
	auth    *authn.Authenticator
}

// newStack builds the stack for cfg. It reads the CA file, the client secret
// and the command settings now, so configuration mistakes surface here;
// it makes no network call. Interactive logins talk to the user on prompt.
// opts go to the transport.
func newStack(cfg *config.Platform, prompt io.Writer, opts ...transport.Option) (*stack, error) {
	baseURL, err := transport.BaseURL(cfg)
	if err != nil {
		return nil, err
	}
	session, err := transport.Session(cfg, opts...)
	if err != nil {
		return nil, err
	}
	store := authn.NewRemoteConfigStore(session, baseURL)
	auth, err := authn.New(cfg, store, session, authn.WithPrompt(prompt))
	if err != nil {
		session.CloseIdleConnections()
		return nil, err
	}
	return &stack{cfg: cfg, baseURL: baseURL, session: session, store: store, auth: auth}, nil
}

// client returns an *http.Client that authenticates its calls: the bearer
// layer over the session, with no retry layer, so a failure shows as it
// happened.
func (s *stack) client() *http.Client {
	return &http.Client{Transport: authn.Wrap(s.session.Transport, s.auth)}
}

// close releases idle connections.
func (s *stack) close() { s.session.CloseIdleConnections() }

// headerKey returns the header the stack sends the token in (see
// [authn.Authenticator.HeaderKey]); Authorization when the server cannot say.
func (s *stack) headerKey(ctx context.Context) string {
	key, err := s.auth.HeaderKey(ctx)
	if err != nil {
		return "Authorization"
	}
	return key
}
