package flyte2_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/conformance/peers/flyte2"
	"github.com/authwire/authwire/conformance/peers/flyte2/gen/authpb"
	"github.com/authwire/authwire/conformance/peers/flyte2/gen/authpb/authpbconnect"
	"github.com/authwire/authwire/conformance/peers/pki"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/transport"
)

var certs *pki.Files

func TestMain(m *testing.M) { os.Exit(pki.Main(m, "authwire-flyte2-", &certs)) }

func start(t *testing.T, withMetadata bool) *flyte2.Server {
	t.Helper()
	s, err := flyte2.Start(certs.CertFile, certs.KeyFile, withMetadata)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func peerClient() *http.Client {
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: certs.TLSClientConfig(), Protocols: &p, Proxy: nil}}
}

var protocols = []struct {
	name  string
	opts  []connect.ClientOption
	store authn.Protocol
}{
	{"connect", nil, authn.ProtocolConnect},
	{"grpc", []connect.ClientOption{connect.WithGRPC()}, authn.ProtocolGRPC},
	{"grpcweb", []connect.ClientOption{connect.WithGRPCWeb()}, authn.ProtocolGRPCWeb},
}

// TestGeneratedClientReadsAuthtest: code generated from the independent
// .proto decodes authtest's Flyte 2 answers, dataplane_domain included.
func TestGeneratedClientReadsAuthtest(t *testing.T) {
	t.Parallel()
	srv := authtest.New(t, authtest.WithFlyte2(), authtest.WithDataplaneDomain("https://dp.example.org"))
	for _, p := range protocols {
		c := authpbconnect.NewAuthMetadataServiceClient(srv.HTTPClient(), srv.URL(), p.opts...)
		pub, err := c.GetPublicClientConfig(t.Context(), connect.NewRequest(&authpb.GetPublicClientConfigRequest{}))
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if m := pub.Msg; m.GetClientId() != "flytectl" || m.GetDataplaneDomain() != "https://dp.example.org" || m.GetAuthorizationMetadataKey() != "authorization" || len(m.GetScopes()) == 0 {
			t.Fatalf("%s: public client config %v", p.name, m)
		}
		meta, err := c.GetOAuth2Metadata(t.Context(), connect.NewRequest(&authpb.GetOAuth2MetadataRequest{}))
		if err != nil || meta.Msg.GetTokenEndpoint() != srv.TokenURL() || meta.Msg.GetDeviceAuthorizationEndpoint() == "" {
			t.Fatalf("%s: metadata %v, %v", p.name, meta, err)
		}
	}
}

// TestStoreReadsThePeer: authwire's hand-written codec reads the generated
// server's answers over every protocol and detects Flyte 2.
func TestStoreReadsThePeer(t *testing.T) {
	t.Parallel()
	peer := start(t, true)
	for _, p := range protocols {
		cc, err := authn.NewRemoteConfigStore(peerClient(), peer.URL(), authn.WithProtocol(p.store)).ClientConfig(t.Context())
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if cc.API != authn.APIV2 || cc.DataplaneDomain != peer.URL() || cc.TokenEndpoint != peer.TokenURL() || cc.ClientID != "flytectl" {
			t.Fatalf("%s: %+v", p.name, cc)
		}
	}
}

// TestAbsentPathsAgree: both servers answer the same statuses for the
// paths a Flyte 2 server does not serve, and for the well-known route.
func TestAbsentPathsAgree(t *testing.T) {
	t.Parallel()
	for _, withMetadata := range []bool{true, false} {
		peer := start(t, withMetadata)
		opts := []authtest.Option{authtest.WithFlyte2()}
		if !withMetadata {
			opts = append(opts, authtest.WithoutOAuth2Metadata())
		}
		srv := authtest.New(t, opts...)
		for _, req := range []struct{ method, path string }{
			{http.MethodPost, "/flyteidl.service.AuthMetadataService/GetPublicClientConfig"},
			{http.MethodGet, "/config/v1/flyte_client"},
			{http.MethodGet, flyte2.WellKnownPath},
		} {
			a := status(t, peerClient(), req.method, peer.URL()+req.path)
			b := status(t, srv.HTTPClient(), req.method, srv.URL()+req.path)
			if a != b {
				t.Errorf("metadata %v, %s %s: peer %d, authtest %d", withMetadata, req.method, req.path, a, b)
			}
		}
	}
}

