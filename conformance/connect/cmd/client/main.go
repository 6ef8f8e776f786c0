//go:build conformancegen

// Command client is the client under test of the official Connect
// conformance suite. It reads size-prefixed ClientCompatRequest messages on
// stdin, makes each call with a connect-go client over authwire's full stack,
// and writes a ClientCompatResponse for each on stdout, in completion order.
// At EOF it waits for the calls in flight and exits; SIGTERM ends it at once
// (Go's default).
//
// It is built by the conformance test after the conformance protos have been
// generated (build tag conformancegen) and started by the runner:
//
//	connectconformance --mode client --conf config.yaml -- client [-connect v2] [-break MODE]
//
// -connect chooses the connect-go major version of the client: v1 (the
// default, generated client code) or v2 (connect.NewClient over
// connecthttp.NewTransport, with transport.InterceptorV2).
//
// The -break flag exists only to prove that the suite can fail: it wraps the
// stack in a deliberately wrong layer (see [breakModes]). Never use it
// otherwise.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"

	conformancev1 "github.com/authwire/authwire/conformance/gen/connectrpc/conformance/v1"
)

func main() {
	brk := flag.String("break", "", "test only: break the stack on purpose (detach-context, shallow-response)")
	parallel := flag.Int("parallel", 32, "calls in flight at most")
	version := flag.String("connect", "v1", "connect-go major version of the client: v1 or v2")
	flag.Parse()
	if err := run(*brk, *parallel, *version); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(brk string, parallel int, version string) error {
	wrap, err := breakLayer(brk)
	if err != nil {
		return err
	}
	inv, ok := invokers[version]
	if !ok {
		return fmt.Errorf("client: -connect must be v1 or v2, got %q", version)
	}
	if parallel < 1 {
		return fmt.Errorf("client: -parallel must be at least 1")
	}
	s := newStacks(wrap)
	defer s.close()
	return serve(context.Background(), bufio.NewReader(os.Stdin), os.Stdout, s, inv, parallel)
}

// invoker makes the call a request describes with one connect-go version.
type invoker func(context.Context, *stacks, *conformancev1.ClientCompatRequest) (*conformancev1.ClientResponseResult, error)

// invokers are the clients under test, by connect-go major version.
var invokers = map[string]invoker{"v1": invoke, "v2": invokeV2}
