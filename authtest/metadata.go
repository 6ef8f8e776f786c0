package authtest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/internal/idl"
)

// Public client settings the server advertises, as flyteadmin's defaults.
const (
	publicClientID    = "flytectl"
	publicRedirectURI = "http://localhost:53593/callback"
)

// errNoOAuth2Metadata is Flyte 2's answer when no external authorization
// server is configured.
var errNoOAuth2Metadata = errors.New("oauth2 metadata is not configured; set runs.authMetadata.externalAuthServerBaseUrl")

var publicScopes = []string{"offline", "all"}

// handleMetadata registers the anonymous AuthMetadataService, over Connect,
// gRPC and gRPC-Web: under flyteidl.service with its two REST routes
// (flyteadmin), or under flyteidl2.auth with the well-known route only
// (WithFlyte2).
func (s *Server) handleMetadata(mux *http.ServeMux) {
	metaProc, publicProc := idl.GetOAuth2MetadataProcedure, idl.GetPublicClientConfigProcedure
	if s.set.flyte2 {
		metaProc, publicProc = idl.GetOAuth2MetadataProcedureV2, idl.GetPublicClientConfigProcedureV2
	}
	mux.Handle(metaProc, connect.NewUnaryHandler(metaProc,
		func(context.Context, *connect.Request[idl.Empty]) (*connect.Response[idl.OAuth2Metadata], error) {
			s.counters.inc(&s.counters.oauth2Metadata)
			if s.set.noOAuth2Metadata {
				return nil, connect.NewError(connect.CodeUnimplemented, errNoOAuth2Metadata)
			}
			return connect.NewResponse(s.oauth2Metadata()), nil
		}, idl.CodecOptions(), connect.WithIdempotency(connect.IdempotencyNoSideEffects)))
	mux.Handle(publicProc, connect.NewUnaryHandler(publicProc,
		func(context.Context, *connect.Request[idl.Empty]) (*connect.Response[idl.PublicClientConfig], error) {
			s.counters.inc(&s.counters.publicClientConfig)
			return connect.NewResponse(s.publicClientConfig()), nil
		}, idl.CodecOptions(), connect.WithIdempotency(connect.IdempotencyNoSideEffects)))
	mux.HandleFunc("GET "+idl.OAuth2MetadataPath, func(w http.ResponseWriter, _ *http.Request) {
		s.counters.inc(&s.counters.wellKnown)
		switch {
		case s.set.noOAuth2Metadata:
			http.Error(w, errNoOAuth2Metadata.Error(), http.StatusNotImplemented)
		case s.set.flyte2:
			writeProtoJSON(w, s.oauth2Metadata())
		default:
			writeJSON(w, http.StatusOK, s.oauth2Metadata())
		}
	})
	if !s.set.flyte2 {
		mux.HandleFunc("GET "+idl.PublicClientConfigPath, func(w http.ResponseWriter, _ *http.Request) {
			s.counters.inc(&s.counters.flyteClient)
			writeJSON(w, http.StatusOK, s.publicClientConfig())
		})
	}
	mux.HandleFunc("GET "+jwksPath, func(w http.ResponseWriter, _ *http.Request) {
		// Access tokens are opaque, so there is no key to publish.
		writeJSON(w, http.StatusOK, map[string][]string{"keys": {}})
	})
}

// countMetadata counts every request for a metadata path of either
// generation before the mux answers it (or 404s).
func (s *Server) countMetadata(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasPrefix(p, "/"+idl.AuthMetadataService+"/") || strings.HasPrefix(p, "/"+idl.AuthMetadataServiceV2+"/") ||
			p == idl.OAuth2MetadataPath || p == idl.PublicClientConfigPath {
			s.counters.metadataRequest(p)
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) oauth2Metadata() *idl.OAuth2Metadata {
	grants := make([]string, 0, len(s.grants))
	for g := range s.grants {
		grants = append(grants, g)
	}
	slices.Sort(grants)
	device := s.url + deviceAuthPath
	if s.set.noDeviceFlow {
		device = ""
	}
	return &idl.OAuth2Metadata{
		Issuer:                            s.url,
		AuthorizationEndpoint:             s.url + authorizePath,
		TokenEndpoint:                     s.url + tokenPath,
		ResponseTypesSupported:            []string{"code"},
		ScopesSupported:                   slices.Clone(publicScopes),
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "none"},
		JwksURI:                           s.url + jwksPath,
		CodeChallengeMethodsSupported:     []string{"S256"},
		GrantTypesSupported:               grants,
		DeviceAuthorizationEndpoint:       device,
	}
}

func (s *Server) publicClientConfig() *idl.PublicClientConfig {
	c := &idl.PublicClientConfig{
		ClientID:                 publicClientID,
		RedirectURI:              s.set.redirectURI,
		Scopes:                   slices.Clone(publicScopes),
		AuthorizationMetadataKey: s.set.authKey,
		ServiceHTTPEndpoint:      s.url,
		Audience:                 s.url,
	}
	if s.set.flyte2 {
		c.ServiceHTTPEndpoint = ""
		c.DataplaneDomain = s.set.dataplaneDomain
		if c.DataplaneDomain == "" {
			c.DataplaneDomain = s.url
		}
	}
	return c
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "authtest: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, status, data)
}

// writeProtoJSON answers m with HTTP 200 in the canonical Protobuf JSON
// mapping (lowerCamelCase keys), as Flyte 2's grpc-free routes do.
func writeProtoJSON(w http.ResponseWriter, m any) {
	data, err := idl.MarshalProtoJSON(m)
	if err != nil {
		http.Error(w, "authtest: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, http.StatusOK, data)
}

func writeBody(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data) //nolint:errcheck // the client went away; nothing to do
}
