package config_test

import (
	"net/url"
	"testing"

	"github.com/authwire/authwire/config"
)

func TestCanonicalHost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ host, scheme, want string }{
		{"Flyte.Example.com", "https", "flyte.example.com:443"},
		{"flyte.example.com", "http", "flyte.example.com:80"},
		{"flyte:8089", "http", "flyte:8089"},
		{"[::1]", "https", "[::1]:443"},
		{"[::1]:8089", "https", "[::1]:8089"},
		{"127.0.0.1", "http", "127.0.0.1:80"},
	} {
		if got := config.CanonicalHost(tc.host, tc.scheme); got != tc.want {
			t.Errorf("CanonicalHost(%q, %q) = %q, want %q", tc.host, tc.scheme, got, tc.want)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true,
		"10.0.0.1": false, "localhost.example.com": false, "": false, "[::1]": false,
	} {
		if got := config.IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestOriginsMatchSchemeAndHost: an origin matches a URL only when the
// scheme and the canonical host:port both match.
func TestOriginsMatchSchemeAndHost(t *testing.T) {
	t.Parallel()
	var o config.Origins
	if err := o.Add("Flyte.Example.com", "https"); err != nil {
		t.Fatal(err)
	}
	if err := o.Add("http://data.example.com:8080", "https"); err != nil {
		t.Fatal(err)
	}
	if err := o.Add("https://h/path", "https"); err == nil {
		t.Fatal("an entry with a path was accepted")
	}
	for raw, want := range map[string]bool{
		"https://flyte.example.com/x":      true,
		"https://flyte.example.com:443/x":  true,
		"https://FLYTE.example.com/x":      true,
		"http://flyte.example.com/x":       false,
		"http://flyte.example.com:443/x":   false,
		"https://flyte.example.com:8443/x": false,
		"https://other.example.com/x":      false,
		"http://data.example.com:8080/x":   true,
		"https://data.example.com:8080/x":  false,
	} {
		u, _ := url.Parse(raw)
		if got := o.Contains(u); got != want {
			t.Errorf("Contains(%s) = %v, want %v", raw, got, want)
		}
	}
	var empty config.Origins
	if empty.Contains(&url.URL{Scheme: "https", Host: "x"}) {
		t.Error("the empty set matched")
	}
}

func TestSameHost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from, to string
		want     bool
	}{
		{"https://idp.example.com/token", "https://idp.example.com:443/v2/token", true},
		{"http://idp.example.com/token", "https://idp.example.com/token", true}, // upgrade
		{"https://idp.example.com/token", "http://idp.example.com/token", false},
		{"https://idp.example.com/token", "https://evil.example.net/token", false},
		{"https://idp.example.com/token", "https://idp.example.com:8443/token", false},
		{"http://idp.example.com/token", "https://evil.example.net/token", false},
	} {
		from, _ := url.Parse(tc.from)
		to, _ := url.Parse(tc.to)
		if got := config.SameHost(from, to); got != tc.want {
			t.Errorf("SameHost(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}
