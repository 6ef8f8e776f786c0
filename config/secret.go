package config

import (
	"os"
	"strings"
)

// Environment access, replaceable in tests.
var (
	lookupEnv = os.LookupEnv
	readFile  = os.ReadFile
)

// ResolveClientSecret returns the client secret with flytekit's precedence:
// the environment variable named by ClientSecretEnvVar, then the file at
// ClientSecretLocation (surrounding whitespace and newlines trimmed), then the
// literal ClientSecret. An unset or empty variable falls through; an
// unreadable file is a [*FieldError] that never includes the secret.
func (p *Platform) ResolveClientSecret() (string, error) {
	if p.ClientSecretEnvVar != "" {
		if v, ok := lookupEnv(p.ClientSecretEnvVar); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v), nil
		}
	}
	if p.ClientSecretLocation != "" {
		b, err := readFile(p.ClientSecretLocation)
		if err != nil {
			return "", &FieldError{Key: "clientSecretLocation", Value: p.ClientSecretLocation, Reason: "cannot read secret file", Err: err}
		}
		if s := strings.TrimSpace(string(b)); s != "" {
			return s, nil
		}
		return "", &FieldError{Key: "clientSecretLocation", Value: p.ClientSecretLocation, Reason: "secret file is empty"}
	}
	return p.ClientSecret, nil
}

// HasClientSecret reports whether any source of a client secret is set.
func (p *Platform) HasClientSecret() bool {
	return p.ClientSecret != "" || p.ClientSecretLocation != "" || p.ClientSecretEnvVar != ""
}
