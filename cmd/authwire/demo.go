package main

import (
	"context"

	"github.com/authwire/authwire/internal/demo"
)

const demoDescription = `Runs the quickstart scenario: an in-process fake Flyte server (TLS with its own
CA, an authenticating proxy, the client-credentials flow) and one authwire
stack making Connect, gRPC, gRPC-Web and REST calls through it, recovering
from a token revocation. It needs no network and no configuration; --config
is ignored. With --output json the narrative goes to stderr and stdout gets
one JSON object.`

// demoResult is the JSON form of a demo run.
type demoResult struct {
	Command string `json:"command"`
	OK      bool   `json:"ok"`
}

// demo is "authwire demo".
func (c *cli) demo(ctx context.Context, args []string) int {
	fs := c.flagSet("authwire demo")
	if code, done := c.parse(fs, args, commandUsage("demo", demoDescription, "")); done {
		return code
	}
	if code, done := c.noArgs(fs.Name(), fs.Args()); done {
		return code
	}
	out := c.stdout
	if c.output == outputJSON {
		out = c.stderr
	}
	if err := demo.Run(ctx, out); err != nil {
		return c.fail("demo", exitFailed, err, "")
	}
	if c.output == outputJSON {
		if err := writeJSON(c.stdout, demoResult{Command: "demo", OK: true}); err != nil {
			return c.fail("demo", exitFailed, err, "")
		}
	}
	return exitOK
}
