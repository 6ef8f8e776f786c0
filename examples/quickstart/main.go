// Command quickstart shows one authwire stack serving every kind of call a
// Flyte client makes, against the fake Flyte server of package authtest,
// started in-process: TLS with its own CA, an authenticating proxy in front,
// and the client-credentials flow. It needs no network.
//
//	go run ./examples/quickstart
//
// The scenario itself, commented step by step, is in internal/demo; the
// authwire CLI runs the same one as "authwire demo".
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/authwire/authwire/internal/demo"
	"github.com/authwire/authwire/internal/fakecmd"
)

func main() {
	fakecmd.Main() // the scenario's proxy command runs this program again
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := demo.Run(ctx, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}
