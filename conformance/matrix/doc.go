// Package matrix runs authwire's full stack against the in-process fake
// Flyte server ([github.com/authwire/authwire/authtest]) across every
// combination of protocol (Connect, gRPC with the status in trailers or in
// headers, gRPC-Web, REST), connect-go version of the client (v1, and v2 with
// transport.InterceptorV2, in the scenarios where the version matters: the
// codes of the stack's own errors and of wire errors, revocation replay,
// retries), call kind, transport (TLS with a CA file, TLS
// bootstrapped with insecureSkipVerify, h2c), authentication (client secret,
// external command, none, lazy) and proxy authentication (off, a proxy
// command behind a 407 proxy, a proxy command behind an IAP-like 401 proxy),
// for each scenario: cold start, steady state, revocation recovery, a server
// that always rejects, proxy rejection, error mapping, retries and a failing
// credential.
//
// The cases are data: each scenario states the counters the server must
// report (calls that reached the service, token requests, command runs,
// proxy command runs, proxy rejections, metadata calls) and the code the
// call must end with, as a function of the row. The package holds only
// tests; run them with
//
//	go test -race ./matrix/...
package matrix
