package coldstart

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/transport"
)

// Case is one measured cold start.
type Case struct {
	Backend string // "flyte1" or "flyte2"
	Client  string // "authwire", "authwire+cache" or "naive"
}

// Cases lists every measured combination.
func Cases() []Case {
	var out []Case
	for _, b := range []string{"flyte1", "flyte2"} {
		for _, c := range []string{"authwire", "authwire+cache", "naive"} {
			out = append(out, Case{Backend: b, Client: c})
		}
	}
	return out
}

// Measure starts a server for c, puts a relay with latency per direction in
// front of it and returns the round trips the first authenticated call
// took: wall time over 2×latency, rounded. cacheDir holds the public client
// config cache of the "authwire+cache" client; it is filled by a first,
// unmeasured program.
func Measure(ctx context.Context, c Case, latency time.Duration, cacheDir string) (float64, error) {
	var opts []authtest.Option
	if c.Backend == "flyte2" {
		opts = append(opts, authtest.WithFlyte2())
	}
	srv, err := authtest.Start(opts...)
	if err != nil {
		return 0, err
	}
	defer srv.Close()
	relay, err := NewRelay(srv.Endpoint(), latency)
	if err != nil {
		return 0, err
	}
	defer relay.Close()
	run := func() (time.Duration, error) {
		base := &http.Transport{
			DialContext:       relay.Dial,
			TLSClientConfig:   &tls.Config{RootCAs: srv.CertPool(), MinVersion: tls.VersionTLS13},
			ForceAttemptHTTP2: true,
		}
		defer base.CloseIdleConnections()
		start := time.Now()
		if c.Client == "naive" {
			err = naive(ctx, srv, base)
		} else {
			err = stack(ctx, srv, base, c.Client == "authwire+cache", cacheDir)
		}
		return time.Since(start), err
	}
	if c.Client == "authwire+cache" {
		if _, err := run(); err != nil { // the previous program, which wrote the file
			return 0, err
		}
	}
	d, err := run()
	if err != nil {
		return 0, err
	}
	return d.Seconds() / (2 * latency).Seconds(), nil
}

func platform(srv *authtest.Server) *config.Platform {
	return &config.Platform{Endpoint: srv.Endpoint(), AuthType: config.AuthClientSecret, ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret()}
}

// stack is authwire's cold start: transport.New, then one call.
func stack(ctx context.Context, srv *authtest.Server, base http.RoundTripper, cache bool, cacheDir string) error {
	opts := []transport.Option{transport.WithBaseTransport(base)}
	if cache {
		opts = append(opts, transport.WithPublicConfigCacheDir(cacheDir))
	}
	rt, err := transport.New(ctx, platform(srv), opts...)
	if err != nil {
		return err
	}
	_, err = authtest.NewVersionClient(&http.Client{Transport: rt}, srv.URL()).CallUnary(ctx, connect.NewRequest(&authtest.GetVersionRequest{}))
	return err
}

// naive is a client that asks the metadata one RPC at a time, Flyte 1's
// first and Flyte 2's after a 404, as a straightforward port of the Python
// clients would: GetPublicClientConfig, GetOAuth2Metadata, token, call.
func naive(ctx context.Context, srv *authtest.Server, base http.RoundTripper) error {
	hc := &http.Client{Transport: base}
	service := "/flyteidl.service.AuthMetadataService/"
	var public map[string]any
	if err := rpcJSON(ctx, hc, srv.URL()+service+"GetPublicClientConfig", &public); err != nil {
		if connect.CodeOf(err) != connect.CodeUnimplemented {
			return err
		}
		service = "/flyteidl2.auth.AuthMetadataService/"
		if err := rpcJSON(ctx, hc, srv.URL()+service+"GetPublicClientConfig", &public); err != nil {
			return err
		}
	}
	var meta struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := rpcJSON(ctx, hc, srv.URL()+service+"GetOAuth2Metadata", &meta); err != nil {
		return err
	}
	cc := clientcredentials.Config{ClientID: srv.ClientID(), ClientSecret: srv.ClientSecret(), TokenURL: meta.TokenEndpoint}
	tok, err := cc.Token(context.WithValue(ctx, oauth2HTTPClient, hc))
	if err != nil {
		return err
	}
	req := connect.NewRequest(&authtest.GetVersionRequest{})
	req.Header().Set("Authorization", "Bearer "+tok.AccessToken)
	_, err = authtest.NewVersionClient(hc, srv.URL()).CallUnary(ctx, req)
	return err
}

// rpcJSON makes a Connect unary call with a JSON body of {}.
func rpcJSON(ctx context.Context, hc *http.Client, url string, out any) error {
	c := connect.NewClient[struct{}, json.RawMessage](hc, url, connect.WithCodec(jsonCodec{}))
	resp, err := c.CallUnary(ctx, connect.NewRequest(&struct{}{}))
	if err != nil {
		return err
	}
	return json.Unmarshal(*resp.Msg, out)
}

type jsonCodec struct{}

func (jsonCodec) Name() string { return "json" }

func (jsonCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

func (jsonCodec) Unmarshal(data []byte, v any) error {
	raw, ok := v.(*json.RawMessage)
	if !ok {
		return errors.New("coldstart: want *json.RawMessage")
	}
	*raw = append((*raw)[:0], data...)
	return nil
}

// Table formats results as the README's Markdown table.
func Table(rows map[Case]float64) string {
	var b strings.Builder
	b.WriteString("| backend | authwire | authwire, cached client config | naive (one metadata RPC at a time) |\n|---|---|---|---|\n")
	for _, be := range []string{"flyte1", "flyte2"} {
		fmt.Fprintf(&b, "| %s | %.1f | %.1f | %.1f |\n", be, rows[Case{be, "authwire"}], rows[Case{be, "authwire+cache"}], rows[Case{be, "naive"}])
	}
	return b.String()
}

// oauth2HTTPClient is golang.org/x/oauth2's context key for the HTTP client.
var oauth2HTTPClient = oauth2.HTTPClient //nolint:gochecknoglobals // an alias of the library key
