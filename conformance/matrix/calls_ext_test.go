package matrix_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"connectrpc.com/connect"
	"connectrpc.com/connect/v2/connecthttp"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/conformance/peers/peertest"
)

// A protocol is how the client talks to the protected service, with the
// server options that give its errors their wire shape.
// client and clientV2 choose the protocol for connect-go v1 and v2 clients.
type protocol struct {
	name     string
	client   []connect.ClientOption
	clientV2 []connecthttp.Option
	server   []authtest.Option
	rest     bool
}

var protocols = []protocol{
	{name: "connect"},
	// connect-go's natural shape: grpc-status in the HTTP trailers after an
	// empty body, as from flyteadmin's single-port mode.
	{name: "grpc", client: []connect.ClientOption{connect.WithGRPC()}, clientV2: []connecthttp.Option{connecthttp.WithGRPC()}},
	// grpc-go's shape: HTTP 200, grpc-status in the headers, no body.
	{name: "grpc-trailers-only", client: []connect.ClientOption{connect.WithGRPC()}, clientV2: []connecthttp.Option{connecthttp.WithGRPC()}, server: []authtest.Option{authtest.WithTrailersOnly()}},
	{name: "grpc-web", client: []connect.ClientOption{connect.WithGRPCWeb()}, clientV2: []connecthttp.Option{connecthttp.WithGRPCWeb()}},
	{name: "rest", rest: true},
}

// connectVersions is the connect-version axis of RPC rows: the connect-go
// major version of the client. v1 clients run without an interceptor (the
// stack alone must give connect.CodeOf its codes); v2 clients run with
// transport.InterceptorV2, as the README tells v2 users to. REST rows have
// no version.
var connectVersions = []string{"v1", "v2"}

// A callKind is one kind of call a protocol makes. idempotent calls are the
// ones the retry layer may repeat.
type callKind struct {
	name       string
	rest       bool
	idempotent bool
	do         func(ctx context.Context, e *env) error
}

var callKinds = []callKind{
	{name: "unary", do: unaryCall},
	{name: "server-stream", do: serverStreamCall},
	{name: "get", rest: true, idempotent: true, do: restGet},
	{name: "post", rest: true, do: restPost},
}

// callsOf lists the call kinds of p.
func callsOf(p protocol) []callKind {
	var out []callKind
	for _, c := range callKinds {
		if c.rest == p.rest {
			out = append(out, c)
		}
	}
	return out
}

func unaryCall(ctx context.Context, e *env) error {
	if e.rpcV2 != nil {
		got, err := e.rpcV2.Unary(ctx, "m")
		if err == nil && got != "m" {
			err = fmt.Errorf("unary echoed %q", got)
		}
		return err
	}
	resp, err := e.rpc.Unary.CallUnary(ctx, connect.NewRequest(wrapperspb.String("m")))
	if err != nil {
		return err
	}
	if got := resp.Msg.GetValue(); got != "m" {
		return fmt.Errorf("unary echoed %q", got)
	}
	return nil
}

func serverStreamCall(ctx context.Context, e *env) error {
	if e.rpcV2 != nil {
		got, err := e.rpcV2.ServerStream(ctx, "s")
		if err == nil && strings.Join(got, ",") != "s-0,s-1,s-2" {
			err = fmt.Errorf("server stream got %q", got)
		}
		return err
	}
	s, err := e.rpc.ServerStream.CallServerStream(ctx, connect.NewRequest(wrapperspb.String("s")))
	if err != nil {
		return err
	}
	defer s.Close()
	var got []string
	for s.Receive() {
		got = append(got, s.Msg().GetValue())
	}
	if err := s.Err(); err != nil {
		return err
	}
	if strings.Join(got, ",") != "s-0,s-1,s-2" {
		return fmt.Errorf("server stream got %q", got)
	}
	return nil
}

func restGet(ctx context.Context, e *env) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL()+"/api/v1/echo?msg="+url.QueryEscape("g"), nil)
	if err != nil {
		return err
	}
	return restDo(e, req, `{"msg":"g"}`)
}

func restPost(ctx context.Context, e *env) error {
	body := `{"msg":"p"}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL()+"/api/v1/echo", bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return restDo(e, req, body)
}

// restDo sends req and checks the answer is want (as JSON); a failure
// status becomes the error errs maps the response to, the way REST users of
// the stack check answers.
func restDo(e *env, req *http.Request, want string) error {
	data, err := peertest.Do(e.http, req)
	if err != nil {
		return err
	}
	var got, exp any
	if err := json.Unmarshal(data, &got); err != nil {
		return fmt.Errorf("rest answer %q: %w", data, err)
	}
	json.Unmarshal([]byte(want), &exp) //nolint:errcheck // a literal
	if fmt.Sprint(got) != fmt.Sprint(exp) {
		return fmt.Errorf("rest answered %s, want %s", data, want)
	}
	return nil
}
