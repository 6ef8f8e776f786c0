package config

import "time"

// Platform is the PlatformConfig: everything authwire needs to reach one
// endpoint. Field names follow the flytectl YAML keys of the admin section;
// the zero value of every field means "default".
//
// A Platform is plain data: build one by hand, or load one from the files and
// FLYTE_* variables users already have. It is not safe to mutate a Platform
// while a stack built from it is being constructed.
type Platform struct {
	// Endpoint is the Flyte host in any accepted form: "dns:///host:port",
	// "host:port", "host", "https://host", "http://host", "[::1]:8089".
	Endpoint string
	// Insecure selects cleartext HTTP/2 (h2c), so gRPC works without TLS.
	Insecure bool
	// InsecureSkipVerify bootstraps TLS: the server's certificate is trusted
	// on first use and pinned for the life of the stack.
	InsecureSkipVerify bool
	// CACertFilePath names a PEM file of roots added to the system roots.
	CACertFilePath string

	// AuthType selects the token flow; AuthUnset authenticates lazily.
	AuthType AuthType
	// ClientID is the OAuth2 client id (client secret, PKCE, device flow).
	ClientID string
	// ClientSecret is the literal client secret; ClientSecretEnvVar and
	// ClientSecretLocation, when set and non-empty, take precedence.
	ClientSecret string
	// ClientSecretLocation names a file holding the secret (whitespace trimmed).
	ClientSecretLocation string
	// ClientSecretEnvVar names an environment variable holding the secret.
	ClientSecretEnvVar string
	// Scopes requested with every token; nil means the server's scopes.
	Scopes []string
	// Audience is sent as the "audience" parameter when set.
	Audience string
	// UseAudienceFromAdmin takes the audience from the server's public
	// client config when Audience is empty.
	UseAudienceFromAdmin bool
	// TokenURL overrides the discovered token endpoint.
	TokenURL string
	// AuthorizationHeader overrides the header that carries the bearer token
	// (default: the server's authorization_metadata_key, else "authorization").
	AuthorizationHeader string
	// Command is the argv of an external command that prints a token.
	Command []string
	// ProxyCommand is the argv of a command that prints the proxy token sent
	// as "proxy-authorization: Bearer <token>" to the endpoint's host.
	ProxyCommand []string
	// HTTPProxyURL routes every hop through this HTTP(S) proxy; empty means
	// HTTPS_PROXY / NO_PROXY from the environment.
	HTTPProxyURL string

	// MaxRetries bounds retries of transient failures; 0 means the default,
	// a negative value disables retries.
	MaxRetries int
	// PerRetryTimeout bounds each attempt when set.
	PerRetryTimeout time.Duration
	// MaxBackoffDelay caps the backoff between retries.
	MaxBackoffDelay time.Duration
	// TokenRefreshWindow refreshes a token this long before it expires.
	TokenRefreshWindow time.Duration

	// PKCE tunes the browser login.
	PKCE PKCEConfig
	// DeviceFlow tunes the device authorization grant.
	DeviceFlow DeviceFlowConfig
	// TokenCache selects where interactive tokens are kept: "auto" (the OS
	// keyring, falling back to files), "keyring", "file" or "memory"; empty
	// means "auto".
	TokenCache string
	// AuthMetadataAPI pins the generation of the server's AuthMetadataService:
	// "v1" (Flyte 1, flyteadmin's flyteidl.service), "v2" (Flyte 2's
	// flyteidl2.auth) or "auto" (detect it; empty means "auto").
	AuthMetadataAPI string
	// DisableKeyring keeps the stack away from the OS keyring (flyte-sdk's
	// admin.disableKeyring): the "auto" token cache then uses files only,
	// and TokenCache "keyring" is a contradiction Validate reports.
	DisableKeyring bool
	// ConsoleEndpoint is the Flyte console's URL (flytectl's
	// console.endpoint), used only to print links; empty means Endpoint.
	ConsoleEndpoint string
	// Org is the Flyte organization the credentials belong to: the org of
	// FLYTE_API_KEY, else flyte-sdk's task.org (FLYTE_TASK_ORG). authwire
	// sends nothing with it; it is there for the org field of the caller's
	// requests. Empty means none.
	Org string
}

// PKCEConfig is the pkceConfig section.
type PKCEConfig struct {
	// Timeout bounds the wait for the browser callback.
	Timeout time.Duration
	// RefreshTime refreshes the token this long before it expires.
	RefreshTime time.Duration
}

// DeviceFlowConfig is the deviceFlowConfig section.
type DeviceFlowConfig struct {
	// Timeout bounds the whole device login.
	Timeout time.Duration
	// RefreshTime refreshes the token this long before it expires.
	RefreshTime time.Duration
	// PollInterval overrides the server's polling interval.
	PollInterval time.Duration
}
