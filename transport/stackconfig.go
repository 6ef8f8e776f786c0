package transport

import (
	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/internal/stackconfig"
)

// stackConfig is a configuration parsed once per stack: [New], [Session] and
// [Base] parse it, and every layer they build receives the parsed values.
type stackConfig struct {
	cfg *config.Platform
	ep  config.Endpoint
}

// parseConfig parses cfg's endpoint, after validating the whole
// configuration when validate is set (New does; Base and Session check only
// what the transport uses).
func parseConfig(cfg *config.Platform, validate bool) (*stackConfig, error) {
	if cfg == nil {
		return nil, configError(nil, "nil configuration")
	}
	if validate {
		if err := cfg.Validate(); err != nil {
			return nil, configError(err, "")
		}
	}
	ep, err := config.ParseEndpoint(cfg.Endpoint, cfg.Insecure)
	if err != nil {
		return nil, configError(err, "")
	}
	return &stackConfig{cfg: cfg, ep: ep}, nil
}

// baseURL is the endpoint's base URL ("https://host:port").
func (c *stackConfig) baseURL() string { return c.ep.URL() }

// origins returns the endpoint's URL and each of extra (WithHosts entries),
// an entry without a scheme taking the endpoint's, so that a credential for
// an https endpoint never goes to http on the same host. A malformed entry is
// an InvalidArgument error.
func (c *stackConfig) origins(extra []string) ([]string, error) {
	hosts := make([]string, 0, len(extra)+1)
	hosts = append(hosts, c.ep.URL())
	for _, h := range extra {
		ep, err := config.ParseEndpoint(h, c.ep.Scheme == "http")
		if err != nil {
			return nil, configError(err, "invalid host in WithHosts")
		}
		hosts = append(hosts, ep.URL())
	}
	return hosts, nil
}

// authnOption hands the parsed endpoint to authn.New, which then neither
// validates nor parses the configuration again.
func (c *stackConfig) authnOption() authn.Option {
	return stackconfig.AuthnOption(c.ep).(authn.Option)
}
