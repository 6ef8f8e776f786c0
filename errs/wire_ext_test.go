package errs_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/wire"
	"github.com/authwire/authwire/internal/wiretest"
)

// A protocol as a connect-go client speaks it.
type clientProtocol struct {
	name     string
	protocol errs.Protocol
	opts     []connect.ClientOption
	get      bool
}

var clientProtocols = []clientProtocol{
	{name: "connect", protocol: errs.ProtocolConnect},
	{name: "connect-get", protocol: errs.ProtocolConnect, get: true,
		opts: []connect.ClientOption{connect.WithHTTPGet(), connect.WithIdempotency(connect.IdempotencyNoSideEffects)}},
	{name: "grpc", protocol: errs.ProtocolGRPC, opts: []connect.ClientOption{connect.WithGRPC()}},
	{name: "grpcweb", protocol: errs.ProtocolGRPCWeb, opts: []connect.ClientOption{connect.WithGRPCWeb()}},
}

// wireError is what this package makes of rec's last response. An error
// inside a stream's end frame is no concern of FromResponse: connect-go
// reads it, and internal/wire's tests pin that the wire reader agrees.
func wireError(rec *wiretest.Recorder) error {
	return errs.FromResponse(rec.Replay())
}

// rpcClient is connect-go over the errs layer (no retries) over a recorder
// over h2c.
func rpcClient() (*http.Client, *wiretest.Recorder) {
	protos := new(http.Protocols)
	protos.SetUnencryptedHTTP2(true)
	rec := &wiretest.Recorder{Next: &http.Transport{Protocols: protos}}
	return &http.Client{
		Transport:     errs.NewRetryTransport(rec, errs.Policy{MaxRetries: -1}),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, rec
}

// checkAgreement asserts that connect-go's error for a call and this
// package's reading of the same wire response have the wanted code, and
// returns the latter; it returns nil for an error sent in a stream's end
// frame, which only connect-go reads.
func checkAgreement(t *testing.T, rec *wiretest.Recorder, p clientProtocol, callErr error, want errs.Code, secrets ...string) *errs.Error {
	t.Helper()
	if callErr == nil {
		t.Fatalf("the call succeeded, want %v", want)
	}
	if got := connect.CodeOf(callErr); got != connect.Code(want) {
		t.Errorf("connect.CodeOf = %v, want %v (%v)", got, want, callErr)
	}
	if got := errs.CodeOf(callErr); got != want {
		t.Errorf("errs.CodeOf(connect's error) = %v, want %v", got, want)
	}
	if got := errs.KindOf(callErr); got != want.Kind() {
		t.Errorf("errs.KindOf(connect's error) = %v, want %v", got, want.Kind())
	}
	werr := wireError(rec)
	if werr == nil && endFrame(rec) {
		return nil
	}
	if got := errs.CodeOf(werr); got != want {
		t.Fatalf("errs reads the response as %v (%v), want %v", got, werr, want)
	}
	e, ok := errors.AsType[*errs.Error](werr)
	if !ok {
		t.Fatalf("wire error %T, want *errs.Error", werr)
	}
	if e.Protocol != p.protocol {
		t.Errorf("Protocol = %v, want %v", e.Protocol, p.protocol)
	}
	noSecrets(t, werr, secrets...)
	return e
}

// endFrame reports whether the last response's body ends with an end frame
// (Connect streaming, gRPC-Web).
func endFrame(rec *wiretest.Recorder) bool {
	resp := rec.Replay()
	env := wire.EnvelopeOf(resp.Header)
	body, _ := io.ReadAll(resp.Body)
	return len(body) >= 5 && (env == wire.ConnectFrames || env == wire.GRPCWebFrames)
}

func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Errorf("error %q holds a secret", msg)
		}
	}
}

