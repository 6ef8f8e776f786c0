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
//	connectconformance --mode client --conf config.yaml -- client [-break MODE]
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
)

func main() {
	brk := flag.String("break", "", "test only: break the stack on purpose (detach-context, shallow-response)")
	parallel := flag.Int("parallel", 32, "calls in flight at most")
	flag.Parse()
	if err := run(*brk, *parallel); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(brk string, parallel int) error {
	wrap, err := breakLayer(brk)
	if err != nil {
		return err
	}
	if parallel < 1 {
		return fmt.Errorf("client: -parallel must be at least 1")
	}
	s := newStacks(wrap)
	defer s.close()
	return serve(context.Background(), bufio.NewReader(os.Stdin), os.Stdout, s, parallel)
}
