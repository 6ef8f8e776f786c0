package config

import (
	"net"
	"net/url"
	"strings"
)

// Authority returns the endpoint's host and explicit port as a URL carries
// them ("flyte.example.com", "flyte:8089", "[::1]:8089"): what a request's
// URL.Host holds for a request built from [Endpoint.URL].
func (e Endpoint) Authority() string {
	host := e.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if e.Port != "" {
		host += ":" + e.Port
	}
	return host
}

// DefaultPort returns the port scheme implies: "80" for http, "443" for
// anything else.
func DefaultPort(scheme string) string {
	if scheme == "http" {
		return "80"
	}
	return "443"
}

// CanonicalHost returns host — a URL's Host: "name", "name:port",
// "[v6]" or "[v6]:port" — as lower-case host:port, with scheme's default
// port when host names none. It is the one form in which authwire compares
// hosts.
func CanonicalHost(host, scheme string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return strings.ToLower(host)
	}
	return strings.ToLower(net.JoinHostPort(strings.Trim(host, "[]"), DefaultPort(scheme)))
}

// IsLoopback reports whether host (a host name or IP literal, without port
// or brackets) names this machine: "localhost" or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Origins is a set of origins — a scheme and a canonical host:port — that a
// credential may be sent to: a request matches only when both its scheme and
// its host do, so a credential meant for https://flyte is not sent to
// http://flyte. Build it with [Origins.Add] before sharing it; Contains is
// then safe for concurrent use. The zero value is an empty set.
type Origins struct {
	set map[schemeHost]bool // both the host as written and its canonical form
}

type schemeHost struct{ scheme, host string }

// Add adds the origin of entry, any form [ParseEndpoint] accepts ("host",
// "host:port", "https://host:port", "dns:///host"); an entry without a
// scheme gets defaultScheme ("https" or "http").
func (o *Origins) Add(entry, defaultScheme string) error {
	ep, err := ParseEndpoint(entry, defaultScheme == "http")
	if err != nil {
		return err
	}
	o.AddEndpoint(ep)
	return nil
}

// AddEndpoint adds the origin of ep.
func (o *Origins) AddEndpoint(ep Endpoint) {
	if o.set == nil {
		o.set = map[schemeHost]bool{}
	}
	o.set[schemeHost{ep.Scheme, ep.Authority()}] = true
	o.set[schemeHost{ep.Scheme, CanonicalHost(ep.Authority(), ep.Scheme)}] = true
}

// Contains reports whether u's scheme and host are one of the set's
// origins. A URL built from an added endpoint matches without allocating.
func (o *Origins) Contains(u *url.URL) bool {
	if o.set[schemeHost{u.Scheme, u.Host}] {
		return true
	}
	return o.set != nil && o.set[schemeHost{u.Scheme, CanonicalHost(u.Host, u.Scheme)}]
}

// SameHost reports whether a redirect from "from" to "to" stays on the same
// host and does not downgrade: the same scheme and canonical host:port, or an
// upgrade from http to https on the same host name.
func SameHost(from, to *url.URL) bool {
	if from.Scheme == to.Scheme {
		return CanonicalHost(from.Host, from.Scheme) == CanonicalHost(to.Host, to.Scheme)
	}
	return from.Scheme == "http" && to.Scheme == "https" && strings.EqualFold(from.Hostname(), to.Hostname())
}
