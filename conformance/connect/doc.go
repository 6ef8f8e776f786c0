// Package connect runs the official Connect conformance suite
// (connectrpc.com/conformance, runner connectconformance in client mode)
// against authwire's full stack.
//
// The client under test, in cmd/client, makes every call with a connect-go
// v1 client or, with -connect v2, a connect-go v2 client (connecthttp over
// the same *http.Client, with transport.InterceptorV2); TestConformance runs
// the suite once with each. The *http.Client is built by
// [github.com/authwire/authwire/transport.NewClient]: the connect bridge,
// errs, bearer and proxy layers are active, with static credentials that the reference server
// ignores, over authwire's base transport (TLS with the runner's server
// certificate as root and, when asked, a client certificate; h2c for
// cleartext HTTP/2). Cleartext HTTP/1.1, which the base transport does not
// speak (insecure means h2c), gets a plain HTTP/1.1 base under the same
// layers.
//
// The Go code for the conformance protos is generated at test time with buf
// into ../gen, which is not committed; cmd/client builds only with the
// conformancegen build tag, once that code exists. TestConformance builds
// every tool it needs (pinned in ../tools/go.mod and ../go.mod) into the
// repository's .cache/conformance folder, generates the code, builds the
// client and runs the suite; see ../README.md.
package connect
