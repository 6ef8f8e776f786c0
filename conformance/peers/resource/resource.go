// Package resource is a Flyte-like protected service for tests against real
// authorization servers: it checks every bearer token by RFC 7662
// introspection at the authorization server (so a revocation there takes
// effect at once), publishes that server's RFC 8414 metadata at
// /.well-known/oauth-authorization-server and a public client configuration
// at /config/v1/flyte_client, as flyteadmin does in front of an external
// IdP. Its protected routes are [UnaryProcedure], the Unary method of
// authtest's TestService (google.protobuf.StringValue in and out, echoed),
// and the REST route GET /api/v1/echo?msg=x.
//
// It listens on 127.0.0.1 at a free port, cleartext HTTP/1.1 and h2c.
package resource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// UnaryProcedure is the protected RPC: it echoes a StringValue.
const UnaryProcedure = "/authwire.test.v1.TestService/Unary"

// NewClient returns a connect client of [UnaryProcedure] at baseURL.
func NewClient(httpClient connect.HTTPClient, baseURL string, opts ...connect.ClientOption) *connect.Client[wrapperspb.StringValue, wrapperspb.StringValue] {
	return connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](httpClient, strings.TrimRight(baseURL, "/")+UnaryProcedure, opts...)
}

// An Introspector reports whether token is active. It must be safe for
// concurrent use.
type Introspector func(ctx context.Context, token string) (active bool, err error)

// PublicClient is what /config/v1/flyte_client publishes.
type PublicClient struct {
	ClientID                 string   `json:"client_id"`
	RedirectURI              string   `json:"redirect_uri"`
	Scopes                   []string `json:"scopes"`
	AuthorizationMetadataKey string   `json:"authorization_metadata_key"`
	Audience                 string   `json:"audience,omitempty"`
}

// Config configures a [Server].
type Config struct {
	// MetadataURL is the authorization server's RFC 8414 (or OpenID
	// discovery) document, served unchanged at
	// /.well-known/oauth-authorization-server. Empty serves 404 there.
	MetadataURL string
	// Introspect checks tokens; it must not be nil.
	Introspect Introspector
	// Public is served at /config/v1/flyte_client.
	Public PublicClient
	// Client fetches the metadata; nil means a client without proxy that
	// trusts nothing but the system roots.
	Client *http.Client
}

// Counters is what a [Server] has seen.
type Counters struct {
	Attempts        int64 // calls to protected routes, before the token check
	Unauthenticated int64 // calls rejected for a missing or inactive token
	Metadata        int64 // GETs of the two metadata routes
}

// Server is a running protected service. Its methods are safe for
// concurrent use.
type Server struct {
	cfg      Config
	srv      *http.Server
	endpoint string

	attempts, unauthenticated, metadata atomic.Int64
}

// Start starts a server; the caller must call [Server.Close].
func Start(cfg Config) (*Server, error) {
	if cfg.Introspect == nil {
		return nil, errors.New("resource: nil Introspect")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("resource: listen: %w", err)
	}
	s := &Server{cfg: cfg, endpoint: ln.Addr().String()}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	s.srv = &http.Server{Handler: s.routes(), Protocols: &protocols, ReadHeaderTimeout: 30 * time.Second}
	go s.srv.Serve(ln) //nolint:errcheck // ErrServerClosed on Close
	return s, nil
}

// URL returns "http://127.0.0.1:PORT".
func (s *Server) URL() string { return "http://" + s.endpoint }

// Endpoint returns "127.0.0.1:PORT".
func (s *Server) Endpoint() string { return s.endpoint }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Counters returns a snapshot of the counters.
func (s *Server) Counters() Counters {
	return Counters{Attempts: s.attempts.Load(), Unauthenticated: s.unauthenticated.Load(), Metadata: s.metadata.Load()}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.serveMetadata)
	mux.HandleFunc("GET /config/v1/flyte_client", func(w http.ResponseWriter, _ *http.Request) {
		s.metadata.Add(1)
		writeJSON(w, http.StatusOK, s.cfg.Public)
	})
	mux.Handle(UnaryProcedure, connect.NewUnaryHandler(UnaryProcedure,
		func(ctx context.Context, req *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			if err := s.check(ctx, req.Header()); err != nil {
				return nil, err
			}
			return connect.NewResponse(wrapperspb.String(req.Msg.GetValue())), nil
		}))
	mux.HandleFunc("GET /api/v1/echo", func(w http.ResponseWriter, r *http.Request) {
		if err := s.check(r.Context(), r.Header); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "unauthenticated", "message": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"msg": r.URL.Query().Get("msg")})
	})
	return mux
}

// check counts the attempt and introspects the bearer token of the
// configured metadata key (default authorization).
func (s *Server) check(ctx context.Context, h http.Header) error {
	s.attempts.Add(1)
	key := s.cfg.Public.AuthorizationMetadataKey
	if key == "" {
		key = "authorization"
	}
	scheme, token, _ := strings.Cut(h.Get(key), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		s.unauthenticated.Add(1)
		return connect.NewError(connect.CodeUnauthenticated, errors.New("resource: missing bearer token"))
	}
	active, err := s.cfg.Introspect(ctx, token)
	if err != nil {
		return connect.NewError(connect.CodeUnavailable, fmt.Errorf("resource: introspection: %w", err))
	}
	if !active {
		s.unauthenticated.Add(1)
		return connect.NewError(connect.CodeUnauthenticated, errors.New("resource: token is not active"))
	}
	return nil
}

func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	s.metadata.Add(1)
	if s.cfg.MetadataURL == "" {
		http.NotFound(w, r)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, s.cfg.MetadataURL, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		http.Error(w, "resource: metadata: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, io.LimitReader(resp.Body, 1<<20)) //nolint:errcheck // the client went away
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data) //nolint:errcheck // the client went away
}
