package authn

import (
	"context"

	"golang.org/x/oauth2"
)

// TokenSource obtains OAuth2 tokens. Implementations need not cache: the
// [Authenticator] caches, refreshes early and single-flights every source.
// Token must honour ctx and must not return a nil token with a nil error.
type TokenSource interface {
	Token(ctx context.Context) (*oauth2.Token, error)
}

// TokenSourceFunc adapts a function to [TokenSource].
type TokenSourceFunc func(ctx context.Context) (*oauth2.Token, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (*oauth2.Token, error) { return f(ctx) }

// StaticToken returns a source that always yields token, with no expiry.
// A rejection of a static token cannot be recovered: the call fails with
// Unauthenticated.
func StaticToken(token string) TokenSource {
	t := &oauth2.Token{AccessToken: token, TokenType: "Bearer"}
	return TokenSourceFunc(func(context.Context) (*oauth2.Token, error) { return t, nil })
}
