// Command flytectlconfig uses the configuration flytectl and flytekit users
// already have: config.Discover finds it as they do (--config, then
// $FLYTECTL_CONFIG, ./.flyte/config.yaml, ~/.flyte/config.yaml, the legacy
// ~/.flyte/config INI file; FLYTE_* variables on top), and transport.NewClient
// builds the stack it describes — any authType, proxyCommand, caCertFilePath.
//
//	go run github.com/authwire/authwire/examples/flytectlconfig [-config PATH] [/api/v1/version]
//
// Programs that log people in (authType Pkce or DeviceFlow) should pass the
// OS keyring and the browser opener, as this one does, so that a login is
// kept between runs and opens the browser by itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authn/browser"
	"github.com/authwire/authwire/authn/oskeyring"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

func main() {
	path := flag.String("config", "", "the config file (default: flytectl's discovery)")
	flag.Parse()
	route := "/api/v1/version"
	if flag.NArg() > 0 {
		route = flag.Arg(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, *path, route, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "flytectlconfig:", err)
		os.Exit(1)
	}
}

// run loads the configuration (from path, or discovered), GETs route from
// its endpoint and copies the body to out. Warnings about the file go to
// log.
func run(ctx context.Context, path, route string, out, log io.Writer) error {
	opts := []config.LoadOption{config.WithWarnings(func(w config.Warning) { fmt.Fprintln(log, "warning:", w) })}
	if path != "" {
		opts = append(opts, config.WithPath(path))
	}
	cfg, found, err := config.Discover(opts...)
	if err != nil {
		return err
	}
	fmt.Fprintln(log, "using", found)
	client, err := transport.NewClient(ctx, cfg, transport.WithAuthnOptions(
		authn.WithKeyring(oskeyring.Keyring{}), // keep logins in the OS keyring, as flytekit does
		authn.WithBrowser(browser.Open),        // open the PKCE login page by itself
	))
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	baseURL, err := transport.BaseURL(cfg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+route, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("GET " + route + ": " + resp.Status)
	}
	_, err = io.Copy(out, resp.Body)
	return err
}