func status(t *testing.T, c *http.Client, method, url string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestWellKnownKeysAgree: authtest's protojson keys are the generated
// message's JSON names.
func TestWellKnownKeysAgree(t *testing.T) {
	t.Parallel()
	fields := (&authpb.GetOAuth2MetadataResponse{}).ProtoReflect().Descriptor().Fields()
	names := map[string]bool{}
	for i := range fields.Len() {
		names[fields.Get(i).JSONName()] = true
	}
	srv := authtest.New(t, authtest.WithFlyte2())
	resp, err := srv.HTTPClient().Get(srv.URL() + flyte2.WellKnownPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	for k := range m {
		if !names[k] {
			t.Errorf("authtest's well-known key %q is not a JSON name of GetOAuth2MetadataResponse", k)
		}
	}
}

func echo(ctx context.Context, c *http.Client, base string, opts ...connect.ClientOption) error {
	client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](c, base+flyte2.EchoProcedure, opts...)
	resp, err := client.CallUnary(ctx, connect.NewRequest(wrapperspb.String("hi")))
	if err != nil {
		return err
	}
	if resp.Msg.GetValue() != "hi" {
		return fmt.Errorf("echo answered %q", resp.Msg.GetValue())
	}
	return nil
}

// TestStackAgainstThePeer: the same configuration as for Flyte 1 works over
// every protocol with one token request and one metadata round; a
// revocation costs one token request and one replay.
func TestStackAgainstThePeer(t *testing.T) {
	t.Parallel()
	peer := start(t, true)
	cfg := &config.Platform{Endpoint: peer.Endpoint(), CACertFilePath: certs.CAFile, AuthType: config.AuthClientSecret, ClientID: peer.ClientID(), ClientSecret: peer.ClientSecret()}
	c, err := transport.NewClient(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	for _, p := range protocols {
		if err := echo(t.Context(), c, peer.URL(), p.opts...); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
	}
	attempts, tokens, metadata := peer.Counts()
	if attempts != 3 || tokens != 1 || metadata != 2 {
		t.Fatalf("attempts %d, token requests %d, metadata calls %d; want 3, 1, 2", attempts, tokens, metadata)
	}
	peer.RevokeAll()
	if err := echo(t.Context(), c, peer.URL(), connect.WithGRPC()); err != nil {
		t.Fatal(err)
	}
	a2, t2, m2 := peer.Counts()
	if a2-attempts != 2 || t2-tokens != 1 || m2 != metadata {
		t.Fatalf("after a revocation: +%d attempts, +%d token requests, +%d metadata; want +2, +1, +0", a2-attempts, t2-tokens, m2-metadata)
	}
}

func TestStackAgainstThePeerWithoutMetadata(t *testing.T) {
	t.Parallel()
	peer := start(t, false)
	cfg := &config.Platform{Endpoint: peer.Endpoint(), CACertFilePath: certs.CAFile, AuthType: config.AuthClientSecret, ClientID: peer.ClientID(), ClientSecret: peer.ClientSecret()}
	c, err := transport.NewClient(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = echo(t.Context(), c, peer.URL())
	if errs.CodeOf(err) != errs.InvalidArgument || !strings.Contains(err.Error(), "tokenUrl") || !strings.Contains(err.Error(), "runs.authMetadata.externalAuthServerBaseUrl") {
		t.Fatalf("err = %v, want one naming tokenUrl and runs.authMetadata.externalAuthServerBaseUrl", err)
	}
	cfg.TokenURL = peer.TokenURL()
	if c, err = transport.NewClient(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	if err := echo(t.Context(), c, peer.URL(), connect.WithGRPCWeb()); err != nil {
		t.Fatalf("with tokenUrl: %v", err)
	}
}
