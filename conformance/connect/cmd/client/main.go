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
	brk := flag.String("break", "", "test only: break the stack on purpose (shallow-response)")
	parallel := flag.Int("parallel", 32, "calls in flight at most")
	flag.Parse()
	wrap, err := breakLayer(*brk)
	if err == nil && *parallel < 1 {
		err = fmt.Errorf("client: -parallel must be at least 1")
	}
	if err == nil {
		s := newStacks(wrap)
		defer s.close()
		err = serve(context.Background(), bufio.NewReader(os.Stdin), os.Stdout, s, *parallel)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
