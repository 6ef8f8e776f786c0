package authn

import (
	"context"
	"errors"
	"strings"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcache"
)

// ErrNoPassthroughToken is matched, through errors.Is, by the error a call
// gets in Passthrough mode when its context holds no token.
var ErrNoPassthroughToken = errors.New("authn: no passthrough token in the request context")

// passthroughKey is the context key of the caller's token.
type passthroughKey struct{}

// WithPassthroughToken returns a copy of ctx that carries token, the bare
// access token (without "Bearer ") of the user a service acts for. With
// authType Passthrough, every request made with the returned context is
// sent with "<header>: Bearer <token>"; in other modes the token is
// ignored. An empty token is the same as none.
func WithPassthroughToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, passthroughKey{}, token)
}

// PassthroughToken returns the token [WithPassthroughToken] put in ctx, and
// whether there is one.
func PassthroughToken(ctx context.Context) (string, bool) {
	tok, _ := ctx.Value(passthroughKey{}).(string)
	return tok, tok != ""
}

// passthroughToken returns the caller's token from ctx (authType
// Passthrough), or an Unauthenticated error: none, or one that cannot be
// sent in a header.
func passthroughToken(ctx context.Context) (*oauth2.Token, error) {
	tok, ok := PassthroughToken(ctx)
	if !ok {
		return nil, &errs.Error{
			Code: errs.Unauthenticated, Op: "authn", Message: "authType Passthrough: no token in the request context",
			Hint: "put the caller's token in the context with authn.WithPassthroughToken", Err: ErrNoPassthroughToken,
		}
	}
	// A space rejects "Bearer <token>" too.
	if strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, &errs.Error{
			Code: errs.Unauthenticated, Op: "authn", Message: "authType Passthrough: the token in the request context is malformed",
			Hint: "pass the bare token, without \"Bearer \", spaces or control characters",
		}
	}
	return &oauth2.Token{AccessToken: tok, TokenType: "Bearer"}, nil
}

// passthroughCredential is the credential of one request in Passthrough
// mode: the caller's token in the stack's header. It is never cached: its
// Gen is 0, which no cache entry has, so a rejection invalidates nothing,
// and the bearer layer does not replay a request whose fresh credential is
// the rejected one, so the rejection reaches the caller as it is.
func (a *Authenticator) passthroughCredential(ctx context.Context) (credcache.Entry[credential], error) {
	tok, err := passthroughToken(ctx)
	if err != nil {
		return credcache.Entry[credential]{}, err
	}
	key, err := a.resolveHeaderKey(ctx)
	if err != nil {
		return credcache.Entry[credential]{}, err
	}
	return credcache.Entry[credential]{Value: credential{token: tok, key: key, value: "Bearer " + tok.AccessToken}}, nil
}
