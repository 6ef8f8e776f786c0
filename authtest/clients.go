package authtest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// The server knows two clients: the confidential one of [Server.ClientID],
// which authenticates with [Server.ClientSecret], and the public client
// "flytectl" of the public client config, which has no secret. Both may use
// the interactive grants; only the confidential one may use
// client_credentials.

// knownClient reports whether id names one of the server's clients.
func (s *Server) knownClient(id string) bool {
	return id == publicClientID || id == s.clientID
}

// identifyClient finds the client of a token endpoint request (RFC 6749
// sections 2.3 and 3.2.1). The confidential client must authenticate, either
// with HTTP Basic holding its form-encoded id and secret
// (client_secret_basic) or with client_id and client_secret form fields
// (client_secret_post), but not both. The public client identifies itself
// with the client_id form field or, as fosite (flyteadmin's authorization
// server) accepts, HTTP Basic with an empty password; it must not send a
// secret. It answers "" when the request names no client at all; an unknown
// client or a wrong secret is invalid_client.
func (s *Server) identifyClient(r *http.Request) (string, *oauthError) {
	basicID, basicSecret, basic := r.BasicAuth()
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if basic {
		if secret != "" {
			return "", &oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: "more than one client authentication method"}
		}
		formID := id
		var errID, errSecret error
		id, errID = url.QueryUnescape(basicID)
		secret, errSecret = url.QueryUnescape(basicSecret)
		if errID != nil || errSecret != nil {
			return "", &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "client credentials are not form-encoded", basic: true}
		}
		if formID != "" && formID != id {
			return "", &oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: "client_id differs from the HTTP Basic client"}
		}
	}
	switch id {
	case "":
		return "", nil
	case publicClientID:
		if secret != "" {
			return "", &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "public client " + publicClientID + " has no secret", basic: basic}
		}
		return id, nil
	}
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(s.clientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.clientSecret)) == 1
	if !idOK || !secretOK {
		return "", &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "unknown client or wrong secret", basic: basic}
	}
	return id, nil
}

// requireClient is identifyClient for requests that must name a client:
// the interactive grants, where RFC 6749 section 4.1.3 and RFC 8628
// section 3.4 ask a client that does not authenticate to send client_id.
func (s *Server) requireClient(r *http.Request) (string, *oauthError) {
	id, oerr := s.identifyClient(r)
	if oerr == nil && id == "" {
		_, _, basic := r.BasicAuth()
		oerr = &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "client_id or client authentication is required", basic: basic}
	}
	return id, oerr
}
