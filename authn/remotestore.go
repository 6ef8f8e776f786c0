package authn

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"connectrpc.com/connect"
	"golang.org/x/sync/singleflight"

	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/idl"
)

// maxMetadataBody bounds every metadata answer, RPC or REST: RFC 8414
// documents are a few kilobytes.
const maxMetadataBody = 1 << 20

// RemoteConfigStore asks the server's AuthMetadataService for the client
// configuration (flytekit's RemoteClientConfigStore): GetPublicClientConfig
// and GetOAuth2Metadata, concurrently, over gRPC by default.
//
// It speaks both generations of the service: Flyte 1's
// flyteidl.service.AuthMetadataService (flyteadmin), falling back to its
// REST routes (/config/v1/flyte_client, /.well-known/oauth-authorization-
// server) when an RPC fails, and Flyte 2's flyteidl2.auth.AuthMetadataService.
// With [APIAuto] (the default) the first discovery sends both generations'
// RPCs at once and keeps the generation whose GetPublicClientConfig
// answered; later discoveries ask only that generation. A path counts as
// missing only when the server says so (see [API]); Unauthenticated,
// PermissionDenied, Unavailable, deadlines and cancellations are returned as
// they are. Each answer is read up to 1 MiB and validated before use.
//
// The answer is cached on success, and concurrent callers share one round;
// a failure is not cached, so the next call tries again. It is safe for
// concurrent use.
type RemoteConfigStore struct {
	session  *http.Client
	baseURL  string
	pinned   API
	detected atomic.Int32 // the API that answered; 0 (APIAuto) until then
	v1, v2   apiClients
	cached   atomic.Pointer[ClientConfig]
	inflight singleflight.Group
	disk     *publicConfigCache // nil: no file cache
	skipDisk atomic.Bool        // the next discovery ignores the file
	fromDisk atomic.Bool        // the cached answer's public part came from the file
	// apiFromDisk: the whole cached answer, generation included, came from
	// the file.
	apiFromDisk atomic.Bool
}

// apiClients are the two RPC clients of one generation.
type apiClients struct {
	api    API
	meta   *connect.Client[idl.Empty, idl.OAuth2Metadata]
	public *connect.Client[idl.Empty, idl.PublicClientConfig]
}

// StoreOption configures [NewRemoteConfigStore].
type StoreOption interface{ applyStore(*storeOptions) }

type storeOptions struct {
	protocol    Protocol
	api         API
	connectOpts []connect.ClientOption
	disk        *publicConfigCache
}

// Protocol is the wire protocol of the AuthMetadataService calls.
type Protocol int

const (
	// ProtocolGRPC is the default: flyteadmin is a grpc-go server, and Flyte
	// 2's connect-go handler speaks gRPC too.
	ProtocolGRPC Protocol = iota
	// ProtocolGRPCWeb suits servers behind a gRPC-Web-only gateway.
	ProtocolGRPCWeb
	// ProtocolConnect suits connect-go servers (Flyte 2).
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

// WithProtocol selects the protocol of the RPCs (default gRPC).
func WithProtocol(p Protocol) StoreOption {
	return storeOptionFunc(func(o *storeOptions) { o.protocol = p })
}

// WithAPI pins the generation of the AuthMetadataService (default
// [APIAuto]): [APIV1] never asks Flyte 2's paths, [APIV2] never asks Flyte
// 1's paths or REST routes.
func WithAPI(api API) StoreOption {
	return storeOptionFunc(func(o *storeOptions) { o.api = api })
}

// WithPublicConfigCache keeps the client configuration in file (see
// [PublicConfigCacheFile]), in flyte-sdk's format, so either reuses the
// other's: flyte-sdk's keys hold the public client config, authType and
// insecure written as flyte-sdk writes them, and authwire's key
// authwireOAuth2Metadata (which flyte-sdk ignores) holds the
// GetOAuth2Metadata answer (or Flyte 2's "none") and the generation that
// gave it. A file with both parts answers in place of both RPCs; one with
// only flyte-sdk's keys (client id, redirect URI, header and scopes) answers
// in place of GetPublicClientConfig. A file is used only when it passes the
// checks a server's answer passes and its endpoints are ones credentials may
// go to under insecure; else it is ignored as a whole. The file is rewritten
// when the server's answer differs from it, and ignored by the discovery after a rejection
// ([RemoteConfigStore.Rejected]) or [RemoteConfigStore.Invalidate]. A file that cannot be
// read or written costs only the cache. The file is 0600 in a 0700
// directory. file "" turns the cache off.
func WithPublicConfigCache(file, authType string, insecure bool) StoreOption {
	return storeOptionFunc(func(o *storeOptions) {
		o.disk = nil
		if file != "" {
			o.disk = &publicConfigCache{path: file, authType: authType, insecure: insecure}
		}
	})
}

type storeOptionFunc func(*storeOptions)

func (f storeOptionFunc) applyStore(o *storeOptions) { f(o) }

// WithConnectOptions passes further options (compression, interceptors) to
// the connect clients of the RPCs.
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
	copts := append(o.protocol.clientOptions(), idl.CodecOptions(), connect.WithReadMaxBytes(maxMetadataBody))
	copts = append(copts, o.connectOpts...)
	hc := observingClient{session}
	clients := func(api API, metaProc, publicProc string) apiClients {
		return apiClients{
			api:    api,
			meta:   connect.NewClient[idl.Empty, idl.OAuth2Metadata](hc, baseURL+metaProc, copts...),
			public: connect.NewClient[idl.Empty, idl.PublicClientConfig](hc, baseURL+publicProc, copts...),
		}
	}
	return &RemoteConfigStore{
		session: session,
		baseURL: baseURL,
		pinned:  o.api,
		disk:    o.disk,
		v1:      clients(APIV1, idl.GetOAuth2MetadataProcedure, idl.GetPublicClientConfigProcedure),
		v2:      clients(APIV2, idl.GetOAuth2MetadataProcedureV2, idl.GetPublicClientConfigProcedureV2),
	}
}

