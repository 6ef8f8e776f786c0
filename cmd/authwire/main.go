// Command authwire works with the Flyte configuration users already have
// (flytectl's ~/.flyte/config.yaml, flytekit's INI file, FLYTE_* variables):
//
//	authwire token [--header]      print a valid access token, for scripts
//	authwire doctor [--probe P]    check every step from the config to an authenticated call
//
// Global flags, accepted before or after the command: --config PATH selects
// the config file (default: discovery as flytectl and flytekit do it), and
// --output text|json selects human text or one JSON object on stdout.
// Results go to stdout; progress, prompts and errors go to stderr.
//
// Exit status: 0 when the command succeeded, 1 when a check or call failed,
// 2 for a usage or configuration error.
//
// See docs/cli.md for examples. The quickstart scenario against an
// in-process fake server is a program of its own: go run
// github.com/authwire/authwire/examples/quickstart.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
