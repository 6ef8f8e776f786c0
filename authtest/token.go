package authtest

import (
	"io"
	"math"
	"net/http"
	"strings"
)

// tokenResponse is the successful token endpoint answer of RFC 6749
// section 5.1.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// oauthError is the error answer of RFC 6749 section 5.2.
type oauthError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	basic       bool   // the client used HTTP Basic: challenge it (RFC 6749 5.2)
}

func (e *oauthError) write(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	if e.basic && e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="authtest"`)
	}
	writeJSON(w, e.status, e)
}

// handleInteractive registers the authorization endpoint and, unless the
// device flow is off, the device authorization endpoint and its
// verification page.
func (s *Server) handleInteractive(mux *http.ServeMux) {
	mux.HandleFunc("GET "+authorizePath, s.authorize)
	mux.HandleFunc("POST "+authorizePath, s.authorize)
	if !s.set.noDeviceFlow {
		mux.HandleFunc("POST "+deviceAuthPath, s.deviceAuthorization)
		mux.HandleFunc("GET "+deviceVerifyPath, s.deviceVerification)
	}
}

// handleTokens registers the token endpoint and the two token-command routes.
func (s *Server) handleTokens(mux *http.ServeMux) {
	mux.HandleFunc("POST "+tokenPath, s.token)
	mux.HandleFunc("GET "+commandTokenPath, func(w http.ResponseWriter, _ *http.Request) {
		s.counters.inc(&s.counters.commandTokens)
		writeText(w, s.tokens.issueAccess())
	})
	mux.HandleFunc("GET "+proxyTokenPath, func(w http.ResponseWriter, _ *http.Request) {
		s.counters.inc(&s.counters.proxyTokens)
		writeText(w, s.tokens.issueProxy())
	})
}

// token is the token endpoint: it applies FailTokenRequests, parses the form
// and hands the request to the handler of its grant_type (s.grants).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.counters.inc(&s.counters.tokenRequests)
	if status, body, ok := s.knobs.takeTokenFailure(); ok {
		contentType := "text/plain; charset=utf-8"
		if strings.HasPrefix(body, "{") {
			contentType = "application/json"
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		(&oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: "malformed form body"}).write(w)
		return
	}
	grant := r.PostForm.Get("grant_type")
	if grant == "" {
		(&oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: "grant_type is missing"}).write(w)
		return
	}
	handle, ok := s.grants[grant]
	if !ok {
		(&oauthError{status: http.StatusBadRequest, Code: "unsupported_grant_type", Description: "grant_type " + grant + " is not supported"}).write(w)
		return
	}
	handle(w, r)
}

// clientCredentialsGrant answers grant_type=client_credentials (RFC 6749
// section 4.4): only the confidential client may use it, and it gets no
// refresh token (section 4.4.3). The scope asked for is granted as is;
// audience is accepted and ignored.
func (s *Server) clientCredentialsGrant(w http.ResponseWriter, r *http.Request) {
	id, oerr := s.requireClient(r)
	if oerr == nil && id == publicClientID {
		oerr = &oauthError{status: http.StatusBadRequest, Code: "unauthorized_client", Description: "public client " + publicClientID + " may not use client_credentials"}
	}
	if oerr != nil {
		oerr.write(w)
		return
	}
	s.writeTokens(w, tokenResponse{AccessToken: s.tokens.issueAccess(), Scope: r.PostForm.Get("scope")})
}

// writeTokens answers a successful token request (RFC 6749 section 5.1):
// res with its token type and lifetime filled in.
func (s *Server) writeTokens(w http.ResponseWriter, res tokenResponse) {
	s.counters.inc(&s.counters.tokensIssued)
	res.TokenType = "Bearer"
	res.ExpiresIn = int64(math.Ceil(s.set.tokenTTL.Seconds()))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, res)
}

// requiredParam returns the form parameter name of a token request, or
// invalid_request when it is missing.
func requiredParam(r *http.Request, name string) (string, *oauthError) {
	v := r.PostForm.Get(name)
	if v == "" {
		return "", &oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: name + " is missing"}
	}
	return v, nil
}

// invalidGrant is the answer to a bad code, device code or refresh token
// (RFC 6749 section 5.2).
func invalidGrant(description string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, Code: "invalid_grant", Description: description}
}

func writeText(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, text)
}
