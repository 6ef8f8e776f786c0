package authn

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/wire"
)

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
	// DataplaneDomain is Flyte 2's dataplane_domain: the base URL of the data
	// plane this control plane runs work on. The token is never sent to it
	// unless the caller builds a stack for it with the control plane's
	// credentials (transport.WithCredentialsFrom) or lists its host.
	DataplaneDomain string

	// API is the generation of the AuthMetadataService that answered
	// ([APIV1] or [APIV2]); APIAuto for a static configuration.
	API API
	// NoOAuth2Metadata reports that the server answered GetOAuth2Metadata
	// with Unimplemented: it has no authorization server configured (Flyte
	// 2 without runs.authMetadata.externalAuthServerBaseUrl). Flows that
	// need a token endpoint then require tokenUrl.
	NoOAuth2Metadata bool
}

// validate checks the server's answer before it is cached: endpoints are
// absolute http(s) URLs and the metadata key is a header name.
func (cc *ClientConfig) validate() error {
	for _, f := range []struct{ name, v string }{
		{"token_endpoint", cc.TokenEndpoint},
		{"authorization_endpoint", cc.AuthorizationEndpoint},
		{"device_authorization_endpoint", cc.DeviceAuthorizationEndpoint},
		{"redirect_uri", cc.RedirectURI},
	} {
		if f.v == "" {
			continue
		}
		u, err := url.Parse(f.v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s is not an absolute http(s) URL", f.name)
		}
	}
	if k := cc.AuthorizationMetadataKey; k != "" && !wire.IsToken(k) {
		return errors.New("authorization_metadata_key is not an HTTP header name")
	}
	if d := cc.DataplaneDomain; d != "" && strings.ContainsAny(d, " \t\r\n") {
		return errors.New("dataplane_domain is not a host or URL")
	}
	return nil
}

// noTokenEndpoint is the error of a flow that needs a token endpoint when
// neither the configuration nor the server gives one.
func noTokenEndpoint(cc *ClientConfig) error {
	e := &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "no token endpoint", Hint: "the server publishes none; set tokenUrl"}
	if cc != nil && cc.NoOAuth2Metadata {
		e.Message = "no token endpoint: the server has no OAuth2 metadata configured"
		e.Hint = "set tokenUrl in the client configuration, or runs.authMetadata.externalAuthServerBaseUrl on the server"
	}
	return e
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
