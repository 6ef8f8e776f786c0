package authtest

import (
	"crypto/subtle"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
)

// tokenResponse is the successful token endpoint answer of RFC 6749
// section 5.1.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
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

// handleTokens registers the token endpoint and the two token-command routes.
func (s *Server) handleTokens(mux *http.ServeMux) {
	mux.HandleFunc("POST "+tokenPath, s.token)
	mux.HandleFunc("GET "+commandTokenPath, func(w http.ResponseWriter, _ *http.Request) {
		s.counters.commandTokens.Add(1)
		writeText(w, s.tokens.issueAccess())
	})
	mux.HandleFunc("GET "+proxyTokenPath, func(w http.ResponseWriter, _ *http.Request) {
		s.counters.proxyTokens.Add(1)
		writeText(w, s.tokens.issueProxy())
	})
}

// token is the token endpoint: it applies FailTokenRequests, parses the form
// and hands the request to the handler of its grant_type (s.grants).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.counters.tokenRequests.Add(1)
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
// section 4.4). The scope asked for is granted as is; audience is accepted
// and ignored.
func (s *Server) clientCredentialsGrant(w http.ResponseWriter, r *http.Request) {
	if oerr := s.authenticateClient(r); oerr != nil {
		oerr.write(w)
		return
	}
	s.writeAccessToken(w, r.PostForm.Get("scope"))
}

// authenticateClient checks the confidential client's credentials, given
// either in HTTP Basic with form-encoded id and secret (client_secret_basic)
// or as client_id and client_secret form fields (client_secret_post), but
// not both (RFC 6749 section 2.3.1).
func (s *Server) authenticateClient(r *http.Request) *oauthError {
	basicID, basicSecret, basic := r.BasicAuth()
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if basic {
		if secret != "" {
			return &oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: "more than one client authentication method"}
		}
		var errID, errSecret error
		id, errID = url.QueryUnescape(basicID)
		secret, errSecret = url.QueryUnescape(basicSecret)
		if errID != nil || errSecret != nil {
			return &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "client credentials are not form-encoded", basic: true}
		}
	}
	if id == "" {
		return &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "client authentication is required", basic: basic}
	}
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(s.clientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.clientSecret)) == 1
	if !idOK || !secretOK {
		return &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "unknown client or wrong secret", basic: basic}
	}
	return nil
}

// writeAccessToken issues an access token and answers it (RFC 6749 5.1).
func (s *Server) writeAccessToken(w http.ResponseWriter, scope string) {
	s.counters.tokensIssued.Add(1)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: s.tokens.issueAccess(),
		TokenType:   "Bearer",
		ExpiresIn:   int64(math.Ceil(s.set.tokenTTL.Seconds())),
		Scope:       scope,
	})
}

func writeText(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, text)
}
