// Package peers runs authwire against independent implementations: real
// OAuth2 authorization servers (panva oidc-provider, Ory Hydra), a grpc-go
// server generated from the real Flyte IDL and a Flyte 2 connect-go server. Each subpackage starts its peer
// on loopback, by itself, and stops it by PID when its tests end. A peer
// that cannot be started fails the tests; only Hydra, whose cold build takes
// minutes, is skipped (saying so) when it is not built and the environment
// does not ask to build it (see the README).
//
//   - resource: a Flyte-like protected service that checks tokens against an
//     authorization server by RFC 7662 introspection and publishes the
//     server's RFC 8414 metadata, as flyteadmin does with an external IdP.
//   - peerproc: starting and stopping peer processes by PID.
//   - pki: a throwaway CA and server certificate as PEM files.
//   - browser: a scripted browser that completes login and consent forms.
//   - peertest: the stack under test over a recording base transport, and the
//     calls each protocol makes.
//   - oidc: panva oidc-provider 9.13.3 (npm).
//   - hydra: Ory Hydra v2.3.0 (built from the Go module proxy).
//   - flyteadmin: grpc-go and grpc-gateway servers from flyteidl v1.5.21.
//   - flyte2: a Flyte 2 control plane (connect-go) generated from its own
//     .proto with flyteidl2.auth's names and field numbers.
//   - summary: turns "go test -json" into run.sh's summary row.
package peers