func TestWireCodesFromConnectHandlers(t *testing.T) {
	t.Parallel()
	srv := wiretest.Server(t, nil)
	token := secret(t, "tok-")
	for _, p := range clientProtocols {
		for _, method := range []string{"Unary", "ServerStream"} {
			if method == "ServerStream" && p.get {
				continue
			}
			for c := errs.Canceled; c <= errs.Unauthenticated; c++ {
				t.Run(p.name+"/"+method+"/"+c.String(), func(t *testing.T) {
					t.Parallel()
					hc, rec := rpcClient()
					client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](hc, srv.URL+"/test.v1.Test/"+method, p.opts...)
					req := connect.NewRequest(wrapperspb.String(strconv.Itoa(int(c))))
					req.Header().Set("Authorization", "Bearer "+token)
					var err error
					if method == "Unary" {
						_, err = client.CallUnary(t.Context(), req)
					} else {
						var stream *connect.ServerStreamForClient[wrapperspb.StringValue]
						stream, err = client.CallServerStream(t.Context(), req)
						if err == nil {
							for stream.Receive() {
							}
							err = stream.Err()
							stream.Close()
						}
					}
					e := checkAgreement(t, rec, p, err, c, token)
					if e == nil {
						return // in an end frame: see internal/wire
					}
					if !strings.Contains(e.Message, "from the server") {
						t.Errorf("message %q lacks the server's", e.Message)
					}
					if len(e.Details) != 1 || e.Details[0].Type != "google.protobuf.StringValue" {
						t.Errorf("details %+v, want one StringValue", e.Details)
					}
				})
			}
		}
	}
}

// statusDetailsBin encodes a google.rpc.Status for grpc-status-details-bin.
func statusDetailsBin(code int32, msg string) string {
	var anyMsg []byte
	anyMsg = protowire.AppendTag(anyMsg, 1, protowire.BytesType)
	anyMsg = protowire.AppendString(anyMsg, "type.googleapis.com/google.protobuf.StringValue")
	anyMsg = protowire.AppendTag(anyMsg, 2, protowire.BytesType)
	anyMsg = protowire.AppendBytes(anyMsg, []byte{0x0a, 0x01, 'x'})
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(code))
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendString(b, msg)
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	b = protowire.AppendBytes(b, anyMsg)
	return base64.RawStdEncoding.EncodeToString(b)
}

