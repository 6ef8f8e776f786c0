// Package authtest runs an in-process fake Flyte server for tests, ours and
// users': the anonymous AuthMetadataService (Connect, gRPC and gRPC-Web, plus
// its REST routes), an OAuth2 authorization server, an optional
// authenticating proxy in front of everything, and protected procedures that
// check bearer tokens the way flyteadmin does.
//
// A [Server] listens on 127.0.0.1 at a free port, over TLS with a fresh
// self-signed CA (see [Server.CAFile] and [Server.CertPool]) or, with
// [WithH2C], over cleartext HTTP/2. Knobs such as [Server.RevokeAll],
// [Server.FailNext], [Server.FailTokenRequests] and [Server.Stall] (a hung
// token endpoint or metadata service) inject faults at run time,
// and [Server.Counters] reports what the server saw, so tests can assert how
// many token requests, refreshes or retries a client made; [Server.Await]
// waits, without sleeping, until the counters show a request arrived.
//
// # OAuth2
//
// The token endpoint speaks standard OAuth2 for two clients: the
// confidential [Server.ClientID] (client_credentials) and the public client
// "flytectl" that the public client config advertises. Both can log in
// interactively:
//
//   - authorization code with PKCE (RFC 6749 section 4.1, RFC 7636, S256
//     only) at /oauth2/authorize, redirecting to the advertised
//     http://localhost:53593/callback or to the same path on any loopback
//     host and port (RFC 8252 section 7.3), so tests can listen on a free
//     port. A user approves every request at once unless
//     [WithAuthorizeDecision] scripts another answer. Codes are single-use
//     and live ten minutes on the server's clock ([WithClock]);
//   - the device flow (RFC 8628) at /oauth2/device/auth, each code approved
//     at its first poll unless [Server.SetDevicePending],
//     [Server.SetDeviceScript] or [Server.SlowDownDevicePolls] say
//     otherwise; [WithoutDeviceFlow] turns it off;
//   - refresh tokens, rotated by default ([WithRefreshRotation]) and
//     revoked by [Server.RevokeRefreshTokens].
//
// Every flow can be driven with golang.org/x/oauth2 against [Server.URL]
// and [Server.TokenURL] through [Server.HTTPClient].
//
// # Protected procedures
//
// The test service, [TestServiceName], has one method per stream type;
// [NewTestClient] builds connect-go v1 clients for them, [NewTestClientV2]
// a connect-go v2 client, and [TestServiceUnarySpec] and its siblings
// describe them for v2 clients of one's own. flyteadmin's version RPC,
// [GetVersionProcedure] (REST: [VersionPath]), is the probe real clients
// call; [NewVersionClient] calls it. Both reject a missing or bad token with
// Unauthenticated in the shape each protocol has on the wire: HTTP 401 for
// Connect unary calls and REST, an end-of-stream error for Connect streams,
// grpc-status 16 in the trailers for gRPC (as from flyteadmin's single-port
// mode), or in the headers with [WithTrailersOnly].
//
// # Flyte 1 and Flyte 2
//
// By default the server is a Flyte 1 control plane (flyteadmin): the
// AuthMetadataService under flyteidl.service with its REST routes in
// snake_case JSON. [WithFlyte2] makes it a Flyte 2 one: the service only
// under flyteidl2.auth (one connect-go handler for Connect, gRPC and
// gRPC-Web), no /config/v1/flyte_client, the well-known route in protojson
// (lowerCamelCase) and dataplane_domain in the public client config
// ([WithDataplaneDomain]). [WithoutOAuth2Metadata] models a server without
// an authorization server: GetOAuth2Metadata answers a wire Unimplemented and
// the well-known route 501. [Server.MetadataRequests] counts the requests
// for each metadata path of either generation, served or not.
//
// Tokens, codes and the client secret are random per server. The package
// depends on nothing of authwire's client side and registers no Protobuf
// types, so it can test any Flyte client.
package authtest
