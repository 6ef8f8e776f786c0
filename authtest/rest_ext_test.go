package authtest_test

import (
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/authtest"
)

func postEcho(t *testing.T, srv *authtest.Server, body string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+"/api/v1/echo", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestRESTEcho(t *testing.T) {
	t.Parallel()
	eachTransport(t, nil, func(t *testing.T, srv *authtest.Server) {
		tok := fetchToken(t, srv)

		res := get(t, srv, srv.URL()+"/api/v1/echo?msg=hello%20there", bearer(tok))
		if body := readBody(t, res); res.StatusCode != 200 || body != `{"msg":"hello there"}` {
			t.Errorf("GET: %d %s", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("GET Content-Type = %q", ct)
		}
		res = postEcho(t, srv, `{"a":[1,2],"b":"c"}`, bearer(tok))
		if body := readBody(t, res); res.StatusCode != 200 || body != `{"a":[1,2],"b":"c"}` {
			t.Errorf("POST: %d %s", res.StatusCode, body)
		}
		res = postEcho(t, srv, `{not json`, bearer(tok))
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("POST garbage: %d", res.StatusCode)
		}

		for name, h := range map[string]http.Header{"no token": nil, "bad token": bearer("bad")} {
			res := get(t, srv, srv.URL()+"/api/v1/echo?msg=x", h)
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: status %d", name, res.StatusCode)
			}
			if got := res.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Errorf("%s: WWW-Authenticate = %q", name, got)
			}
			var e struct{ Code, Message string }
			decodeJSON(t, res.Body, &e)
			if e.Code != "unauthenticated" || e.Message == "" {
				t.Errorf("%s: body %+v", name, e)
			}
		}
		if c := srv.Counters(); c.Attempts != 5 || c.Unauthenticated != 2 {
			t.Errorf("Attempts = %d, Unauthenticated = %d, want 5 and 2", c.Attempts, c.Unauthenticated)
		}
	})
}

func TestRESTFailNextStatus(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithH2C())
	tok := srv.IssueToken()
	for code, status := range map[connect.Code]int{
		connect.CodeUnavailable:       503,
		connect.CodeNotFound:          404,
		connect.CodeResourceExhausted: 429,
		connect.CodePermissionDenied:  403,
		connect.CodeInternal:          500,
		connect.CodeInvalidArgument:   400,
		connect.CodeAlreadyExists:     409,
		connect.CodeDeadlineExceeded:  504,
		connect.CodeUnimplemented:     501,
		connect.CodeCanceled:          499,
		connect.CodeUnauthenticated:   401,
	} {
		srv.FailNext(1, code)
		res := get(t, srv, srv.URL()+"/api/v1/echo?msg=x", bearer(tok))
		if res.StatusCode != status {
			t.Errorf("%v: status %d, want %d", code, res.StatusCode, status)
		}
		var e struct{ Code string }
		decodeJSON(t, res.Body, &e)
		if e.Code != code.String() {
			t.Errorf("%v: body code %q", code, e.Code)
		}
	}
	if res := get(t, srv, srv.URL()+"/api/v1/echo?msg=x", bearer(tok)); res.StatusCode != 200 {
		t.Errorf("after the failures: %d", res.StatusCode)
	}
}
