package authtest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authtest"
)

var methods = []string{"unary", "server", "client", "bidi"}

// callAll calls the four TestService methods with header and returns what
// each answered, or the first error.
func callAll(ctx context.Context, client *authtest.TestClient, header http.Header) (map[string][]string, error) {
	got := make(map[string][]string)
	for _, m := range methods {
		values, err := callOne(ctx, client, m, header)
		if err != nil {
			return nil, err
		}
		got[m] = values
	}
	return got, nil
}

// callOne calls one TestService method with header: unary with "u", server
// stream with "s", client stream with a, b, c, bidi with x and y.
func callOne(ctx context.Context, client *authtest.TestClient, method string, header http.Header) ([]string, error) {
	addHeader := func(h http.Header) {
		for k, v := range header {
			h[k] = v
		}
	}
	switch method {
	case "unary":
		req := connect.NewRequest(wrapperspb.String("u"))
		addHeader(req.Header())
		res, err := client.Unary.CallUnary(ctx, req)
		if err != nil {
			return nil, err
		}
		return []string{res.Msg.GetValue()}, nil
	case "server":
		req := connect.NewRequest(wrapperspb.String("s"))
		addHeader(req.Header())
		ss, err := client.ServerStream.CallServerStream(ctx, req)
		if err != nil {
			return nil, err
		}
		var got []string
		for ss.Receive() {
			got = append(got, ss.Msg().GetValue())
		}
		return got, errors.Join(ss.Err(), ss.Close())
	case "client":
		cs := client.ClientStream.CallClientStream(ctx)
		addHeader(cs.RequestHeader())
		for _, v := range []string{"a", "b", "c"} {
			if err := cs.Send(wrapperspb.String(v)); err != nil {
				break // the error comes from CloseAndReceive
			}
		}
		res, err := cs.CloseAndReceive()
		if err != nil {
			return nil, err
		}
		return []string{res.Msg.GetValue()}, nil
	}
	bs := client.BidiStream.CallBidiStream(ctx)
	defer bs.CloseResponse()
	addHeader(bs.RequestHeader())
	var got []string
	for _, v := range []string{"x", "y"} {
		if err := bs.Send(wrapperspb.String(v)); err != nil {
			break // the error comes from Receive
		}
		msg, err := bs.Receive()
		if err != nil {
			bs.CloseRequest()
			return nil, err
		}
		got = append(got, msg.GetValue())
	}
	if err := bs.CloseRequest(); err != nil {
		return nil, err
	}
	if _, err := bs.Receive(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("bidi: extra message")
		}
		return nil, err
	}
	return got, nil
}

func TestServiceEveryProtocolAndTransport(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"unary":  {"u"},
		"server": {"s-0", "s-1", "s-2"},
		"client": {"a,b,c"},
		"bidi":   {"x", "y"},
	}
	eachTransportAndProtocol(t, nil, func(t *testing.T, srv *authtest.Server, protocol connect.ClientOption) {
		client := authtest.NewTestClient(srv.HTTPClient(), srv.URL()+"/", protocol)

		got, err := callAll(t.Context(), client, bearer(fetchToken(t, srv)))
		if err != nil {
			t.Fatalf("with a token: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("answers (-want +got):\n%s", diff)
		}

		for name, h := range map[string]http.Header{
			"no token":      nil,
			"unknown token": bearer("not-a-token"),
			"wrong scheme":  {"Authorization": {"Basic " + srv.IssueToken()}},
		} {
			for _, m := range methods {
				_, err := callOne(t.Context(), client, m, h)
				if code := connect.CodeOf(err); code != connect.CodeUnauthenticated {
					t.Errorf("%s, %s: code %v (error %v), want unauthenticated", name, m, code, err)
				}
			}
		}
		c := srv.Counters()
		if c.Attempts != 4+12 || c.Unauthenticated != 12 {
			t.Errorf("Attempts = %d, Unauthenticated = %d, want 16 and 12", c.Attempts, c.Unauthenticated)
		}
	})
}
