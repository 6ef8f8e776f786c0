package authtest

import (
	"net/http"
	"slices"
	"strings"
)

// refreshTokenGrant answers grant_type=refresh_token (RFC 6749 section 6)
// with a new access token. With rotation (the default, see
// [WithRefreshRotation]) the answer carries a new refresh token and the one
// presented stops working; presenting it again revokes the whole grant.
// Without rotation the answer has no refresh_token and the client keeps
// using the one it has. The scope may be narrowed, never widened.
//
// The client that received the refresh token must send it: the
// confidential client authenticates, the public client may identify itself
// or send no client at all, since the token is bound to it.
func (s *Server) refreshTokenGrant(w http.ResponseWriter, r *http.Request) {
	clientID, oerr := s.identifyClient(r)
	var tok string
	if oerr == nil {
		tok, oerr = requiredParam(r, "refresh_token")
	}
	if oerr != nil {
		oerr.write(w)
		return
	}
	scope := r.PostForm.Get("scope")
	res, oerr := s.tokens.redeemRefresh(tok, s.set.refreshRotation, func(g *userGrant) *oauthError {
		switch {
		case clientID == "" && g.clientID != publicClientID:
			_, _, basic := r.BasicAuth()
			return &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Description: "client authentication is required", basic: basic}
		case clientID != "" && clientID != g.clientID:
			return invalidGrant("refresh token was issued to another client")
		case !subsetOf(scope, g.scope):
			return &oauthError{status: http.StatusBadRequest, Code: "invalid_scope", Description: "scope exceeds the scope originally granted"}
		}
		return nil
	})
	if oerr != nil {
		oerr.write(w)
		return
	}
	if scope == "" {
		scope = res.grant.scope
	}
	s.counters.inc(&s.counters.refreshGrants)
	s.writeTokens(w, tokenResponse{AccessToken: res.access, RefreshToken: res.refresh, Scope: scope})
}

// subsetOf reports whether every scope token of scope is in granted.
func subsetOf(scope, granted string) bool {
	have := strings.Fields(granted)
	for _, s := range strings.Fields(scope) {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}

// RevokeRefreshTokens invalidates every refresh token issued so far: the
// next refresh with any of them fails with invalid_grant, as after a
// server-side logout. Access tokens stay valid; see [Server.RevokeAll]. Safe
// for concurrent use.
func (s *Server) RevokeRefreshTokens() { s.tokens.revokeRefresh() }
