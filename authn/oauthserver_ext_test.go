package authn_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
)

// oauthServer is a fake OAuth2 authorization server for interactive logins:
// an authorization endpoint that redirects like a user who approves, a token
// endpoint (authorization_code with PKCE S256, refresh_token with or without
// rotation, device_code) and a device authorization endpoint. Every token it
// issues is random. Knobs are set before use; counters may be read any time.
type oauthServer struct {
	srv      *httptest.Server
	clientID string

	mu      sync.Mutex
	k       oauthKnobs
	codes   map[string]issuedCode
	refresh map[string]bool // valid refresh tokens
	polls   []string        // device script, consumed by polls

	authorizes, exchanges, refreshes, devicePolls, deviceAuths atomic.Int32
	deviceForm                                                 atomic.Pointer[url.Values]
}

// oauthKnobs change how an oauthServer answers; see oauthServer.set.
type oauthKnobs struct {
	rotate        bool               // issue a new refresh token on each refresh
	refreshAnswer string             // "": normal; "invalid_grant"; "503"
	redirect      func(q url.Values) // edits the authorization redirect's query
	expiresIn     int                // access token lifetime, seconds
	device        deviceKnobs
	refreshed     chan<- struct{} // one send after each refresh request, if set
}

type deviceKnobs struct {
	noComplete bool     // omit verification_uri_complete
	expiresIn  int      // device code lifetime, seconds (0: 600)
	interval   int      // seconds; 0: omitted
	script     []string // poll answers: pending, slow_down, expired_token, access_denied, 500, html, huge (2 MiB), ok (the default once used up)
}

type issuedCode struct {
	challenge, redirectURI string
}