// writeRaw answers with status, header pairs and body; a header value of
// "=request" copies the request's.
func writeRaw(status int, body string, kv ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		for i := 0; i+1 < len(kv); i += 2 {
			v := kv[i+1]
			if v == "=request" {
				v = r.Header.Get(kv[i])
			}
			w.Header().Set(kv[i], v)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestWireCodesFromOtherAnswers(t *testing.T) {
	t.Parallel()
	const (
		unary = "connect connect-get"
		grpc  = "grpc grpcweb"
		all   = unary + " " + grpc
	)
	state := secret(t, "state-")
	tests := []struct {
		name    string
		handler http.HandlerFunc
		for_    string
		want    errs.Code
		hint    string
	}{
		{"proxy 503 page", writeRaw(503, "<html>down</html>", "Content-Type", "text/html"), all, errs.Unavailable, "HTML page"},
		{"proxy 401 with a Bearer challenge", writeRaw(401, "<html>no</html>", "Content-Type", "text/html",
			"WWW-Authenticate", `Bearer realm="flyte", error="invalid_token", error_description="expired"`), all, errs.Unauthenticated, "refreshed"},
		{"login redirect", writeRaw(302, "", "Location", "https://login.example.test/authorize?state="+state), all, errs.Unknown, "login.example.test"},
		{"proxy 407", writeRaw(407, "", "Proxy-Authenticate", "Bearer"), all, errs.Unknown, "proxyCommand"},
		{"rate limited", writeRaw(429, ""), all, errs.Unavailable, ""},
		{"bad gateway", writeRaw(502, ""), all, errs.Unavailable, ""},
		{"gateway timeout", writeRaw(504, ""), all, errs.Unavailable, ""},
		{"no such path", writeRaw(404, "404 page not found\n", "Content-Type", "text/plain; charset=utf-8"), all, errs.Unimplemented, "no such procedure"},
		{"login page with 200", writeRaw(200, "<html>login</html>", "Content-Type", "text/html"), all, errs.Unknown, "HTML page"},
		{"trailers-only, percent-encoded message", writeRaw(200, "", "Content-Type", "=request",
			"Grpc-Status", "5", "Grpc-Message", "caf%C3%A9 %25 missing"), grpc, errs.NotFound, ""},
		{"trailers-only, details win", writeRaw(200, "", "Content-Type", "=request",
			"Grpc-Status", "3", "Grpc-Status-Details-Bin", statusDetailsBin(5, "from details")), grpc, errs.NotFound, ""},
		{"trailers-only, unknown status", writeRaw(200, "", "Content-Type", "=request", "Grpc-Status", "99"), grpc, errs.Code(99), ""},
		{"trailers-only, malformed status", writeRaw(200, "", "Content-Type", "=request", "Grpc-Status", "x1"), grpc, errs.Unknown, ""},
		{"trailers-only, malformed message", writeRaw(200, "", "Content-Type", "=request", "Grpc-Status", "5", "Grpc-Message", "%zz"), grpc, errs.Internal, ""},
		{"trailers-only, malformed details", writeRaw(200, "", "Content-Type", "=request", "Grpc-Status", "5", "Grpc-Status-Details-Bin", "!!"), grpc, errs.Internal, ""},
		{"status in trailers", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
			w.Header().Set("Trailer", "Grpc-Status, Grpc-Message")
			w.WriteHeader(200)
			w.Header().Set("Grpc-Status", "16")
			w.Header().Set("Grpc-Message", "no token")
		}, "grpc", errs.Unauthenticated, ""},
		{"other codec", writeRaw(200, "", "Content-Type", "application/grpc+json", "Grpc-Status", "0"), "grpc", errs.Internal, ""},
		{"HTTP status beats grpc-status", writeRaw(500, "", "Content-Type", "=request", "Grpc-Status", "5"), grpc, errs.Unknown, ""},
		{"gzipped error body", writeRaw(429, wiretest.Gzip(`{"code":"resource_exhausted","message":"quota"}`),
			"Content-Type", "application/json", "Content-Encoding", "gzip"), unary, errs.ResourceExhausted, ""},
		{"malformed JSON", writeRaw(400, "{not json", "Content-Type", "application/json"), unary, errs.Internal, ""},
		{"unknown code name", writeRaw(503, `{"code":"bogus","message":"m"}`, "Content-Type", "application/json"), unary, errs.Unavailable, ""},
		{"code ok in an error", writeRaw(500, `{"code":"ok"}`, "Content-Type", "application/json"), unary, errs.Unknown, ""},
		{"numeric code", writeRaw(409, `{"code":6}`, "Content-Type", "application/json; charset=utf-8"), unary, errs.Unknown, ""},
		{"unknown encoding", writeRaw(500, `{"code":"internal"}`, "Content-Type", "application/json", "Content-Encoding", "br"), unary, errs.Internal, ""},
		{"JSON error without JSON type", writeRaw(404, `{"code":"not_found"}`, "Content-Type", "text/plain"), unary, errs.Unimplemented, ""},
		{"plain HTTP to TLS", writeRaw(400, "Client sent an HTTP request to an HTTPS server.\n"), all, errs.Internal, "https"},
	}
	raw := map[string]http.HandlerFunc{}
	for i, tc := range tests {
		raw[strconv.Itoa(i)] = tc.handler
	}
	srv := wiretest.Server(t, raw)
	token := secret(t, "tok-")
	for i, tc := range tests {
		for _, p := range clientProtocols {
			if !strings.Contains(" "+tc.for_+" ", " "+p.name+" ") {
				continue
			}
			t.Run(tc.name+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				hc, rec := rpcClient()
				opts := append([]connect.ClientOption{connect.WithIdempotency(connect.IdempotencyNoSideEffects)}, p.opts...)
				client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](hc, srv.URL+"/raw.v1.Raw/"+strconv.Itoa(i), opts...)
				req := connect.NewRequest(wrapperspb.String("x"))
				req.Header().Set("Authorization", "Bearer "+token)
				_, err := client.CallUnary(t.Context(), req)
				e := checkAgreement(t, rec, p, err, tc.want, token, state)
				if !strings.Contains(e.Hint, tc.hint) {
					t.Errorf("hint %q lacks %q", e.Hint, tc.hint)
				}
			})
		}
	}
}

func TestWireDetails(t *testing.T) {
	t.Parallel()
	resp := newResponse(200, "", "Content-Type", "application/grpc", "Grpc-Status", "3",
		"Grpc-Message", "caf%C3%A9", "Grpc-Status-Details-Bin", statusDetailsBin(5, "from details"))
	err := errs.FromResponse(resp)
	e, ok := errors.AsType[*errs.Error](err)
	if !ok {
		t.Fatalf("FromResponse = %v", err)
	}
	if e.Code != errs.NotFound || e.Message != "from details" || len(e.Details) != 1 ||
		e.Details[0].Type != "google.protobuf.StringValue" || string(e.Details[0].Value) != "\x0a\x01x" {
		t.Errorf("got %+v", e)
	}
	resp = newResponse(200, "", "Content-Type", "application/grpc-web+proto", "Grpc-Status", "5", "Grpc-Message", "caf%C3%A9 %25")
	if e, _ := errors.AsType[*errs.Error](errs.FromResponse(resp)); e == nil || e.Message != "café %" || e.Protocol != errs.ProtocolGRPCWeb {
		t.Errorf("percent-decoding: got %+v", e)
	}
}

