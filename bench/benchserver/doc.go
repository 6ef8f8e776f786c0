// Package benchserver is the server side of authwire's benchmarks: a
// connect-go service (Connect, gRPC and gRPC-Web) with a unary echo and a
// long server stream, a REST echo, an OAuth2 token endpoint and a proxy-token
// route for fake proxy commands, on loopback over h2c and over TLS.
//
// It checks credentials the way a Flyte deployment behind an authenticating
// proxy would, but cheaply (two string comparisons), so that the server's
// share of each call is the same for every client being compared. A request
// without credentials passes: the bare transports send none. A request that
// carries a Bench-Check header is answered with a Bench-Auth header naming
// the credentials the server saw, so a benchmark can check that a client
// stack really attached them (other answers carry no extra header, so that
// the clients' allocation counts stay comparable).
//
// [Start] runs the server in the calling process; [Spawn] runs it in a child
// process, so that the parent's allocation counters see the client only.
package benchserver
