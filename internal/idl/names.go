package idl

// Service and route names of the AuthMetadataService. Both RPCs are anonymous
// on a Flyte server: they are called before any credential exists.
const (
	// AuthMetadataService is the fully qualified Protobuf service name.
	AuthMetadataService = "flyteidl.service.AuthMetadataService"
	// GetOAuth2MetadataProcedure is the RPC path answering [OAuth2Metadata].
	GetOAuth2MetadataProcedure = "/flyteidl.service.AuthMetadataService/GetOAuth2Metadata"
	// GetPublicClientConfigProcedure is the RPC path answering [PublicClientConfig].
	GetPublicClientConfigProcedure = "/flyteidl.service.AuthMetadataService/GetPublicClientConfig"
	// OAuth2MetadataPath is the REST route (RFC 8414) answering [OAuth2Metadata] as JSON.
	OAuth2MetadataPath = "/.well-known/oauth-authorization-server"
	// PublicClientConfigPath is the REST route answering [PublicClientConfig] as JSON.
	PublicClientConfigPath = "/config/v1/flyte_client"
)
