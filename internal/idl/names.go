package idl

// Service and route names of the AuthMetadataService. Both RPCs are anonymous
// on a Flyte server: they are called before any credential exists.
//
// Flyte 1 (flyteadmin, a grpc-go server) serves the flyteidl.service names
// and two REST routes; Flyte 2 (a connect-go server) serves the
// flyteidl2.auth names with the same field names and numbers, the
// well-known route and no /config/v1/flyte_client.
const (
	// AuthMetadataService is the fully qualified Protobuf service name of
	// Flyte 1.
	AuthMetadataService = "flyteidl.service.AuthMetadataService"
	// GetOAuth2MetadataProcedure is the RPC path answering [OAuth2Metadata].
	GetOAuth2MetadataProcedure = "/flyteidl.service.AuthMetadataService/GetOAuth2Metadata"
	// GetPublicClientConfigProcedure is the RPC path answering [PublicClientConfig].
	GetPublicClientConfigProcedure = "/flyteidl.service.AuthMetadataService/GetPublicClientConfig"
	// OAuth2MetadataPath is the REST route (RFC 8414) answering [OAuth2Metadata] as JSON.
	OAuth2MetadataPath = "/.well-known/oauth-authorization-server"
	// PublicClientConfigPath is the REST route answering [PublicClientConfig] as JSON.
	PublicClientConfigPath = "/config/v1/flyte_client"

	// AuthMetadataServiceV2 is the fully qualified Protobuf service name of
	// Flyte 2 (flyteidl2/auth/auth_service.proto).
	AuthMetadataServiceV2 = "flyteidl2.auth.AuthMetadataService"
	// GetOAuth2MetadataProcedureV2 is Flyte 2's path answering [OAuth2Metadata]
	// (GetOAuth2MetadataResponse).
	GetOAuth2MetadataProcedureV2 = "/flyteidl2.auth.AuthMetadataService/GetOAuth2Metadata"
	// GetPublicClientConfigProcedureV2 is Flyte 2's path answering
	// [PublicClientConfig] (GetPublicClientConfigResponse).
	GetPublicClientConfigProcedureV2 = "/flyteidl2.auth.AuthMetadataService/GetPublicClientConfig"
)
