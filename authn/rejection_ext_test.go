package authn_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/internal/wiretest"
)

var gz = wiretest.Gzip

// TestWireRejections pins how each protocol's "unauthenticated" is seen
// (see DESIGN.md, "What a RoundTripper can see"), and that everything else
// reaches the caller byte for byte.
func TestWireRejections(t *testing.T) {
	t.Parallel()
	grpc := func(kv ...string) http.Header {
		h := http.Header{"Content-Type": {"application/grpc+proto"}}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	web := http.Header{"Content-Type": {"application/grpc-web+proto"}}
	webGzip := http.Header{"Content-Type": {"application/grpc-web+proto"}, "Grpc-Encoding": {"gzip"}}
	cstream := http.Header{"Content-Type": {"application/connect+proto"}}
	cstreamGzip := http.Header{"Content-Type": {"application/connect+json"}, "Connect-Content-Encoding": {"gzip"}}
	data := frame(0, "message")
	unauthJSON := `{"error":{"code":"unauthenticated","message":"token expired"}}`

	for _, tc := range []struct {
		name    string
		first   func() *http.Response
		replays bool
	}{
		{"rest 401", func() *http.Response {
			return response(401, http.Header{"Content-Type": {"text/html"}}, []byte("<html>"), nil)
		}, true},
		{"connect unary 401", func() *http.Response { return response(401, nil, []byte(`{"code":"unauthenticated"}`), nil) }, true},
		{"grpc trailers-only 16", func() *http.Response { return response(200, grpc("Grpc-Status", "16"), nil, nil) }, true},
		{"grpc trailers-only 7", func() *http.Response { return response(200, grpc("Grpc-Status", "7"), nil, nil) }, false},
		{"grpc empty body, 16 in trailers", func() *http.Response { return response(200, grpc(), nil, http.Header{"Grpc-Status": {"16"}}) }, true},
		{"grpc empty body, 5 in trailers", func() *http.Response { return response(200, grpc(), nil, http.Header{"Grpc-Status": {"5"}}) }, false},
		{"grpc message", func() *http.Response { return response(200, grpc(), data, http.Header{"Grpc-Status": {"0"}}) }, false},
		{"grpc-web trailer frame 16", func() *http.Response {
			return response(200, web, frame(0x80, "grpc-status: 16\r\ngrpc-message: expired\r\n"), nil)
		}, true},
		{"grpc-web gzip trailer frame 16", func() *http.Response { return response(200, webGzip, frame(0x81, gz("grpc-status:16\r\n")), nil) }, true},
		{"grpc-web trailer frame 5", func() *http.Response { return response(200, web, frame(0x80, "grpc-status: 5\r\n"), nil) }, false},
		{"grpc-web message", func() *http.Response {
			return response(200, web, append(frame(0, "m"), frame(0x80, "grpc-status: 0\r\n")...), nil)
		}, false},
		{"connect stream end 16", func() *http.Response { return response(200, cstream, frame(0x02, unauthJSON), nil) }, true},
		{"connect stream gzip end 16", func() *http.Response { return response(200, cstreamGzip, frame(0x03, gz(unauthJSON)), nil) }, true},
		{"connect stream end not_found", func() *http.Response {
			return response(200, cstream, frame(0x02, `{"error":{"code":"not_found"}}`), nil)
		}, false},
		{"connect stream message", func() *http.Response { return response(200, cstream, append(frame(0, "m"), frame(0x02, "{}")...), nil) }, false},
		{"truncated frame header", func() *http.Response { return response(200, web, []byte{0, 0}, nil) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var firstBody []byte
			srv := newServer(func(_ bool, r *http.Request) *http.Response {
				if r.Header.Get("Authorization") == "Bearer tok-1" {
					resp := tc.first()
					firstBody, _ = io.ReadAll(resp.Body)
					resp.Body = io.NopCloser(bytes.NewReader(firstBody))
					return resp
				}
				return response(200, grpc(), frame(0, "fresh"), nil)
			})
			src := &tokens{}
			c := stack(t, nil, srv, authn.WithTokenSource(src))
			req, _ := post(t, api, "req", true)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			wantAttempts := int32(1)
			if tc.replays {
				wantAttempts = 2
			}
			if n := srv.attempts.Load(); n != wantAttempts {
				t.Fatalf("attempts = %d, want %d", n, wantAttempts)
			}
			if !tc.replays && !bytes.Equal(got, firstBody) {
				t.Fatalf("body changed on its way: got %q, want %q", got, firstBody)
			}
			if tc.replays && !bytes.Equal(got, frame(0, "fresh")) {
				t.Fatalf("replayed body = %q", got)
			}
		})
	}
}

// TestLateRejectionInvalidatesForNextCall covers streams that cannot be
// replayed: the rejection is seen only at the end of the body, and must make
// the next call use a fresh token.
func TestLateRejectionInvalidatesForNextCall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		resp func() *http.Response
	}{
		{"grpc trailers at EOF", func() *http.Response {
			return response(200, http.Header{"Content-Type": {"application/grpc"}}, nil, http.Header{"Grpc-Status": {"16"}})
		}},
		{"grpc-web trailer frame", func() *http.Response {
			return response(200, http.Header{"Content-Type": {"application/grpc-web+proto"}}, append(frame(0, "a"), frame(0x80, "grpc-status: 16\r\n")...), nil)
		}},
		{"connect end-stream", func() *http.Response {
			return response(200, http.Header{"Content-Type": {"application/connect+proto"}}, frame(0x02, `{"error":{"code":"unauthenticated"}}`), nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(func(_ bool, r *http.Request) *http.Response {
				if r.Header.Get("Authorization") == "Bearer tok-1" {
					return tc.resp()
				}
				return response(200, nil, nil, nil)
			})
			src := &tokens{}
			c := stack(t, nil, srv, authn.WithTokenSource(src))
			req, _ := post(t, api, "bidi", false)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			// Read in small pieces to exercise frame tracking across reads.
			buf := make([]byte, 3)
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					break
				}
			}
			resp.Body.Close()
			if srv.attempts.Load() != 1 {
				t.Fatalf("non-replayable request sent %d times", srv.attempts.Load())
			}
			req, _ = post(t, api, "next", true)
			resp, _ = c.Do(req)
			resp.Body.Close()
			if h := srv.headers(); h[1] != "Bearer tok-2" {
				t.Fatalf("next call used %q, want a fresh token", h[1])
			}
		})
	}
}
