// Package authtest runs an in-process fake Flyte server for tests, ours and
// users': the anonymous AuthMetadataService (Connect, gRPC and gRPC-Web, plus
// its REST routes), an OAuth2 token endpoint, an optional authenticating
// proxy in front of everything, and a protected test service that checks
// bearer tokens the way flyteadmin does.
//
// A [Server] listens on 127.0.0.1 at a free port, over TLS with a fresh
// self-signed CA (see [Server.CAFile] and [Server.CertPool]) or, with
// [WithH2C], over cleartext HTTP/2. Knobs such as [Server.RevokeAll],
// [Server.FailNext] and [Server.FailTokenRequests] inject faults at run time,
// and [Server.Counters] reports what the server saw, so tests can assert how
// many token requests or retries a client made.
//
// The protected service, [TestServiceName], has one method per stream type;
// [NewTestClient] builds connect clients for them. It rejects a missing or bad
// token with Unauthenticated in the shape each protocol has on the wire:
// HTTP 401 for Connect unary calls and REST, an end-of-stream error for
// Connect streams, grpc-status 16 in the trailers for gRPC (as from
// flyteadmin's single-port mode), or in the headers with [WithTrailersOnly].
//
// Tokens are opaque random strings; the client secret is random per server.
// The package depends on nothing of authwire's client side, so it can test
// any Flyte client.
package authtest
