package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

const tokenFlagsHelp = `  --header          print the whole header line, "<header>: Bearer <token>",
                    with the header the stack sends the token in
`

const tokenDescription = `Prints a valid access token for the configured endpoint and nothing else on
stdout, for scripts (like 'gcloud auth print-access-token'):

  curl -H "$(authwire token --header)" https://flyte.example.com/api/v1/projects

The token comes from the configured flow (authType) and its cache: a cached
token that is still valid is printed as it is, an expiring one is refreshed,
and an interactive flow (Pkce, DeviceFlow) logs in when it must, talking to
the user on stderr.`

// tokenResult is the JSON form of a token.
type tokenResult struct {
	Command     string     `json:"command"`
	OK          bool       `json:"ok"`
	AccessToken string     `json:"access_token"`
	TokenType   string     `json:"token_type"`
	Expiry      *time.Time `json:"expiry,omitempty"`
	HeaderKey   string     `json:"header_key"`
	Header      string     `json:"header"`
}

// token is "authwire token".
func (c *cli) token(ctx context.Context, args []string) int {
	fs := c.flagSet("authwire token")
	header := fs.Bool("header", false, "")
	usage := commandUsage("token [--header]", tokenDescription, tokenFlagsHelp)
	if code, done := c.parse(fs, args, usage); done {
		return code
	}
	if code, done := c.noArgs(fs.Name(), fs.Args()); done {
		return code
	}
	l, err := c.loadConfig()
	for _, w := range l.warnings {
		fmt.Fprintln(c.stderr, "warning:", w)
	}
	if err != nil {
		return c.fail("token", exitUsage, err, configHint(l))
	}
	if l.cfg.AuthType == config.AuthNone {
		return c.fail("token", exitUsage, errors.New("authType is None: no token to print"), "set authType (ClientSecret, Pkce, DeviceFlow or ExternalCommand)")
	}
	if l.cfg.AuthType == config.AuthPassthrough {
		return c.fail("token", exitUsage, errors.New("authType is Passthrough: no token to print (Passthrough takes the caller's token)"), "set authType (ClientSecret, Pkce, DeviceFlow or ExternalCommand)")
	}
	rt, err := c.newStack(l.cfg, c.publicConfigCache()...)
	if err != nil {
		return c.fail("token", exitUsage, err, "")
	}
	defer closeIdle(rt)
	auth := transport.AuthenticatorOf(rt)
	if auth == nil {
		return c.fail("token", exitUsage, errors.New("the stack sends no token"), "set authType (ClientSecret, Pkce, DeviceFlow or ExternalCommand)")
	}
	tok, err := auth.Token(ctx)
	if err != nil {
		return c.fail("token", exitFailed, err, "")
	}
	key, err := auth.HeaderKey(ctx)
	if err != nil {
		key = "Authorization" // the server cannot say; the stack would use it too
	}
	line := key + ": Bearer " + tok.AccessToken
	if c.output == outputJSON {
		r := tokenResult{Command: "token", OK: true, AccessToken: tok.AccessToken, TokenType: "Bearer", HeaderKey: key, Header: line}
		if !tok.Expiry.IsZero() {
			exp := tok.Expiry.UTC()
			r.Expiry = &exp
		}
		if err := writeJSON(c.stdout, r); err != nil {
			return c.fail("token", exitFailed, err, "")
		}
		return exitOK
	}
	out := tok.AccessToken
	if *header {
		out = line
	}
	if _, err := fmt.Fprintln(c.stdout, out); err != nil {
		return c.fail("token", exitFailed, err, "")
	}
	return exitOK
}
