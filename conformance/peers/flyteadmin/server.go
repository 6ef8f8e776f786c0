// Package flyteadmin is a stand-in for flyteadmin built from the real Flyte
// IDL (github.com/flyteorg/flyteidl v1.5.21): a grpc-go server with the
// AuthMetadataService and one protected AdminService method (ListProjects)
// behind a grpc-go auth interceptor, the grpc-gateway REST handlers
// generated from the same IDL, and a small client_credentials token
// endpoint that the published OAuth2 metadata points to.
//
// It runs in one of flyteadmin's two shapes (see [Mode]) on 127.0.0.1 at a
// free port, over TLS. Knobs (RevokeAll, RejectAll, FailNext) and Counters
// mirror authtest's, so the same scenarios can run against both and be
// compared.
package flyteadmin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyteidl/gen/pb-go/flyteidl/service"
	"github.com/grpc-ecosystem/grpc-gateway/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// Mode is how the server is exposed.
type Mode int

const (
	// Native serves gRPC with grpc-go's own HTTP/2 transport (grpc.Server.Serve):
	// a call rejected before any message gets a Trailers-Only response
	// (grpc-status in the HTTP headers). The token endpoint is on a second
	// port, like an external IdP. There is no REST.
	Native Mode = iota
	// SinglePort is flyteadmin's single-port TLS mode: one net/http server
	// hands gRPC requests to grpc.Server.ServeHTTP (grpc-status arrives in
	// the HTTP trailers after an empty body) and everything else to the
	// grpc-gateway REST handlers and the token endpoint.
	SinglePort
)

func (m Mode) String() string {
	if m == Native {
		return "grpc-native"
	}
	return "single-port"
}

// ListProjectsProcedure is the protected RPC.
const ListProjectsProcedure = "/flyteidl.service.AdminService/ListProjects"

// ProjectsPath is the protected REST route of ListProjects.
const ProjectsPath = "/api/v1/projects"

const (
	tokenPath   = "/oauth2/token"
	authMethods = "/flyteidl.service.AuthMetadataService/"
	tokenTTL    = time.Hour
)

// Counters is what the server has seen.
type Counters struct {
	Attempts        int64 // protected calls (gRPC or REST), before the token check
	Unauthenticated int64 // protected calls rejected for the token
	TokenRequests   int64 // token endpoint hits
	Metadata        int64 // AuthMetadataService calls, gRPC or REST
}

// Server is a running server; its methods are safe for concurrent use.
type Server struct {
	mode         Mode
	clientID     string
	clientSecret string
	url          string // the endpoint's base URL
	tokenURL     string

	grpc    *grpc.Server
	servers []*http.Server
	conns   []io.Closer

	mu        sync.Mutex
	tokens    map[string]time.Time // valid access tokens and their expiry
	rejectAll bool
	failures  []codes.Code

	attempts, unauthenticated, tokenRequests, metadataCalls atomic.Int64
}

// Start starts a server in mode with the TLS certificate in certFile and
// keyFile (PEM); the caller must call [Server.Close].
func Start(mode Mode, certFile, keyFile string) (*Server, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("flyteadmin: %w", err)
	}
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	s := &Server{
		mode:         mode,
		clientID:     "flytepropeller",
		clientSecret: rand.Text() + "+/:" + rand.Text(),
		tokens:       map[string]time.Time{},
	}
	opts := []grpc.ServerOption{grpc.UnaryInterceptor(s.authenticate)}
	if mode == Native {
		opts = append(opts, grpc.Creds(credentials.NewTLS(tlsConf)))
	}
	s.grpc = grpc.NewServer(opts...)
	service.RegisterAuthMetadataServiceServer(s.grpc, authMetadata{s})
	service.RegisterAdminServiceServer(s.grpc, &adminService{})

	main, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.url = "https://" + main.Addr().String()
	tokens := http.NewServeMux()
	tokens.HandleFunc("POST "+tokenPath, s.token)

	if mode == Native {
		tokenLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			main.Close()
			return nil, err
		}
		s.tokenURL = "https://" + tokenLn.Addr().String() + tokenPath
		go s.grpc.Serve(main) //nolint:errcheck // ends with Stop
		s.serveTLS(tokenLn, tokens, tlsConf)
		return s, nil
	}

	// Single port: the gateway reaches the gRPC server in process.
	s.tokenURL = s.url + tokenPath
	inproc := bufconn.Listen(1 << 20)
	go s.grpc.Serve(inproc) //nolint:errcheck // ends with Stop
	conn, err := grpc.NewClient("passthrough:///flyteadmin",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return inproc.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		main.Close()
		return nil, err
	}
	s.conns = append(s.conns, conn)
	gateway := runtime.NewServeMux()
	ctx := context.Background()
	if err := service.RegisterAuthMetadataServiceHandlerClient(ctx, gateway, service.NewAuthMetadataServiceClient(conn)); err != nil {
		main.Close()
		return nil, err
	}
	if err := service.RegisterAdminServiceHandlerClient(ctx, gateway, service.NewAdminServiceClient(conn)); err != nil {
		main.Close()
		return nil, err
	}
	tokens.Handle("/", gateway)
	s.serveTLS(main, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
			s.grpc.ServeHTTP(w, r)
			return
		}
		tokens.ServeHTTP(w, r)
	}), tlsConf)
	return s, nil
}

