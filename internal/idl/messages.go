package idl

import "google.golang.org/protobuf/encoding/protowire"

// Empty is the request message of both AuthMetadataService RPCs
// (flyteidl.service.OAuth2MetadataRequest and PublicClientAuthConfigRequest).
// It has no fields: its binary form is empty and its JSON form is {}.
type Empty struct{}

// OAuth2Metadata is flyteidl.service.OAuth2MetadataResponse, the
// authorization server metadata of RFC 8414 as a Flyte server publishes it.
// The comment on each field gives its Protobuf field number.
type OAuth2Metadata struct {
	Issuer                            string   // 1 issuer
	AuthorizationEndpoint             string   // 2 authorization_endpoint
	TokenEndpoint                     string   // 3 token_endpoint
	ResponseTypesSupported            []string // 4 response_types_supported
	ScopesSupported                   []string // 5 scopes_supported
	TokenEndpointAuthMethodsSupported []string // 6 token_endpoint_auth_methods_supported
	JwksURI                           string   // 7 jwks_uri
	CodeChallengeMethodsSupported     []string // 8 code_challenge_methods_supported
	GrantTypesSupported               []string // 9 grant_types_supported
	DeviceAuthorizationEndpoint       string   // 10 device_authorization_endpoint
}

// PublicClientConfig is flyteidl.service.PublicClientAuthConfigResponse: the
// public client settings a Flyte server hands to its CLI clients. The comment
// on each field gives its Protobuf field number.
type PublicClientConfig struct {
	ClientID                 string   // 1 client_id
	RedirectURI              string   // 2 redirect_uri
	Scopes                   []string // 3 scopes
	AuthorizationMetadataKey string   // 4 authorization_metadata_key: the header that carries the bearer token
	ServiceHTTPEndpoint      string   // 5 service_http_endpoint
	Audience                 string   // 6 audience
	DataplaneDomain          string   // 7 dataplane_domain (Flyte 2)
}

// field describes one string or repeated string field of a message; exactly
// one of str and list is set.
type field struct {
	num  protowire.Number
	name string // snake_case, as in the .proto file
	str  *string
	list *[]string
}

// message is what the shared encoders need from each message type.
type message interface {
	fields() []field
}

func (*Empty) fields() []field { return nil }

func (m *OAuth2Metadata) fields() []field {
	return []field{
		{num: 1, name: "issuer", str: &m.Issuer},
		{num: 2, name: "authorization_endpoint", str: &m.AuthorizationEndpoint},
		{num: 3, name: "token_endpoint", str: &m.TokenEndpoint},
		{num: 4, name: "response_types_supported", list: &m.ResponseTypesSupported},
		{num: 5, name: "scopes_supported", list: &m.ScopesSupported},
		{num: 6, name: "token_endpoint_auth_methods_supported", list: &m.TokenEndpointAuthMethodsSupported},
		{num: 7, name: "jwks_uri", str: &m.JwksURI},
		{num: 8, name: "code_challenge_methods_supported", list: &m.CodeChallengeMethodsSupported},
		{num: 9, name: "grant_types_supported", list: &m.GrantTypesSupported},
		{num: 10, name: "device_authorization_endpoint", str: &m.DeviceAuthorizationEndpoint},
	}
}

func (m *PublicClientConfig) fields() []field {
	return []field{
		{num: 1, name: "client_id", str: &m.ClientID},
		{num: 2, name: "redirect_uri", str: &m.RedirectURI},
		{num: 3, name: "scopes", list: &m.Scopes},
		{num: 4, name: "authorization_metadata_key", str: &m.AuthorizationMetadataKey},
		{num: 5, name: "service_http_endpoint", str: &m.ServiceHTTPEndpoint},
		{num: 6, name: "audience", str: &m.Audience},
		{num: 7, name: "dataplane_domain", str: &m.DataplaneDomain},
	}
}
