package authtest_test

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
)

// protocols are the three wire protocols a connect client can speak.
var protocols = []struct {
	name string
	opt  connect.ClientOption
}{
	{"connect", connect.WithClientOptions()},
	{"grpc", connect.WithGRPC()},
	{"grpc-web", connect.WithGRPCWeb()},
}

// transports are the two ways a server can listen.
var transports = []struct {
	name string
	opts []authtest.Option
}{
	{"tls", nil},
	{"h2c", []authtest.Option{authtest.WithH2C()}},
}

// eachProtocol runs f in a parallel subtest per protocol, each with its own
// server started with opts.
func eachProtocol(t *testing.T, opts []authtest.Option, f func(t *testing.T, srv *authtest.Server, protocol connect.ClientOption)) {
	t.Helper()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			f(t, authtest.New(t, opts...), p.opt)
		})
	}
}

// eachTransport runs f in a parallel subtest per transport, each with its
// own server started with opts.
func eachTransport(t *testing.T, opts []authtest.Option, f func(t *testing.T, srv *authtest.Server)) {
	t.Helper()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			f(t, authtest.New(t, append(slices.Clone(opts), tr.opts...)...))
		})
	}
}

// eachTransportAndProtocol runs f for every transport and protocol pair,
// each with its own server started with opts.
func eachTransportAndProtocol(t *testing.T, opts []authtest.Option, f func(t *testing.T, srv *authtest.Server, protocol connect.ClientOption)) {
	t.Helper()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			eachProtocol(t, append(slices.Clone(opts), tr.opts...), f)
		})
	}
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

type errorAnswer struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// postToken sends a form to the token endpoint; basic, when set, is sent as
// already-encoded HTTP Basic credentials.
func postToken(t *testing.T, srv *authtest.Server, form url.Values, basic *url.Userinfo, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	if basic != nil {
		secret, _ := basic.Password()
		req.SetBasicAuth(basic.Username(), secret)
	}
	res, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// basicCredentials form-encodes the server's client credentials for HTTP
// Basic, as RFC 6749 section 2.3.1 asks.
func basicCredentials(srv *authtest.Server) *url.Userinfo {
	return url.UserPassword(url.QueryEscape(srv.ClientID()), url.QueryEscape(srv.ClientSecret()))
}

// fetchToken gets an access token with the client_credentials grant.
func fetchToken(t *testing.T, srv *authtest.Server) string {
	t.Helper()
	res := postToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, basicCredentials(srv), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("token endpoint status %d", res.StatusCode)
	}
	var tok tokenAnswer
	decodeJSON(t, res.Body, &tok)
	return tok.AccessToken
}

func decodeJSON(t *testing.T, r io.Reader, v any) {
	t.Helper()
	if err := json.NewDecoder(r).Decode(v); err != nil {
		t.Fatalf("decode JSON: %v", err)
	}
}

// get sends a GET with the given headers through the server's own client.
func get(t *testing.T, srv *authtest.Server, rawURL string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// unary calls TestService.Unary with the given headers.
func unary(t *testing.T, client *authtest.TestClient, header http.Header) (string, error) {
	t.Helper()
	req := connect.NewRequest(wrapperspb.String("ping"))
	for k, v := range header {
		req.Header()[k] = v
	}
	res, err := client.Unary.CallUnary(t.Context(), req)
	if err != nil {
		return "", err
	}
	return res.Msg.GetValue(), nil
}

// envelope frames a message as gRPC, gRPC-Web and Connect streaming do.
func envelope(flags byte, payload []byte) []byte {
	b := make([]byte, 5, 5+len(payload))
	b[0] = flags
	binary.BigEndian.PutUint32(b[1:], uint32(len(payload)))
	return append(b, payload...)
}

func protoFrame(t *testing.T, value string) []byte {
	t.Helper()
	b, err := proto.Marshal(wrapperspb.String(value))
	if err != nil {
		t.Fatal(err)
	}
	return envelope(0, b)
}