func (s *Server) serveTLS(ln net.Listener, h http.Handler, tlsConf *tls.Config) {
	srv := &http.Server{Handler: h, TLSConfig: tlsConf, ReadHeaderTimeout: 30 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	s.servers = append(s.servers, srv)
	go srv.ServeTLS(ln, "", "") //nolint:errcheck // ErrServerClosed on Close
}

// Close stops the server and closes its connections.
func (s *Server) Close() {
	for _, srv := range s.servers {
		srv.Close()
	}
	for _, c := range s.conns {
		c.Close()
	}
	s.grpc.Stop()
}

// Mode returns the server's mode.
func (s *Server) Mode() Mode { return s.mode }

// URL returns the endpoint's base URL, "https://127.0.0.1:PORT".
func (s *Server) URL() string { return s.url }

// Endpoint returns "127.0.0.1:PORT".
func (s *Server) Endpoint() string { return strings.TrimPrefix(s.url, "https://") }

// ClientID returns the confidential client the token endpoint accepts.
func (s *Server) ClientID() string { return s.clientID }

// ClientSecret returns its secret, random per server, with characters that
// must be form-encoded in HTTP Basic credentials.
func (s *Server) ClientSecret() string { return s.clientSecret }

// Counters returns a snapshot of the counters.
func (s *Server) Counters() Counters {
	return Counters{
		Attempts:        s.attempts.Load(),
		Unauthenticated: s.unauthenticated.Load(),
		TokenRequests:   s.tokenRequests.Load(),
		Metadata:        s.metadataCalls.Load(),
	}
}

// Reset sets every counter to zero.
func (s *Server) Reset() {
	for _, c := range []*atomic.Int64{&s.attempts, &s.unauthenticated, &s.tokenRequests, &s.metadataCalls} {
		c.Store(0)
	}
}

// RevokeAll invalidates every access token issued so far.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// RejectAll makes the interceptor reject every token while on is true.
func (s *Server) RejectAll(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectAll = on
}

// FailNext makes the next protected call that passes the token check fail
// with code.
func (s *Server) FailNext(code codes.Code) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, code)
}

// authenticate is the grpc-go auth interceptor: AuthMetadataService is
// anonymous; every other method needs "authorization: Bearer <token>".
// Rejections are returned before the handler runs, so grpc-go sends no
// message.
func (s *Server) authenticate(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if strings.HasPrefix(info.FullMethod, authMethods) {
		s.metadataCalls.Add(1)
		return handler(ctx, req)
	}
	s.attempts.Add(1)
	md, _ := metadata.FromIncomingContext(ctx)
	var value string
	if v := md.Get("authorization"); len(v) > 0 {
		value = v[0]
	}
	scheme, token, _ := strings.Cut(value, " ")
	if !strings.EqualFold(scheme, "Bearer") || !s.valid(token) {
		s.unauthenticated.Add(1)
		return nil, status.Error(codes.Unauthenticated, "flyteadmin: missing, invalid or expired token")
	}
	s.mu.Lock()
	var fail *codes.Code
	if len(s.failures) > 0 {
		fail = &s.failures[0]
		s.failures = s.failures[1:]
	}
	s.mu.Unlock()
	if fail != nil {
		return nil, status.Error(*fail, "flyteadmin: injected failure")
	}
	return handler(ctx, req)
}

func (s *Server) valid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[token]
	return ok && !s.rejectAll && time.Now().Before(exp)
}

// token is a client_credentials token endpoint (RFC 6749 section 4.4) that
// accepts the client in form-encoded HTTP Basic credentials or form fields.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokenRequests.Add(1)
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if bid, bsecret, ok := r.BasicAuth(); ok {
		var err1, err2 error
		id, err1 = url.QueryUnescape(bid)
		secret, err2 = url.QueryUnescape(bsecret)
		if err := errors.Join(err1, err2); err != nil {
			oauthError(w, http.StatusUnauthorized, "invalid_client")
			return
		}
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.clientID)) != 1 || subtle.ConstantTimeCompare([]byte(secret), []byte(s.clientSecret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	token := rand.Text() + rand.Text()
	s.mu.Lock()
	s.tokens[token] = time.Now().Add(tokenTTL)
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": int(tokenTTL.Seconds())})
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data) //nolint:errcheck // the client went away
}

// authMetadata is the AuthMetadataService of the real IDL.
type authMetadata struct{ s *Server }

func (a authMetadata) GetOAuth2Metadata(context.Context, *service.OAuth2MetadataRequest) (*service.OAuth2MetadataResponse, error) {
	return &service.OAuth2MetadataResponse{
		Issuer:                            a.s.url,
		TokenEndpoint:                     a.s.tokenURL,
		ResponseTypesSupported:            []string{"code"},
		ScopesSupported:                   []string{"all"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		GrantTypesSupported:               []string{"client_credentials"},
	}, nil
}

func (a authMetadata) GetPublicClientConfig(context.Context, *service.PublicClientAuthConfigRequest) (*service.PublicClientAuthConfigResponse, error) {
	return &service.PublicClientAuthConfigResponse{
		ClientId:                 "flytectl",
		RedirectUri:              "http://localhost:53593/callback",
		Scopes:                   []string{"all"},
		AuthorizationMetadataKey: "authorization",
		ServiceHttpEndpoint:      a.s.url,
	}, nil
}

// adminService implements ListProjects only.
type adminService struct {
	service.UnimplementedAdminServiceServer
}

func (*adminService) ListProjects(context.Context, *admin.ProjectListRequest) (*admin.Projects, error) {
	return &admin.Projects{Projects: []*admin.Project{{Id: "flytesnacks", Name: "flytesnacks"}}}, nil
}