func newOAuthServer(t *testing.T) *oauthServer {
	t.Helper()
	s := &oauthServer{
		clientID: "flytectl",
		k:        oauthKnobs{expiresIn: 3600},
		codes:    map[string]issuedCode{},
		refresh:  map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /device", s.deviceAuth)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// set changes the knobs.
func (s *oauthServer) set(f func(k *oauthKnobs)) {
	s.mu.Lock()
	f(&s.k)
	s.mu.Unlock()
}

func (s *oauthServer) knobs() oauthKnobs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.k
}

// clientConfig is what the Flyte server would publish for s.
func (s *oauthServer) clientConfig() authn.ClientConfig {
	return authn.ClientConfig{
		AuthorizationEndpoint:       s.srv.URL + "/authorize",
		TokenEndpoint:               s.srv.URL + "/token",
		DeviceAuthorizationEndpoint: s.srv.URL + "/device",
		ClientID:                    s.clientID,
		RedirectURI:                 "http://127.0.0.1:0/callback",
		Scopes:                      []string{"offline", "all"},
	}
}

// issueRefresh registers a refresh token the server accepts.
func (s *oauthServer) issueRefresh() string {
	rt := "rt-" + rand.Text()
	s.mu.Lock()
	s.refresh[rt] = true
	s.mu.Unlock()
	return rt
}

func (s *oauthServer) authorize(w http.ResponseWriter, r *http.Request) {
	s.authorizes.Add(1)
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != s.clientID || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("redirect_uri") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := "code-" + rand.Text()
	s.mu.Lock()
	s.codes[code] = issuedCode{challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri")}
	s.mu.Unlock()
	answer := url.Values{"code": {code}, "state": {q.Get("state")}}
	if k := s.knobs(); k.redirect != nil {
		k.redirect(answer)
	}
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+answer.Encode(), http.StatusFound)
}

func (s *oauthServer) token(w http.ResponseWriter, r *http.Request) {
	k := s.knobs()
	if r.ParseForm() != nil || r.PostForm.Get("client_id") != s.clientID {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	switch f := r.PostForm; f.Get("grant_type") {
	case "authorization_code":
		s.exchanges.Add(1)
		s.mu.Lock()
		c, ok := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code"))
		s.mu.Unlock()
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if !ok || c.redirectURI != f.Get("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		s.issue(w, k, true)
	case "refresh_token":
		s.refreshes.Add(1)
		if k.refreshed != nil {
			defer func() { k.refreshed <- struct{}{} }()
		}
		if k.refreshAnswer == "503" {
			http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
			return
		}
		s.mu.Lock()
		ok := s.refresh[f.Get("refresh_token")] && k.refreshAnswer == ""
		if ok && k.rotate {
			delete(s.refresh, f.Get("refresh_token"))
		}
		s.mu.Unlock()
		if !ok {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		s.issue(w, k, k.rotate)
	case "urn:ietf:params:oauth:grant-type:device_code":
		s.devicePolls.Add(1)
		s.mu.Lock()
		answer := "ok"
		if len(s.polls) > 0 {
			answer, s.polls = s.polls[0], s.polls[1:]
		}
		s.mu.Unlock()
		switch answer {
		case "ok":
			if f.Get("device_code") != "dc-1" {
				oauthError(w, http.StatusBadRequest, "invalid_grant")
				return
			}
			s.issue(w, k, true)
		case "pending":
			oauthError(w, http.StatusBadRequest, "authorization_pending")
		case "500":
			http.Error(w, "internal error", http.StatusInternalServerError)
		case "html":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>a proxy's login page</html>")
		case "huge":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"error":"authorization_pending","padding":"`+strings.Repeat("a", 2<<20)+`"}`)
		default:
			oauthError(w, http.StatusBadRequest, answer)
		}
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

// issue answers with a fresh access token and, if withRefresh, a fresh
// refresh token.
func (s *oauthServer) issue(w http.ResponseWriter, k oauthKnobs, withRefresh bool) {
	body := map[string]any{
		"access_token": "at-" + rand.Text(),
		"token_type":   "Bearer",
		"expires_in":   k.expiresIn,
		"id_token":     "idt-" + rand.Text(),
	}
	if withRefresh {
		body["refresh_token"] = s.issueRefresh()
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(body)
}

func (s *oauthServer) deviceAuth(w http.ResponseWriter, r *http.Request) {
	s.deviceAuths.Add(1)
	r.ParseForm()
	form := r.PostForm
	s.deviceForm.Store(&form)
	s.mu.Lock()
	d := s.k.device
	s.polls = append([]string(nil), d.script...)
	s.mu.Unlock()
	body := map[string]any{
		"device_code":      "dc-1",
		"user_code":        "WDJB-MJHT",
		"verification_uri": s.srv.URL + "/activate",
		"expires_in":       600,
	}
	if !d.noComplete {
		body["verification_uri_complete"] = s.srv.URL + "/activate?user_code=WDJB-MJHT"
	}
	if d.expiresIn > 0 {
		body["expires_in"] = d.expiresIn
	}
	if d.interval > 0 {
		body["interval"] = d.interval
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(body)
}

func oauthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": "fake server says " + code})
}

// scriptedBrowser opens the login page as a browser would and follows the
// redirect to the callback, handing on the page the callback answered with.
type scriptedBrowser struct {
	opens atomic.Int32
	pages chan string // "status body" of each callback page
	// before runs before the login page is opened, with the callback's base
	// URL (stray requests, say).
	before func(callbackBase string)
}

func (b *scriptedBrowser) open(ctx context.Context, u string) error {
	b.opens.Add(1)
	if b.before != nil {
		pu, err := url.Parse(u)
		if err != nil {
			return err
		}
		cb, err := url.Parse(pu.Query().Get("redirect_uri"))
		if err != nil {
			return err
		}
		b.before(cb.Scheme + "://" + cb.Host)
	}
	page, err := get(context.WithoutCancel(ctx), u) // a browser outlives the login

	select {
	case b.pages <- page:
	default:
	}
	return err
}

// page waits for the next callback page. The login may end before the
// browser has read its page.
func (b *scriptedBrowser) page(t *testing.T) string {
	t.Helper()
	select {
	case p := <-b.pages:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("the browser got no callback page")
		return ""
	}
}

func get(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return strconv.Itoa(resp.StatusCode) + " " + string(b), err
}

// countingTransport counts the requests that go through the session.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// loginRig is one interactive-login stack against an oauthServer.
type loginRig struct {
	srv     *oauthServer
	cfg     *config.Platform
	store   authn.TokenStore
	browser *scriptedBrowser
	session *countingTransport
	prompt  *syncBuffer
}

func newLogin(t *testing.T, mode config.AuthType) *loginRig {
	t.Helper()
	// Each rig its own endpoint: logins for one endpoint are serialized.
	host := strings.ToLower(rand.Text()) + ".example.test"
	return &loginRig{
		srv:     newOAuthServer(t),
		cfg:     &config.Platform{Endpoint: "dns:///" + host, AuthType: mode},
		store:   authn.NewMemoryTokenStore(),
		browser: &scriptedBrowser{pages: make(chan string, 16)},
		session: &countingTransport{},
		prompt:  &syncBuffer{},
	}
}

// key is the store key of l's tokens.
func (l *loginRig) key() authn.TokenKey {
	return authn.TokenKey{Endpoint: strings.TrimPrefix(l.cfg.Endpoint, "dns:///"), ClientID: l.srv.clientID}
}

// authenticator returns a new Authenticator (a new stack) for l.
func (l *loginRig) authenticator(t *testing.T, opts ...authn.Option) *authn.Authenticator {
	t.Helper()
	all := append([]authn.Option{
		authn.WithTokenStore(l.store),
		authn.WithBrowser(l.browser.open),
		authn.WithPrompt(l.prompt),
	}, opts...)
	a, err := authn.New(l.cfg, authn.StaticConfigStore(l.srv.clientConfig()), &http.Client{Transport: l.session}, all...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// storeToken puts a token with refresh token rt and the given expiry into
// l's store, as an earlier run would have left it.
func (l *loginRig) storeToken(t *testing.T, rt string, expiry time.Time) *oauth2.Token {
	t.Helper()
	tok := &oauth2.Token{AccessToken: "at-" + rand.Text(), TokenType: "Bearer", RefreshToken: rt, Expiry: expiry}
	if err := l.store.Save(t.Context(), l.key(), tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

func (l *loginRig) stored(t *testing.T) *oauth2.Token {
	t.Helper()
	tok, err := l.store.Load(t.Context(), l.key())
	if err != nil || tok == nil {
		t.Fatalf("stored token: %v, %v", tok, err)
	}
	return tok
}

// syncBuffer is a prompt writer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
