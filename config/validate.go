package config

import (
	"errors"
	"strings"
	"time"
)

// Validate reports the settings that cannot work together, as a [*FieldError]
// (several are joined with [errors.Join], always in the same order: endpoint,
// transport security, auth, commands, durations). It reads no files and
// touches no network: the stack calls it at construction, so mistakes surface
// there and not at the first call. [Load] and [Discover] call it too, after
// the per-value checks they do themselves.
func (p *Platform) Validate() error {
	var errs []error
	add := func(key, value, reason string) {
		errs = append(errs, &FieldError{Key: key, Value: value, Reason: reason})
	}
	if _, err := ParseEndpoint(p.Endpoint, p.Insecure); err != nil {
		errs = append(errs, err)
	}
	if p.Insecure && p.CACertFilePath != "" {
		add("caCertFilePath", p.CACertFilePath, "has no effect with insecure: true (cleartext); remove one of them")
	}
	if p.Insecure && p.InsecureSkipVerify {
		add("insecureSkipVerify", "", "has no effect with insecure: true (cleartext); remove one of them")
	}
	switch p.AuthType {
	case AuthClientSecret:
		if p.ClientID == "" {
			add("clientId", "", "is required for authType ClientSecret")
		}
		if !p.HasClientSecret() {
			add("clientSecret", "", "is required for authType ClientSecret (set clientSecretLocation, clientSecretEnvVar or clientSecret)")
		}
	case AuthExternalCommand:
		if len(p.Command) == 0 || p.Command[0] == "" {
			add("command", "", "is required for authType ExternalCommand (an argv list, run without a shell)")
		}
	case AuthUnset, AuthNone, AuthPKCE, AuthDeviceFlow, AuthPassthrough:
	default:
		add("authType", p.AuthType.String(), "unknown value")
	}
	if !validMetadataAPI(p.AuthMetadataAPI) {
		add("authMetadataApi", p.AuthMetadataAPI, "unknown value (want one of auto, v1, v2)")
	}
	if p.DisableKeyring && strings.EqualFold(p.TokenCache, "keyring") {
		add("tokenCache", p.TokenCache, "contradicts disableKeyring: true; remove one of them")
	}
	if len(p.ProxyCommand) > 0 && p.ProxyCommand[0] == "" {
		add("proxyCommand", "", "has an empty program name")
	}
	if len(p.Command) > 0 && p.Command[0] == "" {
		add("command", "", "has an empty program name")
	}
	for _, d := range []struct {
		key string
		d   time.Duration
	}{
		{"perRetryTimeout", p.PerRetryTimeout},
		{"maxBackoffDelay", p.MaxBackoffDelay},
		{"tokenRefreshWindow", p.TokenRefreshWindow},
		{"pkceConfig.timeout", p.PKCE.Timeout},
		{"pkceConfig.refreshTime", p.PKCE.RefreshTime},
		{"deviceFlowConfig.timeout", p.DeviceFlow.Timeout},
		{"deviceFlowConfig.refreshTime", p.DeviceFlow.RefreshTime},
		{"deviceFlowConfig.pollInterval", p.DeviceFlow.PollInterval},
	} {
		if d.d < 0 {
			add(d.key, d.d.String(), "must not be negative")
		}
	}
	return errors.Join(errs...)
}

// validMetadataAPI reports whether s names a generation of the
// AuthMetadataService: "", "auto", "v1" or "v2".
func validMetadataAPI(s string) bool {
	switch s {
	case "", "auto", "v1", "v2":
		return true
	}
	return false
}
