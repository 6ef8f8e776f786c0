package authtest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"connectrpc.com/connect"

	"github.com/authwire/authwire/internal/idl"
)

// Public client settings the server advertises, as flyteadmin's defaults.
const (
	publicClientID    = "flytectl"
	publicRedirectURI = "http://localhost:53593/callback"
)

var publicScopes = []string{"offline", "all"}

// handleMetadata registers the anonymous AuthMetadataService, over Connect,
// gRPC and gRPC-Web, and its two REST routes.
func (s *Server) handleMetadata(mux *http.ServeMux) {
	mux.Handle(idl.GetOAuth2MetadataProcedure, connect.NewUnaryHandler(idl.GetOAuth2MetadataProcedure,
		func(context.Context, *connect.Request[idl.Empty]) (*connect.Response[idl.OAuth2Metadata], error) {
			s.counters.inc(&s.counters.oauth2Metadata)
			return connect.NewResponse(s.oauth2Metadata()), nil
		}, idl.CodecOptions()))
	mux.Handle(idl.GetPublicClientConfigProcedure, connect.NewUnaryHandler(idl.GetPublicClientConfigProcedure,
		func(context.Context, *connect.Request[idl.Empty]) (*connect.Response[idl.PublicClientConfig], error) {
			s.counters.inc(&s.counters.publicClientConfig)
			return connect.NewResponse(s.publicClientConfig()), nil
		}, idl.CodecOptions()))
	mux.HandleFunc("GET "+idl.OAuth2MetadataPath, func(w http.ResponseWriter, _ *http.Request) {
		s.counters.inc(&s.counters.wellKnown)
		writeJSON(w, http.StatusOK, s.oauth2Metadata())
	})
	mux.HandleFunc("GET "+idl.PublicClientConfigPath, func(w http.ResponseWriter, _ *http.Request) {
		s.counters.inc(&s.counters.flyteClient)
		writeJSON(w, http.StatusOK, s.publicClientConfig())
	})
	mux.HandleFunc("GET "+jwksPath, func(w http.ResponseWriter, _ *http.Request) {
		// Access tokens are opaque, so there is no key to publish.
		writeJSON(w, http.StatusOK, map[string][]string{"keys": {}})
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
	return &idl.PublicClientConfig{
		ClientID:                 publicClientID,
		RedirectURI:              s.set.redirectURI,
		Scopes:                   slices.Clone(publicScopes),
		AuthorizationMetadataKey: s.set.authKey,
		ServiceHTTPEndpoint:      s.url,
		Audience:                 s.url,
	}
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "authtest: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(data) //nolint:errcheck // the client went away; nothing to do
}