// API returns the generation of the AuthMetadataService this store asks: the
// pinned one, else the one that answered the last discovery (or that the
// cache file recorded, when the file answered), else
// [APIAuto] before any discovery succeeded. It is what `authwire doctor`
// reports.
func (s *RemoteConfigStore) API() API {
	if s.pinned != APIAuto {
		return s.pinned
	}
	return API(s.detected.Load())
}

// ClientConfig returns the server's client configuration. A server that
// publishes none, in either generation, gives an *errs.Error with code
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
		s.detected.Store(int32(cc.API))
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

// Rejected tells the store that the server rejected a credential obtained
// with its answer. An answer that came from the cache file, in whole or its
// public part, is dropped and the file ignored by the next discovery, which
// rewrites it if the server's answer differs (and detects the generation
// again when the file gave it); an answer fresh from the server is kept, so
// a revoked token costs no metadata round. The stack calls it on every
// rejection and failed token request.
func (s *RemoteConfigStore) Rejected() {
	if s.fromDisk.Load() {
		if s.apiFromDisk.Swap(false) && s.pinned == APIAuto {
			s.detected.Store(int32(APIAuto)) // the file's generation is not the server's word
		}
		s.Invalidate()
	}
}

// Invalidate drops the cached answer, so the next ClientConfig asks the
// server again, both RPCs, whatever the cache file says (the generation it
// detected is kept).
func (s *RemoteConfigStore) Invalidate() {
	s.skipDisk.Store(true)
	s.cached.Store(nil)
}

// result is the outcome of one RPC.
type result[T any] struct {
	msg   *T
	err   error
	probe probe
}

// round is one generation's pair of RPCs.
type round struct {
	api    API
	meta   result[idl.OAuth2Metadata]
	public result[idl.PublicClientConfig]
}

// fetch runs one discovery: the known generation's two RPCs, or both
// generations' four at once, all concurrently. A usable cache file with both
// parts answers alone, no RPC sent; one with only the public part (written
// by flyte-sdk) answers for GetPublicClientConfig, and GetOAuth2Metadata
// decides the generation. The server's answer is written to the file.
func (s *RemoteConfigStore) fetch(ctx context.Context) (*ClientConfig, error) {
	var file fileAnswer
	if s.disk != nil && !s.skipDisk.Load() {
		file = s.disk.load()
		if s.pinned != APIAuto && file.api != s.pinned {
			file.meta = nil // written by the other generation: ask the pinned one
		}
	}
	if cc, ok := file.complete(); ok {
		s.fromDisk.Store(true)
		s.apiFromDisk.Store(true)
		return cc, nil
	}
	cachedPublic := file.public
	var rounds []*round
	switch s.API() {
	case APIV1:
		rounds = []*round{{api: APIV1}}
	case APIV2:
		rounds = []*round{{api: APIV2}}
	default:
		rounds = []*round{{api: APIV1}, {api: APIV2}}
	}
	var wg sync.WaitGroup
	for _, r := range rounds {
		c := s.clientsOf(r.api)
		wg.Go(func() { r.meta = call(ctx, c.meta) })
		if cachedPublic != nil {
			r.public.msg = cachedPublic
		} else {
			wg.Go(func() { r.public = call(ctx, c.public) })
		}
	}
	wg.Wait()
	var cc *ClientConfig
	var err error
	switch {
	case len(rounds) == 1:
		cc, err = s.finish(ctx, rounds[0])
	default:
		cc, err = s.decide(ctx, rounds[0], rounds[1], cachedPublic != nil)
	}
	if err != nil {
		return nil, err
	}
	s.fromDisk.Store(cachedPublic != nil)
	s.apiFromDisk.Store(false)
	if s.disk != nil {
		s.disk.save(cc)
		s.skipDisk.Store(false)
	}
	return cc, nil
}

