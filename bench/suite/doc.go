// Package suite holds authwire's benchmarks as plain functions of a
// *testing.B, so that "go test -bench" and the benchreport program run the
// same code: unary calls over loopback for every client being compared
// (cells), a client-only benchmark on a stub RoundTripper, a refresh storm
// and a long server stream.
//
// The clients compared, for each protocol and transport:
//
//   - bare: connect-go (or net/http for REST) over the base transport alone
//     (the limit);
//   - bare-again: a second bare client, whose ratio to bare (an A/A
//     comparison) shows how much two identical clients differ in a run;
//   - ideal: bare plus the two header values the authwire stack sends,
//     computed once and set on the caller's request with no other work:
//     the limit for any client that must send a bearer and a proxy token;
//   - authwire: the whole stack from transport.New: proxy header from a
//     proxy command, bearer token from the client-credentials flow, both
//     cached, and whatever layers transport.New assembles above them;
//   - oauth2: golang.org/x/oauth2's Transport with a client-credentials
//     ReuseTokenSource, the usual peer;
//   - cmd-interceptor: a connect interceptor that runs the proxy command on
//     every call and adds a cached bearer token, the pattern of the existing
//     connect-based Flyte SDK;
//   - grpc-go: a grpc-go ClientConn with per-RPC OAuth credentials (gRPC
//     only).
//
// Every client goes over its own base transport built by
// transport.Base from the same configuration, so only the layers differ.
package suite
