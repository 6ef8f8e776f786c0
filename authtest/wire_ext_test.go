package authtest_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/authwire/authwire/authtest"
)

// rawCall posts body to procedure with the given content type and no token,
// reads the whole answer and returns it with the body.
func rawCall(t *testing.T, srv *authtest.Server, procedure, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+procedure, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if strings.HasPrefix(contentType, "application/grpc") {
		req.Header.Set("TE", "trailers")
	}
	res, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", procedure, err)
	}
	defer res.Body.Close()
	got := []byte(readBody(t, res)) // trailers are only complete after EOF
	return res, got
}

// TestUnauthenticatedWireShapes checks, on the raw responses, that each
// protocol reports a missing token the way connect-go does by default.
func TestUnauthenticatedWireShapes(t *testing.T) {
	t.Parallel()
	eachTransport(t, nil, func(t *testing.T, srv *authtest.Server) {

		t.Run("connect unary: HTTP 401 with a JSON error", func(t *testing.T) {
			res, body := rawCall(t, srv, authtest.TestServiceUnaryProcedure, "application/json", []byte(`"hi"`))
			if res.StatusCode != http.StatusUnauthorized || res.Header.Get("Content-Type") != "application/json" {
				t.Errorf("status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
			var e struct{ Code string }
			if err := json.Unmarshal(body, &e); err != nil || e.Code != "unauthenticated" {
				t.Errorf("body %s (%v)", body, err)
			}
		})

		t.Run("connect stream: HTTP 200 with an end-of-stream error", func(t *testing.T) {
			res, body := rawCall(t, srv, authtest.TestServiceServerStreamProcedure, "application/connect+json",
				envelope(0, []byte(`"hi"`)))
			if res.StatusCode != http.StatusOK {
				t.Errorf("status %d", res.StatusCode)
			}
			if len(body) < 5 || body[0] != 0x02 || int(binary.BigEndian.Uint32(body[1:5])) != len(body)-5 {
				t.Fatalf("body is not one end-of-stream frame: %q", body)
			}
			var end struct{ Error struct{ Code string } }
			if err := json.Unmarshal(body[5:], &end); err != nil || end.Error.Code != "unauthenticated" {
				t.Errorf("end of stream %s (%v)", body[5:], err)
			}
		})

		for _, proc := range []string{authtest.TestServiceUnaryProcedure, authtest.TestServiceBidiStreamProcedure} {
			t.Run("grpc: status 16 in the trailers only"+proc, func(t *testing.T) {
				res, body := rawCall(t, srv, proc, "application/grpc", protoFrame(t, "hi"))
				if res.StatusCode != http.StatusOK || len(body) != 0 {
					t.Errorf("status %d, body %q", res.StatusCode, body)
				}
				if got := res.Header.Get("Grpc-Status"); got != "" {
					t.Errorf("grpc-status in the headers: %q", got)
				}
				if got := res.Trailer.Get("Grpc-Status"); got != "16" {
					t.Errorf("trailer grpc-status = %q, want 16", got)
				}
			})
		}

		t.Run("grpc-web: trailers-only in the headers", func(t *testing.T) {
			res, body := rawCall(t, srv, authtest.TestServiceUnaryProcedure, "application/grpc-web+proto", protoFrame(t, "hi"))
			if res.StatusCode != http.StatusOK || len(body) != 0 {
				t.Errorf("status %d, body %q", res.StatusCode, body)
			}
			if got := res.Header.Get("Grpc-Status"); got != "16" {
				t.Errorf("header grpc-status = %q, want 16", got)
			}
		})
	})
}

func TestTrailersOnlyOption(t *testing.T) {
	t.Parallel()
	eachTransport(t, []authtest.Option{authtest.WithTrailersOnly()}, func(t *testing.T, srv *authtest.Server) {
		for _, ct := range []string{"application/grpc", "application/grpc+proto", "application/grpc-web+proto"} {
			for _, proc := range []string{authtest.TestServiceUnaryProcedure, authtest.TestServiceServerStreamProcedure} {
				res, body := rawCall(t, srv, proc, ct, protoFrame(t, "hi"))
				if res.StatusCode != http.StatusOK || len(body) != 0 {
					t.Errorf("%s %s: status %d, body %q", ct, proc, res.StatusCode, body)
				}
				if got := res.Header.Get("Grpc-Status"); got != "16" {
					t.Errorf("%s %s: header grpc-status = %q, want 16", ct, proc, got)
				}
				if res.Header.Get("Grpc-Message") == "" {
					t.Errorf("%s %s: no grpc-message", ct, proc)
				}
				if got := res.Header.Get("Content-Type"); got != ct {
					t.Errorf("%s %s: Content-Type %q", ct, proc, got)
				}
				if len(res.Trailer) != 0 {
					t.Errorf("%s %s: trailers %v", ct, proc, res.Trailer)
				}
			}
		}
		// Connect keeps its own shape.
		res, _ := rawCall(t, srv, authtest.TestServiceUnaryProcedure, "application/json", []byte(`"hi"`))
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("connect unary: status %d", res.StatusCode)
		}
		// Every rejected call counts once.
		if c := srv.Counters(); c.Attempts != 7 || c.Unauthenticated != 7 {
			t.Errorf("Attempts = %d, Unauthenticated = %d, want 7 and 7", c.Attempts, c.Unauthenticated)
		}
	})
}
