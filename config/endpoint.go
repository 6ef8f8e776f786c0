package config

import (
	"cmp"
	"errors"
	"net"
	"net/url"
	"strings"
)

// Endpoint is a parsed [Platform.Endpoint].
type Endpoint struct {
	// Scheme is "https" or "http".
	Scheme string
	// Host is the host, without brackets for IPv6 literals.
	Host string
	// Port is the explicit port, or "" for the scheme's default.
	Port string
}

// ParseEndpoint parses the endpoint forms flytectl and flytekit accept:
// "dns:///host:port", "host:port", "host", "https://host[:port]",
// "http://host[:port]" and bracketed IPv6 literals ("[::1]:8089"). Without a
// scheme, the scheme is "http" when insecure is true and "https" otherwise.
// An explicit "http://" or "https://" wins over insecure. Paths, queries and
// user info are rejected: they would be silently ignored otherwise.
func ParseEndpoint(raw string, insecure bool) (Endpoint, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Endpoint{}, &FieldError{Key: "endpoint", Reason: "is empty"}
	}
	s = strings.TrimPrefix(s, "dns:///")
	scheme := "https"
	if insecure {
		scheme = "http"
	}
	if i := strings.Index(s, "://"); i >= 0 {
		scheme = strings.ToLower(s[:i])
		if scheme != "http" && scheme != "https" {
			return Endpoint{}, &FieldError{Key: "endpoint", Value: raw, Reason: "unsupported scheme (want https, http or dns)"}
		}
		s = s[i+3:]
	}
	u, err := url.Parse(scheme + "://" + s)
	if err != nil {
		return Endpoint{}, &FieldError{Key: "endpoint", Value: raw, Reason: "malformed", Err: unwrapURLError(err)}
	}
	if u.User != nil || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return Endpoint{}, &FieldError{Key: "endpoint", Value: redactEndpoint(u), Reason: "must be a host and optional port, without path, query or user info"}
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return Endpoint{}, &FieldError{Key: "endpoint", Value: raw, Reason: "has no host"}
	}
	if strings.HasSuffix(u.Host, ":") {
		return Endpoint{}, &FieldError{Key: "endpoint", Value: raw, Reason: "has an empty port"}
	}
	return Endpoint{Scheme: scheme, Host: host, Port: port}, nil
}

// HostPort returns host:port with the scheme's default port filled in, the
// form used to dial. Host checks compare [CanonicalHost] forms.
func (e Endpoint) HostPort() string {
	return net.JoinHostPort(e.Host, cmp.Or(e.Port, DefaultPort(e.Scheme)))
}

// URL returns the base URL ("https://host:port" or "https://host"), the form
// connect clients take as their base URL and REST clients prefix to paths.
func (e Endpoint) URL() string {
	return e.Scheme + "://" + e.Authority()
}

// BaseURL parses p.Endpoint (see [ParseEndpoint]) and returns its base URL.
func (p *Platform) BaseURL() (string, error) {
	e, err := ParseEndpoint(p.Endpoint, p.Insecure)
	if err != nil {
		return "", err
	}
	return e.URL(), nil
}

func unwrapURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

func redactEndpoint(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	return c.Redacted()
}
