package authtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
)

// Example gets a token with the client_credentials grant and calls the
// protected service with it over gRPC; a call without the token is rejected.
func Example() {
	srv, err := authtest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()

	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"all"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		fmt.Println(err)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(srv.ClientID()), url.QueryEscape(srv.ClientSecret()))
	res, err := srv.HTTPClient().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil {
		fmt.Println(err)
		return
	}

	client := authtest.NewTestClient(srv.HTTPClient(), srv.URL(), connect.WithGRPC())
	_, err = client.Unary.CallUnary(ctx, connect.NewRequest(wrapperspb.String("hello")))
	fmt.Println("without a token:", connect.CodeOf(err))

	call := connect.NewRequest(wrapperspb.String("hello"))
	call.Header().Set("Authorization", tok.TokenType+" "+tok.AccessToken)
	answer, err := client.Unary.CallUnary(ctx, call)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("with a token:", answer.Msg.GetValue())
	fmt.Println("token requests:", srv.Counters().TokenRequests)
	// Output:
	// without a token: unauthenticated
	// with a token: hello
	// token requests: 1
}
