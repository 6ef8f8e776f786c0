package authtest

import (
	"net/http"
	"sync"

	"github.com/authwire/authwire/internal/idl"
)

// Route names a group of the server's routes for [Server.Stall].
type Route int

const (
	// RouteToken is the token endpoint (every grant, device polls included).
	RouteToken Route = iota + 1
	// RouteMetadata is the AuthMetadataService: both RPCs and their REST
	// routes.
	RouteMetadata
)

func (r Route) paths() []string {
	switch r {
	case RouteToken:
		return []string{tokenPath}
	case RouteMetadata:
		return []string{idl.GetOAuth2MetadataProcedure, idl.GetPublicClientConfigProcedure, idl.OAuth2MetadataPath, idl.PublicClientConfigPath}
	}
	return nil
}

// stalls holds the routes that accept requests and never answer them.
type stalls struct {
	mu     sync.Mutex
	routes map[string]bool
	held   int
}

// Stall makes route hang as a slow-loris server does: each request it
// receives is held without an answer until its client gives up (the
// request's context ends) — never answered, even after recovery. end
// ends the stall for later requests, which are then answered normally.
// Safe for concurrent use.
func (s *Server) Stall(route Route) (end func()) {
	s.setStall(route, true)
	return func() { s.setStall(route, false) }
}

func (s *Server) setStall(route Route, on bool) {
	s.stalls.mu.Lock()
	defer s.stalls.mu.Unlock()
	if s.stalls.routes == nil {
		s.stalls.routes = map[string]bool{}
	}
	for _, p := range route.paths() {
		s.stalls.routes[p] = on
	}
}

// Stalled returns how many requests [Server.Stall] has held so far.
func (s *Server) Stalled() int {
	s.stalls.mu.Lock()
	defer s.stalls.mu.Unlock()
	return s.stalls.held
}

// stallCheck holds requests to stalled routes until their clients give up.
func (s *Server) stallCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.stalls.mu.Lock()
		stalled := s.stalls.routes[r.URL.Path]
		if stalled {
			s.stalls.held++
		}
		s.stalls.mu.Unlock()
		if stalled {
			<-r.Context().Done()
			return
		}
		next.ServeHTTP(w, r)
	})
}
