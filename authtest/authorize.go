package authtest

import (
	"encoding/base64"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// AuthorizeRequest is a valid authorization request (RFC 6749 section
// 4.1.1 with RFC 7636 S256) as the authorization endpoint received it, handed
// to the function of [WithAuthorizeDecision].
type AuthorizeRequest struct {
	ClientID            string
	RedirectURI         string // as sent; the registered URI when the request had none
	Scope               string
	State               string
	CodeChallenge       string
	CodeChallengeMethod string     // always "S256"
	Params              url.Values // every parameter received, audience included
}

// AuthorizeDecision is the user's answer to an [AuthorizeRequest]. The zero
// value approves: the endpoint redirects with a code. A non-empty Error
// denies: the endpoint redirects with error=Error (and error_description, if
// set), e.g. "access_denied" for a user who refuses, or any other code of RFC
// 6749 section 4.1.2.1 such as "invalid_scope" or "server_error".
type AuthorizeDecision struct {
	Error       string
	Description string
}

// authorize is the authorization endpoint (RFC 6749 section 4.1.1) for the
// code flow with PKCE. It answers requests it cannot redirect safely (bad
// client_id or redirect_uri) with an HTML page, others with a 302 to the
// redirect URI carrying either a code and the state or an error and the
// state (section 4.1.2).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	s.counters.inc(&s.counters.authorizations)
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		authorizePage(w, "malformed request: "+err.Error())
		return
	}
	params, dups := singleParams(r.Form)
	clientID := params.Get("client_id")
	switch {
	case slices.Contains(dups, "client_id"):
		authorizePage(w, "parameter client_id is repeated")
		return
	case slices.Contains(dups, "redirect_uri"):
		authorizePage(w, "parameter redirect_uri is repeated")
		return
	case clientID == "":
		authorizePage(w, "client_id is missing")
		return
	case !s.knownClient(clientID):
		authorizePage(w, "unknown client "+clientID)
		return
	}
	redirect := params.Get("redirect_uri")
	if redirect == "" {
		redirect = publicRedirectURI
	} else if err := checkRedirectURI(redirect); err != nil {
		authorizePage(w, err.Error())
		return
	}

	req := AuthorizeRequest{
		ClientID:            clientID,
		RedirectURI:         redirect,
		Scope:               params.Get("scope"),
		State:               params.Get("state"),
		CodeChallenge:       params.Get("code_challenge"),
		CodeChallengeMethod: params.Get("code_challenge_method"),
		Params:              r.Form,
	}
	decision := checkAuthorizeRequest(params, dups)
	if decision.Error == "" {
		decision = s.set.authorizeDecision(req)
	}
	answer := url.Values{}
	if decision.Error != "" {
		answer.Set("error", decision.Error)
		if decision.Description != "" {
			answer.Set("error_description", decision.Description)
		}
	} else {
		answer.Set("code", s.codes.issue(authCode{
			clientID:      clientID,
			redirectURI:   redirect,
			redirectGiven: params.Get("redirect_uri") != "",
			challenge:     req.CodeChallenge,
			scope:         req.Scope,
			expiry:        s.set.now().Add(codeLifetime),
		}))
	}
	if req.State != "" {
		answer.Set("state", req.State)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, redirect+"?"+answer.Encode(), http.StatusFound)
}

// checkAuthorizeRequest checks what can be answered by a redirect: repeated
// parameters, the response type and the PKCE challenge. It answers the zero
// decision for a valid request.
func checkAuthorizeRequest(params url.Values, dups []string) AuthorizeDecision {
	invalid := func(description string) AuthorizeDecision {
		return AuthorizeDecision{Error: "invalid_request", Description: description}
	}
	switch rt := params.Get("response_type"); {
	case len(dups) > 0:
		return invalid("parameter " + dups[0] + " is repeated")
	case rt == "":
		return invalid("response_type is missing")
	case rt != "code":
		return AuthorizeDecision{Error: "unsupported_response_type", Description: "only response_type=code is supported"}
	}
	// RFC 7636 section 4.4.1: without code_challenge_method the method is
	// plain, which this server does not support.
	challenge, method := params.Get("code_challenge"), params.Get("code_challenge_method")
	switch {
	case challenge == "":
		return invalid("code_challenge is required (PKCE)")
	case method != "S256":
		return invalid("code_challenge_method must be S256")
	case !validS256Challenge(challenge):
		return invalid("code_challenge is not a base64url SHA-256 digest")
	}
	return AuthorizeDecision{}
}

// validS256Challenge reports whether c is BASE64URL(SHA256(verifier)) in
// form: 32 bytes in unpadded base64url, 43 characters.
func validS256Challenge(c string) bool {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == 32
}

// singleParams returns the first value of every parameter, treating empty
// ones as omitted (RFC 6749 section 3.1), and the sorted names of the
// parameters sent more than once (section 3.1 forbids it).
func singleParams(form url.Values) (url.Values, []string) {
	params := url.Values{}
	var dups []string
	for k, vs := range form {
		var set []string
		for _, v := range vs {
			if v != "" {
				set = append(set, v)
			}
		}
		if len(set) > 1 {
			dups = append(dups, k)
		}
		if len(set) > 0 {
			params.Set(k, set[0])
		}
	}
	slices.Sort(dups)
	return params, dups
}

// checkRedirectURI accepts the registered redirect URI and, as RFC 8252
// section 7.3 asks for native apps, any loopback variant of it on any port:
// http, host localhost or a loopback IP literal (127.0.0.1, [::1]), path
// /callback, no user info, query or fragment.
func checkRedirectURI(raw string) error {
	if raw == publicRedirectURI {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("redirect_uri %q is not a URL", raw)
	}
	registered, _ := url.Parse(publicRedirectURI)
	host := u.Hostname()
	loopback := host == "localhost" || (net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback())
	if u.Scheme != "http" || !loopback || u.User != nil || u.Path != registered.Path ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return fmt.Errorf("redirect_uri %q is neither %s nor a loopback URI with its path", raw, publicRedirectURI)
	}
	return nil
}

// authorizePage answers a request the endpoint must not redirect (RFC 6749
// section 4.1.2.1) with an HTML page for the user.
func authorizePage(w http.ResponseWriter, problem string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>Authorization failed</title></head><body><h1>Authorization failed</h1><p>authtest: %s</p></body></html>\n",
		html.EscapeString(problem))
}
