package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"connectrpc.com/connect"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/singleflight"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/idl"
)

// maxMetadataBody bounds a REST metadata answer.
const maxMetadataBody = 1 << 20

// RemoteConfigStore asks the server's AuthMetadataService for the client
// configuration (flytekit's RemoteClientConfigStore): GetPublicClientConfig
// and GetOAuth2Metadata, over gRPC by default (flyteadmin is a grpc-go
// server), each falling back to its REST route (/config/v1/flyte_client,
// /.well-known/oauth-authorization-server) when the RPC fails.
//
// The answer is cached on success, and concurrent callers share one round
// (both RPCs once, in parallel); a failure is not cached, so the next call
// tries again. It is safe for concurrent use.
type RemoteConfigStore struct {
	session  *http.Client
	baseURL  string
	meta     *connect.Client[idl.Empty, idl.OAuth2Metadata]
	public   *connect.Client[idl.Empty, idl.PublicClientConfig]
	cached   atomic.Pointer[ClientConfig]
	inflight singleflight.Group
}

// StoreOption configures [NewRemoteConfigStore].
type StoreOption interface{ applyStore(*storeOptions) }

type storeOptions struct {
	protocol    Protocol
	connectOpts []connect.ClientOption
}

// Protocol is the wire protocol of the AuthMetadataService calls.
type Protocol int

const (
	// ProtocolGRPC is the default: flyteadmin is a grpc-go server.
	ProtocolGRPC Protocol = iota
	// ProtocolGRPCWeb suits servers behind a gRPC-Web-only gateway.
	ProtocolGRPCWeb
	// ProtocolConnect suits connect-go servers.
	ProtocolConnect
)

func (p Protocol) clientOptions() []connect.ClientOption {
	switch p {
	case ProtocolGRPCWeb:
		return []connect.ClientOption{connect.WithGRPCWeb()}
	case ProtocolConnect:
		return nil
	}
	return []connect.ClientOption{connect.WithGRPC()}
}

// WithProtocol selects the protocol of the two RPCs (default gRPC).
func WithProtocol(p Protocol) StoreOption {
	return storeOptionFunc(func(o *storeOptions) { o.protocol = p })
}

type storeOptionFunc func(*storeOptions)

func (f storeOptionFunc) applyStore(o *storeOptions) { f(o) }

// WithConnectOptions passes further options (compression, interceptors) to
// the connect clients of the two RPCs.
func WithConnectOptions(opts ...connect.ClientOption) StoreOption {
	return storeOptionFunc(func(o *storeOptions) { o.connectOpts = append(o.connectOpts, opts...) })
}

// NewRemoteConfigStore returns a store that asks the server at baseURL
// ("https://host:port") through session, which should be the proxy layer over
// the base transport (never the bearer layer: these RPCs are anonymous).
func NewRemoteConfigStore(session *http.Client, baseURL string, opts ...StoreOption) *RemoteConfigStore {
	var o storeOptions
	for _, opt := range opts {
		opt.applyStore(&o)
	}
	if session == nil {
		session = http.DefaultClient
	}
	baseURL = strings.TrimRight(baseURL, "/")
	copts := append(o.protocol.clientOptions(), idl.CodecOptions())
	copts = append(copts, o.connectOpts...)
	return &RemoteConfigStore{
		session: session,
		baseURL: baseURL,
		meta:    connect.NewClient[idl.Empty, idl.OAuth2Metadata](session, baseURL+idl.GetOAuth2MetadataProcedure, copts...),
		public:  connect.NewClient[idl.Empty, idl.PublicClientConfig](session, baseURL+idl.GetPublicClientConfigProcedure, copts...),
	}
}

// ClientConfig returns the server's client configuration. A server that has
// neither the RPCs nor the REST routes gives an *errs.Error with code
// Unimplemented.
func (s *RemoteConfigStore) ClientConfig(ctx context.Context) (*ClientConfig, error) {
	if cc := s.cached.Load(); cc != nil {
		return cc, nil
	}
	ch := s.inflight.DoChan("", func() (any, error) {
		if cc := s.cached.Load(); cc != nil {
			return cc, nil
		}
		cc, err := s.fetch(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		s.cached.Store(cc)
		return cc, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*ClientConfig), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *RemoteConfigStore) fetch(ctx context.Context) (*ClientConfig, error) {
	var meta *idl.OAuth2Metadata
	var public *idl.PublicClientConfig
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		meta, err = fetchOne(gctx, s, s.meta, idl.OAuth2MetadataPath)
		return err
	})
	g.Go(func() (err error) {
		public, err = fetchOne(gctx, s, s.public, idl.PublicClientConfigPath)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return &ClientConfig{
		Issuer:                      meta.Issuer,
		TokenEndpoint:               meta.TokenEndpoint,
		AuthorizationEndpoint:       meta.AuthorizationEndpoint,
		DeviceAuthorizationEndpoint: meta.DeviceAuthorizationEndpoint,
		ScopesSupported:             meta.ScopesSupported,
		GrantTypesSupported:         meta.GrantTypesSupported,
		ClientID:                    public.ClientID,
		RedirectURI:                 public.RedirectURI,
		Scopes:                      public.Scopes,
		AuthorizationMetadataKey:    public.AuthorizationMetadataKey,
		ServiceHTTPEndpoint:         public.ServiceHTTPEndpoint,
		Audience:                    public.Audience,
	}, nil
}

// fetchOne calls one RPC and, if it fails for a reason other than the
// caller's context, its REST route.
func fetchOne[T any](ctx context.Context, s *RemoteConfigStore, c *connect.Client[idl.Empty, T], path string) (*T, error) {
	resp, rpcErr := c.CallUnary(ctx, connect.NewRequest(&idl.Empty{}))
	if rpcErr == nil {
		return resp.Msg, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	msg := new(T)
	restErr := s.getJSON(ctx, path, msg)
	if restErr == nil {
		return msg, nil
	}
	code := errs.Unavailable
	if isAbsent(rpcErr) && errors.Is(restErr, errRouteAbsent) {
		code = errs.Unimplemented
	}
	return nil, &errs.Error{
		Code:    code,
		Op:      "authn",
		Message: "cannot get the client configuration from " + s.baseURL,
		Err:     fmt.Errorf("rpc: %w; rest %s: %w", rpcErr, path, restErr),
	}
}

var errRouteAbsent = errors.New("route not found")

func isAbsent(err error) bool {
	c := connect.CodeOf(err)
	return c == connect.CodeUnimplemented || c == connect.CodeNotFound
}

func (s *RemoteConfigStore) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.baseURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.session.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBody))
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusNotImplemented:
		return fmt.Errorf("HTTP %d: %w", resp.StatusCode, errRouteAbsent)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}
