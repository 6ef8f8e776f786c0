package main

import (
	"context"
	"net/http"
	"path/filepath"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authn/browser"
	"github.com/authwire/authwire/authn/oskeyring"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

// newStack builds the authwire stack for cfg with transport.New, as any
// program would, plus what an interactive command-line program adds:
// logins talk to the user on stderr, open the system browser and keep their
// tokens in the OS keyring (falling back to files). It reads the CA file,
// the client secret and the command settings now, so configuration mistakes
// surface here; it makes no network call. opts come last and win.
func (c *cli) newStack(cfg *config.Platform, opts ...transport.Option) (http.RoundTripper, error) {
	aopts := []authn.FlowOption{authn.WithPrompt(c.stderr), authn.WithBrowser(c.openBrowser)}
	if c.keyring != nil {
		aopts = append(aopts, authn.WithKeyring(c.keyring))
	}
	all := append([]transport.Option{transport.WithAuthnOptions(aopts...)}, opts...)
	return transport.New(context.Background(), cfg, all...)
}

// publicConfigCache is the option that shares flyte-sdk's public client
// config cache, ~/.flyte/.cache, with the home directory taken from the
// environment given to run (so tests control it); none when that names no
// home directory, or when that environment sets
// FLYTE_AUTH_METADATA_CACHE_DISABLED. Commands that must observe the
// server (doctor) go without it.
func (c *cli) publicConfigCache() []transport.Option {
	home := c.homeDir()
	if v, _ := c.env(authn.PublicConfigCacheDisabledEnv); home == "" || authn.PublicConfigCacheDisabled(v) {
		return nil
	}
	return []transport.Option{transport.WithPublicConfigCacheDir(filepath.Join(home, ".flyte", ".cache"))}
}

// desktop is what newCLI gives every invocation: the OS keyring and the
// system browser. Tests replace them.
var desktop = struct {
	keyring authn.Keyring
	browser func(ctx context.Context, url string) error
}{oskeyring.Keyring{}, browser.Open}

// closeIdle releases a transport's idle connections.
func closeIdle(rt http.RoundTripper) {
	if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
