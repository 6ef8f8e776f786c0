package transport_test

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"
	connectv2 "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

// exampleConfig is the configuration a user would write for srv, with the
// given client secret.
func exampleConfig(srv *authtest.Server, secret string) *config.Platform {
	return &config.Platform{
		Endpoint: srv.Endpoint(), CACertFilePath: srv.CAFile(),
		AuthType: config.AuthClientSecret, ClientID: srv.ClientID(), ClientSecret: secret,
	}
}

// ExampleInterceptor calls a service with a connect-go v1 client over the
// stack: a server's NotFound is errs.ErrNotFound with the interceptor, and
// a rejected client secret is Unauthenticated for errs and connect alike.
func ExampleInterceptor() {
	srv, err := authtest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()

	client, err := transport.NewClient(ctx, exampleConfig(srv, srv.ClientSecret()))
	if err != nil {
		fmt.Println(err)
		return
	}
	rpc := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](client,
		srv.URL()+authtest.TestServiceUnaryProcedure, connect.WithGRPC(), connect.WithInterceptors(transport.Interceptor()))
	res, err := rpc.CallUnary(ctx, connect.NewRequest(wrapperspb.String("hello")))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("answer:", res.Msg.GetValue())

	srv.FailNext(1, connect.CodeNotFound)
	_, err = rpc.CallUnary(ctx, connect.NewRequest(wrapperspb.String("hello")))
	fmt.Println("server error is errs.ErrNotFound:", errors.Is(err, errs.ErrNotFound))

	bad, err := transport.NewClient(ctx, exampleConfig(srv, "wrong"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](bad, srv.URL()+authtest.TestServiceUnaryProcedure).
		CallUnary(ctx, connect.NewRequest(wrapperspb.String("hello")))
	fmt.Println("wrong secret:", errs.CodeOf(err), connect.CodeOf(err))
	// Output:
	// answer: hello
	// server error is errs.ErrNotFound: true
	// wrong secret: unauthenticated unauthenticated
}

// ExampleInterceptorV2 is ExampleInterceptor with a connect-go v2 client:
// connect.NewClient over connecthttp.NewTransport, which takes the stack's
// *http.Client as it is.
func ExampleInterceptorV2() {
	srv, err := authtest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()

	client, err := transport.NewClient(ctx, exampleConfig(srv, srv.ClientSecret()))
	if err != nil {
		fmt.Println(err)
		return
	}
	rpc := connectv2.NewClient(connecthttp.NewTransport(client, srv.URL(), connecthttp.WithGRPC()), transport.InterceptorV2())
	res := new(wrapperspb.StringValue)
	if err := rpc.CallUnary(ctx, authtest.TestServiceUnarySpec, wrapperspb.String("hello"), res); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("answer:", res.GetValue())

	srv.FailNext(1, connect.CodeNotFound)
	err = rpc.CallUnary(ctx, authtest.TestServiceUnarySpec, wrapperspb.String("hello"), res)
	fmt.Println("server error is errs.ErrNotFound:", errors.Is(err, errs.ErrNotFound))

	bad, err := transport.NewClient(ctx, exampleConfig(srv, "wrong"))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = connectv2.NewClient(connecthttp.NewTransport(bad, srv.URL())).
		CallUnary(ctx, authtest.TestServiceUnarySpec, wrapperspb.String("hello"), res)
	fmt.Println("wrong secret:", errs.CodeOf(err), connectv2.CodeOf(err))
	// Output:
	// answer: hello
	// server error is errs.ErrNotFound: true
	// wrong secret: unauthenticated unauthenticated
}
