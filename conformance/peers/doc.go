// Package peers runs authwire against independent implementations: real
// OAuth2 authorization servers (panva oidc-provider, Ory Hydra) and a grpc-go
// server generated from the real Flyte IDL. Each subpackage starts its peer
// on loopback, by itself, stops it by PID when its tests end, and skips
// nothing silently: a peer that cannot be started fails the tests, unless
// the environment says the peer is not installed (see the README).
//
//   - resource: a Flyte-like protected service that checks tokens against an
//     authorization server by RFC 7662 introspection and publishes the
//     server's RFC 8414 metadata, as flyteadmin does with an external IdP.
//   - peerproc: starting and stopping peer processes.
//   - oidc: panva oidc-provider 9.13.3 (npm).
//   - hydra: Ory Hydra v2.3.0 (built from the Go module proxy).
//   - flyteidl: grpc-go and grpc-gateway servers from flyteidl v1.5.21.
package peers