func (s *RemoteConfigStore) clientsOf(api API) apiClients {
	if api == APIV2 {
		return s.v2
	}
	return s.v1
}

// decide picks the generation after an auto discovery by GetPublicClientConfig
// (by GetOAuth2Metadata when byMeta: the public config came from the cache
// file): the generation it answered in, a Flyte 2 GetOAuth2Metadata's wire
// Unimplemented counting as an answer; else a Flyte 2 server's own failure
// when Flyte 1's path is missing; else Flyte 1 (with its REST fallback).
func (s *RemoteConfigStore) decide(ctx context.Context, v1, v2 *round, byMeta bool) (*ClientConfig, error) {
	err1, p1, err2, p2, procedure2 := v1.public.err, &v1.public.probe, v2.public.err, &v2.public.probe, idl.GetPublicClientConfigProcedureV2
	if byMeta {
		err1, p1, err2, p2, procedure2 = v1.meta.err, &v1.meta.probe, v2.meta.err, &v2.meta.probe, idl.GetOAuth2MetadataProcedureV2
	}
	answered2 := err2 == nil || byMeta && connect.CodeOf(err2) == connect.CodeUnimplemented && !absent(err2, p2)
	switch {
	case err1 == nil:
		return s.finish(ctx, v1)
	case answered2:
		return s.finish(ctx, v2)
	case absent(err1, p1) && !absent(err2, p2):
		return nil, s.rpcError(ctx, err2, procedure2)
	}
	return s.finish(ctx, v1)
}

// finish completes one generation's answer: Flyte 1 falls back to its REST
// routes for a failed RPC; Flyte 2 reads an Unimplemented GetOAuth2Metadata
// as a server without an authorization server.
func (s *RemoteConfigStore) finish(ctx context.Context, r *round) (*ClientConfig, error) {
	meta, public := r.meta.msg, r.public.msg
	noMeta := false
	if r.api == APIV1 {
		var metaErr, publicErr error
		var wg sync.WaitGroup
		if meta == nil {
			wg.Go(func() {
				meta, metaErr = viaREST[idl.OAuth2Metadata](ctx, s, r.meta.err, &r.meta.probe, idl.OAuth2MetadataPath)
			})
		}
		if public == nil {
			wg.Go(func() {
				public, publicErr = viaREST[idl.PublicClientConfig](ctx, s, r.public.err, &r.public.probe, idl.PublicClientConfigPath)
			})
		}
		wg.Wait()
		if err := cmp.Or(publicErr, metaErr); err != nil {
			return nil, err
		}
	} else {
		if public == nil {
			return nil, s.rpcError(ctx, r.public.err, idl.GetPublicClientConfigProcedureV2)
		}
		if meta == nil {
			if connect.CodeOf(r.meta.err) != connect.CodeUnimplemented && !absent(r.meta.err, &r.meta.probe) {
				return nil, s.rpcError(ctx, r.meta.err, idl.GetOAuth2MetadataProcedureV2)
			}
			meta, noMeta = &idl.OAuth2Metadata{}, true
		}
	}
	cc := merge(meta, public)
	cc.API, cc.NoOAuth2Metadata = r.api, noMeta
	if err := cc.validate(); err != nil {
		return nil, &errs.Error{Code: errs.Internal, Op: "authn", Message: "the client configuration from " + s.baseURL + " is invalid", Err: err, Hint: "fix the server's auth metadata, or set tokenUrl and clientId"}
	}
	return cc, nil
}

func merge(meta *idl.OAuth2Metadata, public *idl.PublicClientConfig) *ClientConfig {
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
		DataplaneDomain:             public.DataplaneDomain,
	}
}

