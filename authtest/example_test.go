package authtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"
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

// Example_authorizationCode logs in with the authorization code flow and
// PKCE as golang.org/x/oauth2 does it, then refreshes the token. The
// browser stops at the redirect to read the code, where a real login would
// have a loopback callback server.
func Example_authorizationCode() {
	srv, err := authtest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.HTTPClient())
	cfg := &oauth2.Config{
		ClientID: "flytectl",
		Endpoint: oauth2.Endpoint{
			AuthURL:   srv.URL() + "/oauth2/authorize",
			TokenURL:  srv.TokenURL(),
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: "http://localhost:53593/callback",
		Scopes:      []string{"offline", "all"},
	}

	verifier := oauth2.GenerateVerifier()
	browser := *srv.HTTPClient()
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := browser.Get(cfg.AuthCodeURL("state-42", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Close()
	callback, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("redirected with state:", callback.Query().Get("state"))

	tok, err := cfg.Exchange(ctx, callback.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("refresh token:", tok.RefreshToken != "")

	tok.Expiry = time.Now().Add(-time.Second) // force a refresh
	refreshed, err := cfg.TokenSource(ctx, tok).Token()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("rotated:", refreshed.RefreshToken != tok.RefreshToken)
	c := srv.Counters()
	fmt.Println("code grants:", c.CodeGrants, "refresh grants:", c.RefreshGrants)
	// Output:
	// redirected with state: state-42
	// refresh token: true
	// rotated: true
	// code grants: 1 refresh grants: 1
}

// Example_deviceFlow starts a device login with golang.org/x/oauth2 and
// polls the token endpoint by hand, so the example need not wait out the
// polling interval: the server answers authorization_pending twice first.
func Example_deviceFlow() {
	srv, err := authtest.Start(authtest.WithH2C())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	srv.SetDevicePending(2)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.HTTPClient())
	cfg := &oauth2.Config{
		ClientID: "flytectl",
		Endpoint: oauth2.Endpoint{DeviceAuthURL: srv.URL() + "/oauth2/device/auth", TokenURL: srv.TokenURL()},
		Scopes:   []string{"offline", "all"},
	}
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("interval:", da.Interval)

	form := url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {da.DeviceCode},
		"client_id":   {"flytectl"},
	}
	for range 10 {
		res, err := srv.HTTPClient().PostForm(srv.TokenURL(), form)
		if err != nil {
			fmt.Println(err)
			return
		}
		var answer struct {
			Error       string `json:"error"`
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(res.Body).Decode(&answer)
		res.Body.Close()
		if err != nil {
			fmt.Println(err)
			return
		}
		if answer.Error != "" {
			fmt.Println("poll:", answer.Error)
			continue
		}
		fmt.Println("poll: token", answer.AccessToken != "")
		break
	}
	fmt.Println("polls:", srv.Counters().DevicePolls)
	// Output:
	// interval: 5
	// poll: authorization_pending
	// poll: authorization_pending
	// poll: token true
	// polls: 3
}
