package suite

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/proxyauth"
	"github.com/authwire/authwire/transport"
)

// stubBaseURL is where client-only calls go; nothing listens there, the
// stub answers every request.
const stubBaseURL = "https://flyte.example.com"

// Stub is the next hop of the client-only benchmark: it answers every
// request at once with a fresh copy of one canned success of the request's
// protocol, so what it costs is the same under every client.
type Stub struct {
	protocol Protocol
	body     []byte
}

// NewStub returns a stub answering calls of protocol p with a payload of
// size bytes.
func NewStub(p Protocol, size int) *Stub {
	payload := make([]byte, size)
	rand.Read(payload)
	msg, _ := proto.Marshal(wrapperspb.Bytes(payload))
	s := &Stub{protocol: p}
	switch p {
	case GRPC, GRPCWeb:
		s.body = binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg)))
		s.body = append(s.body, msg...)
		if p == GRPCWeb {
			trailer := []byte("grpc-status: 0\r\n")
			s.body = append(s.body, 0x80)
			s.body = binary.BigEndian.AppendUint32(s.body, uint32(len(trailer)))
			s.body = append(s.body, trailer...)
		}
	case REST:
		s.body = payload
	default:
		s.body = msg
	}
	return s
}

// RoundTrip reads and closes the request body and answers.
func (s *Stub) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	resp := &http.Response{
		Status:     "200 OK",
		StatusCode: http.StatusOK,
		Proto:      "HTTP/2.0", ProtoMajor: 2,
		Header:        http.Header{"Content-Type": {s.contentType()}},
		Body:          io.NopCloser(bytes.NewReader(s.body)),
		ContentLength: int64(len(s.body)),
		Request:       req,
	}
	if s.protocol == GRPC {
		resp.Trailer = http.Header{"Grpc-Status": {"0"}}
	}
	return resp, nil
}

func (s *Stub) contentType() string {
	switch s.protocol {
	case GRPC:
		return "application/grpc"
	case GRPCWeb:
		return "application/grpc-web+proto"
	case REST:
		return "application/octet-stream"
	}
	return "application/proto"
}

// StubStack is the whole authwire stack over next, with a bearer token and
// a proxy token that are cached after the first call (static sources stand
// in for the flows: the stub cannot answer a token request).
func StubStack(ctx context.Context, next http.RoundTripper) (http.RoundTripper, error) {
	tok := &oauth2.Token{AccessToken: rand.Text() + rand.Text(), TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
	proxyTok := rand.Text() + rand.Text()
	return transport.New(ctx, &config.Platform{Endpoint: "flyte.example.com", AuthType: config.AuthPKCE},
		transport.WithBaseTransport(next),
		transport.WithConfigStore(authn.StaticConfigStore(authn.ClientConfig{AuthorizationMetadataKey: "authorization"})),
		transport.WithTokenSource(authn.TokenSourceFunc(func(context.Context) (*oauth2.Token, error) { return tok, nil })),
		transport.WithProxyTokenSource(proxyauth.TokenSourceFunc(func(context.Context) (string, time.Time, error) {
			return proxyTok, time.Now().Add(time.Hour), nil
		})),
	)
}

// ClientOnly returns the Caller of client c for protocol p over a stub next
// hop (bare, ideal, authwire and oauth2 only): a call's CPU and allocations on the
// client side alone, without any network.
func ClientOnly(ctx context.Context, c Client, p Protocol, size int) (Caller, error) {
	stub := NewStub(p, size)
	var rt http.RoundTripper = stub
	switch c {
	case Bare:
	case Authwire:
		var err error
		if rt, err = StubStack(ctx, stub); err != nil {
			return nil, err
		}
	case Ideal:
		h, err := stubStackHeaders(ctx, stub)
		if err != nil {
			return nil, err
		}
		rt = &IdealTransport{Next: stub, bearer: h[bearerHeader], proxy: h[proxyHeader]}
	case OAuth2:
		tok := &oauth2.Token{AccessToken: rand.Text() + rand.Text(), TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
		rt = &oauth2.Transport{Source: oauth2.ReuseTokenSource(tok, oauth2.StaticTokenSource(tok)), Base: stub}
	default:
		return nil, fmt.Errorf("suite: no client-only form of %s", c)
	}
	payload := make([]byte, size)
	var caller Caller
	hc := &http.Client{Transport: rt}
	if p == REST {
		caller = &restCaller{client: hc, url: stubBaseURL + "/api/v1/echo", payload: payload}
	} else {
		caller = &connectCaller{
			client: connect.NewClient[wrapperspb.BytesValue, wrapperspb.BytesValue](hc, stubBaseURL+"/authwire.bench.v1.BenchService/Unary", protocolOptions(p)...),
			msg:    wrapperspb.Bytes(payload),
			http:   hc,
		}
	}
	if err := caller.Call(ctx); err != nil {
		return nil, err
	}
	return caller, nil
}

// stubStackHeaders returns the bearer and proxy headers [StubStack] sends
// over stub, from one call through it.
func stubStackHeaders(ctx context.Context, stub *Stub) (http.Header, error) {
	rec := &recordingHop{next: stub, path: "/api/v1/echo"}
	stack, err := StubStack(ctx, rec)
	if err != nil {
		return nil, err
	}
	req, err := NewStub(REST, 16).Request(ctx)
	if err != nil {
		return nil, err
	}
	if err := RoundTrip(stack, req); err != nil {
		return nil, err
	}
	return rec.headers()
}

// Request returns a request of the stub's protocol, as connect-go or a REST
// client would send it (GetBody set).
func (s *Stub) Request(ctx context.Context) (*http.Request, error) {
	url := stubBaseURL + "/authwire.bench.v1.BenchService/Unary"
	if s.protocol == REST {
		url = stubBaseURL + "/api/v1/echo"
	}
	body := s.body
	if s.protocol == GRPCWeb {
		body = body[:len(body)-5-len("grpc-status: 0\r\n")]
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header["Content-Type"] = []string{s.contentType()}
	return req, nil
}

// RoundTrip sends req through rt and reads the answer to its end with a
// buffer of its own (no sync.Pool, whose random drops under the race
// detector would blur allocation counts).
func RoundTrip(rt http.RoundTripper, req *http.Request) error {
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var buf [512]byte
	for {
		_, err := resp.Body.Read(buf[:])
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("suite: status %d", resp.StatusCode)
	}
	return nil
}

// Layers returns the layers of rt from the outside in, following Unwrap
// down to the first RoundTripper that has none (the base).
func Layers(rt http.RoundTripper) []http.RoundTripper {
	layers := []http.RoundTripper{rt}
	for {
		u, ok := rt.(interface{ Unwrap() http.RoundTripper })
		if !ok {
			return layers
		}
		rt = u.Unwrap()
		layers = append(layers, rt)
	}
}
