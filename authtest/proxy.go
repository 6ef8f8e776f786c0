package authtest

import (
	"fmt"
	"html"
	"net/http"
	"strings"
)

// proxyCheck emulates an authenticating proxy in front of every route but
// the two token-command routes: with WithProxyAuth a request must carry
// "Proxy-Authorization: Bearer <proxy token>". The header is removed before
// the request goes on, as a proxy would.
func (s *Server) proxyCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.set.proxyAuth || r.URL.Path == commandTokenPath || r.URL.Path == proxyTokenPath {
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, _ := strings.Cut(r.Header.Get("Proxy-Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || !s.tokens.validProxy(token) {
			s.counters.inc(&s.counters.proxyRejected)
			s.rejectProxy(w)
			return
		}
		s.counters.proxyAuthorized(r.URL.Path)
		r = r.Clone(r.Context())
		r.Header.Del("Proxy-Authorization")
		next.ServeHTTP(w, r)
	})
}

// rejectProxy answers like a proxy that refuses a request: an HTML page, a
// Proxy-Authenticate challenge only with 407, and X-Authtest-Proxy so tests
// can attribute the answer.
func (s *Server) rejectProxy(w http.ResponseWriter) {
	status := s.set.proxyStatus
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Authtest-Proxy", "reject")
	if status == http.StatusProxyAuthRequired {
		h.Set("Proxy-Authenticate", `Bearer realm="authtest"`)
	}
	w.WriteHeader(status)
	title := html.EscapeString(fmt.Sprintf("%d %s", status, http.StatusText(status)))
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%s</title></head><body><h1>%s</h1><p>The proxy refused the request.</p></body></html>\n", title, title)
}
