// Package flyte2 is a stand-in for a Flyte 2 control plane, written
// independently of authtest: a connect-go server whose AuthMetadataService
// handler is generated (protoc-gen-go, protoc-gen-connect-go, pinned by this
// module) from its own proto/flyteidl2/auth/auth_service.proto, which has
// flyteidl2's package, service, method names and field numbers. It serves
// the service over Connect, gRPC and gRPC-Web, the well-known route in
// protojson, one protected unary method, and a client_credentials token
// endpoint. Nothing answers flyteidl.service paths or /config/v1/flyte_client.
//
// Regenerate gen/ after editing the proto with buf (pinned in ../../tools)
// and the two plugins on PATH, from this directory: buf generate.
package flyte2

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authwire/authwire/conformance/peers/flyte2/gen/authpb"
	"github.com/authwire/authwire/conformance/peers/flyte2/gen/authpb/authpbconnect"
)

// Paths the server answers besides the AuthMetadataService.
const (
	// EchoProcedure is the protected unary method: it echoes a
	// google.protobuf.StringValue when the call carries a valid
	// "authorization: Bearer <token>".
	EchoProcedure = "/flyteidl2.peer.EchoService/Echo"
	// WellKnownPath is the RFC 8414 route, answered in protojson.
	WellKnownPath = "/.well-known/oauth-authorization-server"
	tokenPath     = "/oauth2/token"
	tokenTTL      = time.Hour
)

// errNotConfigured is what the server answers without an authorization
// server, as Flyte 2 does.
var errNotConfigured = errors.New("oauth2 metadata is not configured; set runs.authMetadata.externalAuthServerBaseUrl")

// Server is the peer. Its methods are safe for concurrent use.
type Server struct {
	http                   *http.Server
	url                    string
	clientID, clientSecret string
	noMetadata             bool

	mu     sync.Mutex
	tokens map[string]time.Time

	attempts, tokenRequests, metadataCalls atomic.Int64
}

// Start serves on 127.0.0.1 at a free port over TLS (HTTP/2 and HTTP/1.1)
// with the PEM certificate in certFile and keyFile. Without metadata the
// server behaves as Flyte 2 without runs.authMetadata.externalAuthServerBaseUrl.
// The caller must call [Server.Close].
func Start(certFile, keyFile string, withMetadata bool) (*Server, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		url:          "https://" + ln.Addr().String(),
		clientID:     "flyte2-peer",
		clientSecret: rand.Text() + "+/:" + rand.Text(),
		noMetadata:   !withMetadata,
		tokens:       map[string]time.Time{},
	}
	mux := http.NewServeMux()
	mux.Handle(authpbconnect.NewAuthMetadataServiceHandler(metadataService{s}))
	mux.Handle(EchoProcedure, connect.NewUnaryHandler(EchoProcedure, s.echo))
	mux.HandleFunc("GET "+WellKnownPath, s.wellKnown)
	mux.HandleFunc("POST "+tokenPath, s.token)
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	s.http = &http.Server{
		Handler:           mux,
		Protocols:         &protocols,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go s.http.ServeTLS(ln, "", "") //nolint:errcheck // returns ErrServerClosed on Close
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.http.Close() }

// URL is "https://127.0.0.1:PORT".
func (s *Server) URL() string { return s.url }

// Endpoint is "127.0.0.1:PORT".
func (s *Server) Endpoint() string { return strings.TrimPrefix(s.url, "https://") }

// TokenURL is the token endpoint.
func (s *Server) TokenURL() string { return s.url + tokenPath }

// ClientID and ClientSecret are the confidential client's credentials.
func (s *Server) ClientID() string { return s.clientID }

// ClientSecret is the secret of [Server.ClientID].
func (s *Server) ClientSecret() string { return s.clientSecret }

// Counts reports the protected calls that arrived, the token requests and
// the AuthMetadataService calls.
func (s *Server) Counts() (attempts, tokenRequests, metadata int64) {
	return s.attempts.Load(), s.tokenRequests.Load(), s.metadataCalls.Load()
}

// RevokeAll invalidates every issued token.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Metadata is the OAuth2 metadata the server publishes.
func (s *Server) Metadata() *authpb.GetOAuth2MetadataResponse {
	return &authpb.GetOAuth2MetadataResponse{
		Issuer:                            s.url,
		TokenEndpoint:                     s.url + tokenPath,
		ScopesSupported:                   []string{"all"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
		GrantTypesSupported:               []string{"client_credentials"},
	}
}

// PublicClientConfig is the public client config the server publishes; its
// dataplane_domain is the server's own URL, as a single-cluster deployment
// answers.
func (s *Server) PublicClientConfig() *authpb.GetPublicClientConfigResponse {
	return &authpb.GetPublicClientConfigResponse{
		ClientId:                 "flytectl",
		RedirectUri:              "http://localhost:53593/callback",
		Scopes:                   []string{"all"},
		AuthorizationMetadataKey: "authorization",
		DataplaneDomain:          s.url,
	}
}

type metadataService struct{ s *Server }

func (m metadataService) GetOAuth2Metadata(context.Context, *connect.Request[authpb.GetOAuth2MetadataRequest]) (*connect.Response[authpb.GetOAuth2MetadataResponse], error) {
	m.s.metadataCalls.Add(1)
	if m.s.noMetadata {
		return nil, connect.NewError(connect.CodeUnimplemented, errNotConfigured)
	}
	return connect.NewResponse(m.s.Metadata()), nil
}

func (m metadataService) GetPublicClientConfig(context.Context, *connect.Request[authpb.GetPublicClientConfigRequest]) (*connect.Response[authpb.GetPublicClientConfigResponse], error) {
	m.s.metadataCalls.Add(1)
	return connect.NewResponse(m.s.PublicClientConfig()), nil
}

func (s *Server) wellKnown(w http.ResponseWriter, _ *http.Request) {
	if s.noMetadata {
		http.Error(w, errNotConfigured.Error(), http.StatusNotImplemented)
		return
	}
	data, err := protojson.Marshal(s.Metadata())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data) //nolint:errcheck // the client went away
}

func (s *Server) echo(_ context.Context, req *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
	s.attempts.Add(1)
	scheme, token, _ := strings.Cut(req.Header().Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || !s.valid(token) {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("invalid or missing token"))
	}
	return connect.NewResponse(wrapperspb.String(req.Msg.GetValue())), nil
}

func (s *Server) valid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[token]
	return ok && time.Now().Before(exp)
}

// token is the client_credentials grant, HTTP Basic (form-encoded
// credentials, RFC 6749 section 2.3.1) or credentials in the body.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokenRequests.Add(1)
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if bid, bsecret, ok := r.BasicAuth(); ok {
		var err1, err2 error
		id, err1 = url.QueryUnescape(bid)
		secret, err2 = url.QueryUnescape(bsecret)
		if errors.Join(err1, err2) != nil {
			id = ""
		}
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.clientID)) != 1 || subtle.ConstantTimeCompare([]byte(secret), []byte(s.clientSecret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	token := rand.Text() + rand.Text()
	s.mu.Lock()
	s.tokens[token] = time.Now().Add(tokenTTL)
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": int(tokenTTL.Seconds())})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data) //nolint:errcheck // the client went away
}
