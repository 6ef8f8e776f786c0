// Package errs holds authwire's one error type, [Error], its codes (the
// gRPC/Connect code set) and the Flyte exception family ([Kind]).
//
// [CodeOf] and [KindOf] work on any error in a chain, and the sentinels
// ([ErrNotFound], [ErrUnauthenticated], ...) make errors.Is checks work for
// every protocol.
//
// The package imports nothing else of authwire.
package errs
