package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/authwire/authwire/config"
)

// loaded is a configuration as the commands use it.
type loaded struct {
	cfg *config.Platform
	// path is the file read, "" when the environment alone configured it.
	path string
	// warnings are settings accepted but probably not meant (typos).
	warnings []string
	// secretSource says where the client secret comes from, for advice;
	// "" when no secret is configured.
	secretSource string
}

// loadConfig finds and loads the configuration: --config, else the
// discovery order of flytectl and flytekit, with the FLYTE_* variables of
// c.env on top. The error is a one-line *config.FieldError, or a
// joined list of them.
func (c *cli) loadConfig() (*loaded, error) {
	l := &loaded{}
	opts := []config.LoadOption{
		config.WithLookupEnv(c.env),
		config.WithHomeDir(c.homeDir()),
		config.WithWarnings(func(w config.Warning) { l.warnings = append(l.warnings, w.String()) }),
	}
	if c.configPath != "" {
		opts = append(opts, config.WithPath(c.configPath))
	}
	cfg, path, err := config.Discover(opts...)
	l.path = path
	if err != nil {
		return l, err
	}
	l.cfg = cfg
	if err := l.resolveSecretEnv(c.env); err != nil {
		return l, err
	}
	return l, nil
}

// homeDir is the directory discovery looks in for ~/.flyte, from the
// environment given to run, so that tests control it.
func (c *cli) homeDir() string {
	name := "HOME"
	if runtime.GOOS == "windows" {
		name = "USERPROFILE"
	}
	home, _ := c.env(name)
	return home
}

// resolveSecretEnv reads the variable named by clientSecretEnvVar from env
// (the environment given to run) and puts its value in place of the other
// secret sources, which it wins over, so the stack never reads the process
// environment behind env's back. It also records where the secret comes
// from.
func (l *loaded) resolveSecretEnv(env func(string) (string, bool)) error {
	p := l.cfg
	if name := p.ClientSecretEnvVar; name != "" {
		p.ClientSecretEnvVar = ""
		if v, ok := env(name); ok && strings.TrimSpace(v) != "" {
			p.ClientSecret, p.ClientSecretLocation = strings.TrimSpace(v), ""
			l.secretSource = "the variable " + name + " (clientSecretEnvVar)"
			return nil
		}
		if p.AuthType == config.AuthClientSecret && !p.HasClientSecret() {
			return &config.FieldError{Key: "clientSecretEnvVar", Value: name, Reason: "names a variable that is not set, and no clientSecretLocation or clientSecret is configured"}
		}
	}
	switch {
	case p.ClientSecretLocation != "":
		l.secretSource = "the file " + p.ClientSecretLocation + " (clientSecretLocation)"
	case p.ClientSecret != "":
		l.secretSource = "clientSecret"
	}
	return nil
}

// describe summarises the configuration in one line, without secrets.
func (l *loaded) describe() string {
	p := l.cfg
	var b strings.Builder
	if l.path != "" {
		b.WriteString(l.path)
	} else {
		b.WriteString("no config file, FLYTE_* variables")
	}
	fmt.Fprintf(&b, ": endpoint %s", strings.TrimPrefix(p.Endpoint, "dns:///"))
	ep, _ := config.ParseEndpoint(p.Endpoint, p.Insecure)
	switch {
	case ep.Scheme == "http" && p.Insecure:
		b.WriteString(" (insecure: cleartext h2c)")
	case ep.Scheme == "http":
		b.WriteString(" (cleartext HTTP/1.1)")
	case p.InsecureSkipVerify:
		b.WriteString(" (TLS, insecureSkipVerify)")
	case p.CACertFilePath != "":
		b.WriteString(" (TLS, caCertFilePath)")
	default:
		b.WriteString(" (TLS)")
	}
	if p.AuthType == config.AuthUnset {
		b.WriteString(", authType not set")
	} else {
		fmt.Fprintf(&b, ", authType %s", p.AuthType)
	}
	if p.ClientID != "" {
		fmt.Fprintf(&b, ", clientId %q", p.ClientID)
	}
	if p.Org != "" {
		fmt.Fprintf(&b, ", org %q", p.Org)
	}
	if len(p.ProxyCommand) > 0 {
		b.WriteString(", proxyCommand set")
	}
	return b.String()
}

// configHint is the advice for a configuration that could not be loaded.
func configHint(l *loaded) string {
	if l.path == "" {
		return "pass --config PATH, set FLYTECTL_CONFIG, create ~/.flyte/config.yaml, or set FLYTE_API_KEY, or FLYTE_ADMIN_ENDPOINT (FLYTE_PLATFORM_URL)"
	}
	return "fix the setting named above in " + l.path
}
