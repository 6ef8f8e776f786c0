package authn_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

func TestPassthroughToken(t *testing.T) {
	t.Parallel()
	if _, ok := authn.PassthroughToken(t.Context()); ok {
		t.Fatal("a bare context holds a token")
	}
	if _, ok := authn.PassthroughToken(authn.WithPassthroughToken(t.Context(), "")); ok {
		t.Fatal("an empty token counts as one")
	}
	if got, ok := authn.PassthroughToken(authn.WithPassthroughToken(t.Context(), "abc")); !ok || got != "abc" {
		t.Fatalf("PassthroughToken = %q, %v", got, ok)
	}
}

// Authenticator.Token answers the context's token in Passthrough mode.
func TestPassthroughAuthenticatorToken(t *testing.T) {
	t.Parallel()
	a, err := authn.New(&config.Platform{Endpoint: "flyte.example.com", AuthType: config.AuthPassthrough}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := a.Token(authn.WithPassthroughToken(t.Context(), "abc"))
	if err != nil || tok.AccessToken != "abc" || tok.TokenType != "Bearer" {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	_, err = a.Token(t.Context())
	if !errors.Is(err, authn.ErrNoPassthroughToken) || errs.CodeOf(err) != errs.Unauthenticated {
		t.Fatalf("Token without one: %v", err)
	}
}

// A service that calls Flyte for its own users forwards each user's token
// with the call.
func ExampleWithPassthroughToken() {
	srv, err := authtest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	cfg := &config.Platform{Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(), AuthType: config.AuthPassthrough}
	client, err := transport.NewClient(context.Background(), cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	flyte := authtest.NewTestClient(client, srv.URL())

	userToken := srv.IssueToken() // in a service: the token of the user's own request
	ctx := authn.WithPassthroughToken(context.Background(), userToken)
	answer, err := flyte.Unary.CallUnary(ctx, connect.NewRequest(wrapperspb.String("hello")))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("as the user:", answer.Msg.GetValue())

	_, err = flyte.Unary.CallUnary(context.Background(), connect.NewRequest(wrapperspb.String("hello")))
	fmt.Println("without a user token:", connect.CodeOf(err), errors.Is(err, authn.ErrNoPassthroughToken))
	// Output:
	// as the user: hello
	// without a user token: unauthenticated true
}
