package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/authwire/authwire/config"
)

func TestParseEndpointForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw      string
		insecure bool
		url      string
		hostPort string
	}{
		{"dns:///flyte.example.com:443", false, "https://flyte.example.com:443", "flyte.example.com:443"},
		{"flyte.example.com:8089", false, "https://flyte.example.com:8089", "flyte.example.com:8089"},
		{"flyte.example.com", false, "https://flyte.example.com", "flyte.example.com:443"},
		{"flyte.example.com", true, "http://flyte.example.com", "flyte.example.com:80"},
		{"localhost:30080", true, "http://localhost:30080", "localhost:30080"},
		{"https://flyte.example.com", true, "https://flyte.example.com", "flyte.example.com:443"},
		{"http://flyte.example.com/", false, "http://flyte.example.com", "flyte.example.com:80"},
		{"  HTTPS://Flyte.Example.com  ", false, "https://Flyte.Example.com", "Flyte.Example.com:443"},
		{"[::1]:8089", true, "http://[::1]:8089", "[::1]:8089"},
		{"dns:///[2001:db8::1]", false, "https://[2001:db8::1]", "[2001:db8::1]:443"},
	} {
		e, err := config.ParseEndpoint(tc.raw, tc.insecure)
		if err != nil {
			t.Errorf("ParseEndpoint(%q, %v): %v", tc.raw, tc.insecure, err)
			continue
		}
		if e.URL() != tc.url || e.HostPort() != tc.hostPort {
			t.Errorf("ParseEndpoint(%q, %v) = %s, %s; want %s, %s", tc.raw, tc.insecure, e.URL(), e.HostPort(), tc.url, tc.hostPort)
		}
	}
}

func TestParseEndpointRejects(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"", "   ", "ftp://h", "https://h/path", "https://user:pw@h", "h?x=1", "https://", "h:", "[::1", "dns:///",
	} {
		_, err := config.ParseEndpoint(raw, false)
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Key != "endpoint" || !errors.Is(err, config.ErrInvalid) {
			t.Errorf("ParseEndpoint(%q) = %v, want a FieldError for endpoint", raw, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("ParseEndpoint(%q) echoes user info: %v", raw, err)
		}
	}
}
