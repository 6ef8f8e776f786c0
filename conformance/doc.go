// Package conformance holds authwire's conformance suites. It is a separate
// Go module so that its heavy test-only dependencies (the official Connect
// conformance runner, real OAuth2 servers, a grpc-go server built from the
// Flyte IDL) never reach the library's users.
//
// The suites live in subpackages:
//
//   - connect: the official Connect conformance suite (connectrpc.com/conformance)
//     run in client mode, with every call made through the full authwire stack
//     built by [github.com/authwire/authwire/transport.NewClient].
//   - matrix: backend × protocol × call × transport × auth × proxy ×
//     scenario against authtest (Flyte 1 and Flyte 2), each row predicting
//     the server's counters.
//   - peers: panva oidc-provider, Ory Hydra, a grpc-go server generated
//     from flyteidl v1.5.21 and a Flyte 2 connect-go server generated from
//     its own .proto, started and stopped on loopback by the tests.
//
// run.sh in this directory builds whatever is missing, runs every suite and
// prints a summary table.
package conformance
