// Command tokensource authenticates with a token that something else
// obtains — a sidecar, a workload-identity agent, a CI system — and writes
// to a file. It plugs a custom authn.TokenSource into the stack with
// transport.WithTokenSource: the stack attaches the token, and when the
// server rejects it, asks the source again once and replays the call.
//
//	go run github.com/authwire/authwire/examples/tokensource \
//	    -endpoint flyte.example.com -token-file /var/run/secrets/flyte/token /api/v1/projects
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
	"strings"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

func main() {
	endpoint := flag.String("endpoint", "", "the Flyte endpoint (host[:port] or URL)")
	caFile := flag.String("ca-file", "", "a PEM file of extra trusted CAs")
	tokenFile := flag.String("token-file", "", "the file that holds the current token")
	flag.Parse()
	path := "/api/v1/projects"
	if flag.NArg() > 0 {
		path = flag.Arg(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	client, baseURL, err := newClient(ctx, &config.Platform{Endpoint: *endpoint, CACertFilePath: *caFile}, *tokenFile)
	if err == nil {
		err = get(ctx, client, baseURL+path, os.Stdout)
		client.CloseIdleConnections()
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tokensource:", err)
		os.Exit(1)
	}
}

// fileToken is a token source that reads the token from a file each time
// the stack asks: after start-up, and after the server rejected the last
// token. The token's expiry is not known here; a JWT's exp claim is used
// when it has one.
func fileToken(path string) authn.TokenSource {
	return authn.TokenSourceFunc(func(context.Context) (*oauth2.Token, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return nil, errors.New(path + " is empty")
		}
		return &oauth2.Token{AccessToken: tok, TokenType: "Bearer"}, nil
	})
}

// newClient returns the stack for cfg with the token from tokenFile, and
// the endpoint's base URL.
func newClient(ctx context.Context, cfg *config.Platform, tokenFile string) (*http.Client, string, error) {
	client, err := transport.NewClient(ctx, cfg, transport.WithTokenSource(fileToken(tokenFile)))
	if err != nil {
		return nil, "", err
	}
	baseURL, err := transport.BaseURL(cfg)
	return client, baseURL, err
}

// get copies the body of a GET of url to out.
func get(ctx context.Context, client *http.Client, url string, out io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("GET " + url + ": " + resp.Status)
	}
	_, err = io.Copy(out, resp.Body)
	return err
}