func TestFromResponseREST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		resp   *http.Response
		want   errs.Code
		msg    string
		hint   string
		oauth  string
		detail string
	}{
		{"success", newResponse(200, "ok"), errs.OK, "", "", "", ""},
		{"redirect", newResponse(302, "", "Location", "/elsewhere"), errs.OK, "", "", "", ""},
		{"grpc-gateway not found", newResponse(404, `{"code":5,"message":"task x does not exist","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"r"}]}`,
			"Content-Type", "application/json"), errs.NotFound, "task x does not exist", "", "", "google.rpc.ErrorInfo"},
		{"grpc-gateway already exists", newResponse(409, `{"code":6,"message":"exists"}`, "Content-Type", "application/json"), errs.AlreadyExists, "exists", "", "", ""},
		{"grpc-gateway v1 body", newResponse(400, `{"error":"bad","code":3,"message":"bad"}`, "Content-Type", "application/json"), errs.InvalidArgument, "bad", "", "", ""},
		{"grpc-gateway body overrides status", newResponse(500, `{"code":14,"message":"down"}`, "Content-Type", "application/json"), errs.Unavailable, "down", "", "", ""},
		{"Google API error", newResponse(403, `{"error":{"code":403,"message":"nope","status":"PERMISSION_DENIED"}}`, "Content-Type", "application/json"), errs.PermissionDenied, "nope", "", "", ""},
		{"Connect-style body", newResponse(404, `{"code":"not_found","message":"gone"}`, "Content-Type", "application/json"), errs.NotFound, "gone", "", "", ""},
		{"problem+json", newResponse(409, `{"title":"conflict","message":"dup"}`, "Content-Type", "application/problem+json"), errs.AlreadyExists, "dup", "", "", ""},
		{"token endpoint invalid_client", newResponse(401, `{"error":"invalid_client","error_description":"Client authentication failed"}`, "Content-Type", "application/json"),
			errs.Unauthenticated, "", "clientId", "invalid_client", ""},
		{"token endpoint invalid_grant", newResponse(400, `{"error":"invalid_grant","error_description":"refresh token expired"}`, "Content-Type", "application/json;charset=UTF-8"),
			errs.Unauthenticated, "", "log in again", "invalid_grant", ""},
		{"token endpoint unauthorized_client", newResponse(400, `{"error":"unauthorized_client"}`, "Content-Type", "application/json"), errs.PermissionDenied, "", "grant", "unauthorized_client", ""},
		{"device flow expired", newResponse(400, `{"error":"expired_token"}`, "Content-Type", "application/json"), errs.DeadlineExceeded, "", "in time", "expired_token", ""},
		{"bearer challenge", newResponse(401, "", "WWW-Authenticate", `Basic realm="x", Bearer realm="flyte", error="invalid_token", error_description="The access token expired"`),
			errs.Unauthenticated, "", "refreshed", "invalid_token", ""},
		{"insufficient scope", newResponse(403, "", "WWW-Authenticate", `Bearer error="insufficient_scope", scope="all"`), errs.PermissionDenied, "", "scope", "insufficient_scope", ""},
		{"proxy page", newResponse(503, "<html><body>maintenance</body></html>", "Content-Type", "text/html; charset=utf-8"), errs.Unavailable, "", "HTML page", "", ""},
		{"proxy 407", newResponse(407, ""), errs.Unauthenticated, "", "proxyCommand", "", ""},
		{"gateway timeout", newResponse(504, ""), errs.DeadlineExceeded, "", "", "", ""},
		{"rate limited", newResponse(429, "slow down", "Content-Type", "text/plain"), errs.Unavailable, "slow down", "", "", ""},
		{"plain text", newResponse(500, "boom\nat line 2", "Content-Type", "text/plain"), errs.Internal, "boom at line 2", "", "", ""},
		{"no content type, JSON", newResponse(404, ` {"code":5,"message":"m"}`), errs.NotFound, "m", "", "", ""},
		{"unlisted status", newResponse(418, "teapot"), errs.Unknown, "teapot", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.resp.Request, _ = http.NewRequest(http.MethodGet, "https://user:pw@flyte.test/api/v1/tasks?token=abc#frag", nil)
			body := tc.resp.Body.(*trackedBody)
			want, _ := io.ReadAll(body.Reader.(*strings.Reader))
			body.Reader = bytes.NewReader(want)
			err := errs.FromResponse(tc.resp)
			if got := errs.CodeOf(err); got != tc.want {
				t.Fatalf("code %v (%v), want %v", got, err, tc.want)
			}
			if got, _ := io.ReadAll(tc.resp.Body); !bytes.Equal(got, want) {
				t.Errorf("body after FromResponse %q, want %q", got, want)
			}
			if body.closes.Load() != 0 {
				t.Errorf("FromResponse closed the body")
			}
			if err == nil {
				return
			}
			e, _ := errors.AsType[*errs.Error](err)
			if e.Message != tc.msg || !strings.Contains(e.Hint, tc.hint) {
				t.Errorf("message %q hint %q; want %q and a hint with %q", e.Message, e.Hint, tc.msg, tc.hint)
			}
			if e.Procedure != "GET https://flyte.test/api/v1/tasks" || e.HTTPStatus != tc.resp.StatusCode || e.Protocol != errs.ProtocolREST {
				t.Errorf("procedure %q status %d protocol %v", e.Procedure, e.HTTPStatus, e.Protocol)
			}
			oe, _ := errors.AsType[*errs.OAuthError](err)
			if (oe == nil) != (tc.oauth == "") || (oe != nil && oe.ErrorCode != tc.oauth) {
				t.Errorf("OAuth cause %+v, want %q", oe, tc.oauth)
			}
			if tc.detail != "" && (len(e.Details) != 1 || e.Details[0].Type != tc.detail) {
				t.Errorf("details %+v, want %s", e.Details, tc.detail)
			}
			noSecrets(t, err, "pw", "token=abc", "frag")
		})
	}
}

