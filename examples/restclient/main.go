// Command restclient is a REST-only Flyte client: no connect, no generated
// code, just an *http.Client from transport.NewClient that authenticates
// with a client secret, configured the way flytekit is, from environment
// variables:
//
//	FLYTE_PLATFORM_URL=flyte.example.com \
//	FLYTE_CREDENTIALS_AUTH_MODE=ClientSecret \
//	FLYTE_CREDENTIALS_CLIENT_ID=my-app \
//	FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION=/etc/flyte/secret \
//	go run github.com/authwire/authwire/examples/restclient /api/v1/projects
//
// It prints the answer's body. The stack fetches the server's OAuth2
// metadata and a token on the first call, refreshes the token before it
// expires, and retries transient failures; an error names what to change.
//
// It imports only config and transport, so it links neither the OS keyring
// nor a browser opener: README.md gives its binary size.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

func main() {
	path := "/api/v1/projects"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.LookupEnv, path, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "restclient:", err)
		os.Exit(1)
	}
}

// run GETs path from the endpoint the environment (lookup) configures and
// copies the answer's body to out.
func run(ctx context.Context, lookup func(string) (string, bool), path string, out io.Writer) error {
	cfg := &config.Platform{}
	if err := config.FromEnv(cfg, config.WithLookupEnv(lookup)); err != nil {
		return err
	}
	client, err := transport.NewClient(ctx, cfg)
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	baseURL, err := transport.BaseURL(cfg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err // an *errs.Error with a hint, inside the *url.Error
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("GET " + path + ": " + resp.Status)
	}
	_, err = io.Copy(out, resp.Body)
	return err
}
