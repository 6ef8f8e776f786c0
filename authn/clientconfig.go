package authn

import "context"

// ClientConfig is what the server tells a client about authenticating with
// it: flytekit's ClientConfig, merged from the AuthMetadataService answers
// GetPublicClientConfig and GetOAuth2Metadata.
type ClientConfig struct {
	// From the OAuth2 authorization server metadata (RFC 8414).
	Issuer                      string
	TokenEndpoint               string
	AuthorizationEndpoint       string
	DeviceAuthorizationEndpoint string
	ScopesSupported             []string
	GrantTypesSupported         []string

	// From the public client config.
	ClientID                 string
	RedirectURI              string
	Scopes                   []string
	AuthorizationMetadataKey string // the header that carries the token
	ServiceHTTPEndpoint      string
	Audience                 string
}

// ConfigStore provides the [ClientConfig]. Implementations must be safe for
// concurrent use; the stack calls ClientConfig on every token fetch, so a
// remote store caches its answer.
type ConfigStore interface {
	ClientConfig(ctx context.Context) (*ClientConfig, error)
}

// StaticConfigStore returns a store that always answers cc (flytekit's
// StaticClientConfigStore). Use it when the server publishes no metadata.
func StaticConfigStore(cc ClientConfig) ConfigStore { return staticStore{&cc} }

type staticStore struct{ cc *ClientConfig }

func (s staticStore) ClientConfig(context.Context) (*ClientConfig, error) { return s.cc, nil }
