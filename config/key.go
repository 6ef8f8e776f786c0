package config

import (
	"strings"
)

// kind says how a key's text is parsed.
type kind int

const (
	kindString     kind = iota
	kindEndpoint        // a string checked with ParseEndpoint, "dns:///" stripped
	kindProxyURL        // an http(s) or socks5 URL; never echoed (it may hold credentials)
	kindSecret          // a string never echoed in errors or warnings
	kindBool            // YAML booleans and true/false/1/0/yes/no/on/off
	kindInt             // a decimal integer
	kindDuration        // Go syntax ("30s", "2m"); a bare number other than 0 is rejected
	kindList            // a YAML sequence, or comma-separated text
	kindArgv            // a YAML sequence; text is split on commas (INI, env) or whitespace (YAML)
	kindAuthType        // ParseAuthType
	kindTokenCache      // auto, keyring, file or memory
	kindAPIGen          // auto, v1 or v2
)

// key is one setting of [Platform] and the names it has in each source.
type key struct {
	name string // the name Validate and hand-built configs use: "authType", "pkceConfig.timeout"
	yaml string // the flytectl YAML path: "admin.authType"; "" when YAML has no such key
	ini  string // the flytekit INI "section.option": "credentials.auth_mode"; "" when none
	kind kind
	ptr  func(*Platform) any // the field the value goes to
}

// env returns the flytekit environment variable of the key, derived from its
// INI name as flytekit does (FLYTE_<SECTION>_<OPTION>), or "" when it has none.
func (k *key) env() string {
	if k.ini == "" {
		return ""
	}
	return "FLYTE_" + strings.ToUpper(strings.ReplaceAll(k.ini, ".", "_"))
}

// sdkEnv returns the flyte-sdk environment variable of the key, derived from
// its YAML path as flyte-sdk does (FLYTE_ + the path upper-cased, dots as
// underscores: FLYTE_ADMIN_CACERTFILEPATH), or "" when it has no YAML path.
func (k *key) sdkEnv() string {
	if k.yaml == "" {
		return ""
	}
	return "FLYTE_" + strings.ToUpper(strings.ReplaceAll(k.yaml, ".", "_"))
}

// envName is the variable errors name when nothing set the key: flytekit's
// when it has one, else flyte-sdk's.
func (k *key) envName() string {
	if e := k.env(); e != "" {
		return e
	}
	return k.sdkEnv()
}