// call runs one RPC, recording the HTTP answer beneath it.
func call[T any](ctx context.Context, c *connect.Client[idl.Empty, T]) (r result[T]) {
	resp, err := c.CallUnary(context.WithValue(ctx, probeKey{}, &r.probe), connect.NewRequest(&idl.Empty{}))
	if err != nil {
		r.err = err
		if r.probe.status == http.StatusProxyAuthRequired {
			// connect-go reads a 407 as Unknown; it is the proxy's refusal.
			r.err = connect.NewError(connect.CodeUnauthenticated, fmt.Errorf("%w: %w", errProxyRejected, err))
		}
		return r
	}
	r.msg = resp.Msg
	return r
}

// rpcError wraps a failed RPC: a too large answer is ResourceExhausted, a
// missing path Unimplemented, a deadline that is not ctx's (the session's
// bound on one request: the server did not answer in time) Unavailable,
// anything else keeps its code.
func (s *RemoteConfigStore) rpcError(ctx context.Context, err error, procedure string) error {
	e := &errs.Error{
		Code: errs.CodeOf(err), Op: "authn", Message: "cannot get the client configuration from " + s.baseURL, Err: fmt.Errorf("%s: %w", procedure, err),
		Hint: "check that the endpoint is the Flyte API (not the console) and that the server is up; authMetadataApi pins the generation",
	}
	switch {
	case errors.Is(err, errProxyRejected):
		e.Code, e.Message, e.Hint = errs.Unauthenticated, "the proxy in front of "+s.baseURL+" refused the request for the client configuration", proxyHint
	case connect.CodeOf(err) == connect.CodeResourceExhausted && !connect.IsWireError(err):
		e.Code, e.Message = errs.ResourceExhausted, "the client configuration from "+s.baseURL+" is larger than 1 MiB"
	case connect.CodeOf(err) == connect.CodeUnavailable || connect.CodeOf(err) == connect.CodeUnknown:
		e.Code = errs.Unavailable
	case connect.CodeOf(err) == connect.CodeDeadlineExceeded && ctx.Err() == nil:
		e.Code = errs.Unavailable
	}
	return e
}

// viaREST asks a Flyte 1 REST route after its RPC failed with rpcErr. It does
// not when the failure must be returned as it is (Unauthenticated,
// PermissionDenied, a too large answer, the context's end).
func viaREST[T any](ctx context.Context, s *RemoteConfigStore, rpcErr error, p *probe, path string) (*T, error) {
	switch connect.CodeOf(rpcErr) {
	case connect.CodeUnauthenticated, connect.CodePermissionDenied, connect.CodeCanceled, connect.CodeDeadlineExceeded, connect.CodeResourceExhausted:
		return nil, s.rpcError(ctx, rpcErr, path)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	msg := new(T)
	restErr := s.getJSON(ctx, path, msg)
	if restErr == nil {
		return msg, nil
	}
	code, hint := errs.Unavailable, "check the endpoint; set tokenUrl and clientId if the server publishes no auth metadata"
	switch {
	case errors.Is(restErr, errProxyRejected):
		code, hint = errs.Unauthenticated, proxyHint
	case errors.Is(restErr, errTooLarge):
		code = errs.ResourceExhausted
	case absent(rpcErr, p) && errors.Is(restErr, errRouteAbsent):
		code = errs.Unimplemented
	}
	return nil, &errs.Error{
		Code:    code,
		Op:      "authn",
		Message: "cannot get the client configuration from " + s.baseURL,
		Err:     fmt.Errorf("rpc: %w; rest %s: %w", rpcErr, path, restErr),
		Hint:    hint,
	}
}

var (
	errRouteAbsent   = errors.New("route not found")
	errTooLarge      = errors.New("answer larger than 1 MiB")
	errProxyRejected = errors.New("the proxy wants credentials (HTTP 407)")
)

// proxyHint is the hint of a proxy's 407 to a metadata request.
const proxyHint = "an authenticating proxy in front of the server wants credentials: set proxyCommand, or check what it prints"

// readBounded reads r to its end, at most limit bytes; tooLarge reports
// that r held more (b is then nil).
func readBounded(r io.Reader, limit int) (b []byte, tooLarge bool, err error) {
	b, err = io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err == nil && len(b) > limit {
		return nil, true, nil
	}
	return b, false, err
}

// getJSON reads a REST route's JSON answer into v, at most 1 MiB of it.
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
	body, tooLarge, err := readBounded(resp.Body, maxMetadataBody)
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusProxyAuthRequired:
		return errProxyRejected
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusNotImplemented || resp.StatusCode == http.StatusMethodNotAllowed:
		return fmt.Errorf("HTTP %d: %w", resp.StatusCode, errRouteAbsent)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	case tooLarge:
		return errTooLarge
	case strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/html"):
		return fmt.Errorf("an HTML page: %w", errRouteAbsent)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}
