package authn_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/authwire/authwire/authn"
)

// TestNoTokenOnRedirectElsewhere: http.Client follows a redirect through
// the same layer, which must not attach the token for another host, nor for
// the same host over cleartext: the token's origin is the endpoint's scheme
// and host.
func TestNoTokenOnRedirectElsewhere(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"https://elsewhere.example.net/landing", "http://api.example.com/landing"} {
		t.Run(target, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			seen := map[string]string{}
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				mu.Lock()
				seen[r.URL.String()] = r.Header.Get("Authorization")
				mu.Unlock()
				if r.URL.String() == api {
					return response(http.StatusFound, http.Header{"Location": {target}}, nil, nil), nil
				}
				return response(200, nil, nil, nil), nil
			})
			c := stack(t, nil, rt, authn.WithTokenSource(authn.StaticToken("tok")))
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, api, nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if seen[api] != "Bearer tok" {
				t.Fatalf("endpoint got %q", seen[api])
			}
			if got, ok := seen[target]; !ok || got != "" {
				t.Fatalf("redirect target got authorization %q (reached: %v)", got, ok)
			}
		})
	}
}