func TestCodeFromHTTP(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := strconv.Atoi(r.Header.Get("X-Status"))
		w.WriteHeader(s)
	}))
	t.Cleanup(srv.Close)
	for status := 100; status < 600; status++ {
		got := errs.CodeFromHTTP(errs.ProtocolGRPC, status)
		if status < 400 {
			if got != errs.OK {
				t.Errorf("gRPC %d: %v, want ok", status, got)
			}
			continue
		}
		// connect-go's table, through a response it decodes itself.
		client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](
			&http.Client{Transport: statusSetter{status}}, srv.URL+"/s.v1.S/M", connect.WithGRPCWeb())
		_, err := client.CallUnary(t.Context(), connect.NewRequest(wrapperspb.String("")))
		if want := errs.Code(connect.CodeOf(err)); got != want {
			t.Errorf("gRPC %d: %v, connect-go says %v", status, got, want)
		}
	}
}

type statusSetter struct{ status int }

func (s statusSetter) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Status", strconv.Itoa(s.status))
	return http.DefaultTransport.RoundTrip(req)
}

func TestProtocolOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, url string
		kv          []string
		want        errs.Protocol
	}{
		{http.MethodPost, "http://h/s.v1.S/M", []string{"Content-Type", "application/grpc"}, errs.ProtocolGRPC},
		{http.MethodPost, "http://h/s.v1.S/M", []string{"Content-Type", "application/grpc+proto"}, errs.ProtocolGRPC},
		{http.MethodPost, "http://h/s.v1.S/M", []string{"Content-Type", "application/grpc-web+proto"}, errs.ProtocolGRPCWeb},
		{http.MethodPost, "http://h/s.v1.S/M", []string{"Content-Type", "application/grpc-web-text"}, errs.ProtocolGRPCWeb},
		{http.MethodPost, "http://h/s.v1.S/M", []string{"Content-Type", "application/connect+proto"}, errs.ProtocolConnect},
		{http.MethodPost, "http://h/s.v1.S/M", []string{"Content-Type", "application/proto", "Connect-Protocol-Version", "1"}, errs.ProtocolConnect},
		{http.MethodGet, "http://h/s.v1.S/M?encoding=proto&connect=v1&message=x", nil, errs.ProtocolConnect},
		{http.MethodGet, "http://h/s.v1.S/M?connect=v10", nil, errs.ProtocolREST},
		{http.MethodPost, "http://h/api/v1/x", []string{"Content-Type", "application/json"}, errs.ProtocolREST},
		{http.MethodPost, "http://h/api/v1/x", []string{"Content-Type", "application/grpcfoo"}, errs.ProtocolREST},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, tc.url, nil)
		for i := 0; i+1 < len(tc.kv); i += 2 {
			req.Header.Set(tc.kv[i], tc.kv[i+1])
		}
		if got := errs.ProtocolOf(req); got != tc.want {
			t.Errorf("%s %s %v: %v, want %v", tc.method, tc.url, tc.kv, got, tc.want)
		}
	}
	if errs.ProtocolOf(nil) != errs.ProtocolUnknown {
		t.Errorf("ProtocolOf(nil) is not unknown")
	}
}