// keys lists every setting, in the order the documentation presents them.
var keys = []*key{
	{"endpoint", "admin.endpoint", "platform.url", kindEndpoint, func(p *Platform) any { return &p.Endpoint }},
	{"insecure", "admin.insecure", "platform.insecure", kindBool, func(p *Platform) any { return &p.Insecure }},
	{"insecureSkipVerify", "admin.insecureSkipVerify", "platform.insecure_skip_verify", kindBool, func(p *Platform) any { return &p.InsecureSkipVerify }},
	{"caCertFilePath", "admin.caCertFilePath", "platform.ca_cert_file_path", kindString, func(p *Platform) any { return &p.CACertFilePath }},
	{"httpProxyURL", "admin.httpProxyURL", "platform.http_proxy_url", kindProxyURL, func(p *Platform) any { return &p.HTTPProxyURL }},
	{"consoleEndpoint", "console.endpoint", "platform.console_endpoint", kindString, func(p *Platform) any { return &p.ConsoleEndpoint }},
	{"authType", "admin.authType", "credentials.auth_mode", kindAuthType, func(p *Platform) any { return &p.AuthType }},
	{"clientId", "admin.clientId", "credentials.client_id", kindString, func(p *Platform) any { return &p.ClientID }},
	{"clientSecret", "", "credentials.client_secret", kindSecret, func(p *Platform) any { return &p.ClientSecret }},
	{"clientSecretLocation", "admin.clientSecretLocation", "credentials.client_secret_location", kindString, func(p *Platform) any { return &p.ClientSecretLocation }},
	{"clientSecretEnvVar", "admin.clientSecretEnvVar", "credentials.client_secret_env_var", kindString, func(p *Platform) any { return &p.ClientSecretEnvVar }},
	{"scopes", "admin.scopes", "credentials.scopes", kindList, func(p *Platform) any { return &p.Scopes }},
	{"audience", "admin.audience", "credentials.audience", kindString, func(p *Platform) any { return &p.Audience }},
	{"useAudienceFromAdmin", "admin.useAudienceFromAdmin", "", kindBool, func(p *Platform) any { return &p.UseAudienceFromAdmin }},
	{"tokenUrl", "admin.tokenUrl", "", kindString, func(p *Platform) any { return &p.TokenURL }},
	{"authorizationHeader", "admin.authorizationHeader", "", kindString, func(p *Platform) any { return &p.AuthorizationHeader }},
	{"command", "admin.command", "credentials.command", kindArgv, func(p *Platform) any { return &p.Command }},
	{"proxyCommand", "admin.proxyCommand", "credentials.proxy_command", kindArgv, func(p *Platform) any { return &p.ProxyCommand }},
	{"maxRetries", "admin.maxRetries", "", kindInt, func(p *Platform) any { return &p.MaxRetries }},
	{"perRetryTimeout", "admin.perRetryTimeout", "", kindDuration, func(p *Platform) any { return &p.PerRetryTimeout }},
	{"maxBackoffDelay", "admin.maxBackoffDelay", "", kindDuration, func(p *Platform) any { return &p.MaxBackoffDelay }},
	{"tokenRefreshWindow", "admin.tokenRefreshWindow", "", kindDuration, func(p *Platform) any { return &p.TokenRefreshWindow }},
	{"pkceConfig.timeout", "admin.pkceConfig.timeout", "", kindDuration, func(p *Platform) any { return &p.PKCE.Timeout }},
	{"pkceConfig.refreshTime", "admin.pkceConfig.refreshTime", "", kindDuration, func(p *Platform) any { return &p.PKCE.RefreshTime }},
	{"deviceFlowConfig.timeout", "admin.deviceFlowConfig.timeout", "", kindDuration, func(p *Platform) any { return &p.DeviceFlow.Timeout }},
	{"deviceFlowConfig.refreshTime", "admin.deviceFlowConfig.refreshTime", "", kindDuration, func(p *Platform) any { return &p.DeviceFlow.RefreshTime }},
	{"deviceFlowConfig.pollInterval", "admin.deviceFlowConfig.pollInterval", "", kindDuration, func(p *Platform) any { return &p.DeviceFlow.PollInterval }},
	{"tokenCache", "admin.tokenCache", "", kindTokenCache, func(p *Platform) any { return &p.TokenCache }},
	{"authMetadataApi", "admin.authMetadataApi", "", kindAPIGen, func(p *Platform) any { return &p.AuthMetadataAPI }},
	{"disableKeyring", "admin.disableKeyring", "", kindBool, func(p *Platform) any { return &p.DisableKeyring }},
	{"org", "task.org", "", kindString, func(p *Platform) any { return &p.Org }},
}

// yamlSections are the mappings inside admin: that hold keys of their own.
var yamlSections = map[string]string{
	"admin.pkceconfig":       "admin.pkceConfig",
	"admin.deviceflowconfig": "admin.deviceFlowConfig",
}

// yamlIgnored are flytectl admin keys that authwire accepts and does not use.
var yamlIgnored = map[string]bool{
	"admin.useauth":                true, // deprecated in flytectl: discovered from the server
	"admin.authorizationserverurl": true, // deprecated in flytectl: discovered from the server
	"admin.defaultserviceconfig":   true, // a grpc-go service config
	"admin.maxmessagesizebytes":    true, // a grpc-go message limit
}

// Lookup tables built from keys: lower-cased YAML path, INI name and
// canonical name to the key.
var (
	keysByYAML = index(func(k *key) string { return strings.ToLower(k.yaml) })
	keysByINI  = index(func(k *key) string { return k.ini })
	keysByName = index(func(k *key) string { return k.name })
)

func index(name func(*key) string) map[string]*key {
	m := make(map[string]*key, len(keys))
	for _, k := range keys {
		if n := name(k); n != "" {
			m[n] = k
		}
	}
	return m
}
