package authn_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/authwire/authwire/authn"
)

// TestNoTokenOnCrossHostRedirect: http.Client follows the redirect through
// the same layer, which must not attach the token for the other host.
func TestNoTokenOnCrossHostRedirect(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]string{}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen[r.URL.Host] = r.Header.Get("Authorization")
		mu.Unlock()
		if r.URL.Host == "api.example.com" {
			return response(http.StatusFound, http.Header{"Location": {"https://elsewhere.example.net/landing"}}, nil, nil), nil
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
	if seen["api.example.com"] != "Bearer tok" {
		t.Fatalf("endpoint got %q", seen["api.example.com"])
	}
	if got, ok := seen["elsewhere.example.net"]; !ok || got != "" {
		t.Fatalf("redirect target got authorization %q (reached: %v)", got, ok)
	}
}
