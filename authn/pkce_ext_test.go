package authn_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

func TestPKCELoginEndToEndAndReuse(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	var stray string
	l.browser.before = func(base string) { stray, _ = get(t.Context(), base+"/favicon.ico") }

	tok, err := l.authenticator(t).Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, "at-") || tok.RefreshToken != "" {
		t.Fatalf("token = %+v; want an access token and no refresh token handed out", tok)
	}
	if page := l.browser.page(t); !strings.HasPrefix(page, "200 ") || !strings.Contains(page, "logged in") {
		t.Fatalf("callback page = %q", page)
	}
	if !strings.HasPrefix(stray, "404 ") { // written before the page was read
		t.Fatalf("favicon answer = %q; want 404", stray)
	}
	if n := l.srv.exchanges.Load(); n != 1 {
		t.Fatalf("code exchanges = %d; want 1", n)
	}
	if l.session.n.Load() == 0 {
		t.Fatal("the code exchange did not go through the session")
	}
	stored := l.stored(t)
	if stored.AccessToken != tok.AccessToken || stored.RefreshToken == "" || stored.Expiry.IsZero() {
		t.Fatalf("stored token: access matches %v, refresh %v, expiry %v", stored.AccessToken == tok.AccessToken, stored.RefreshToken != "", stored.Expiry)
	}
	if id, _ := stored.Extra("id_token").(string); !strings.HasPrefix(id, "idt-") {
		t.Fatal("the id token was not stored")
	}

	// A second stack (a new program) uses the stored token: no login.
	again, err := l.authenticator(t).Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if again.AccessToken != tok.AccessToken || l.browser.opens.Load() != 1 || l.srv.authorizes.Load() != 1 {
		t.Fatalf("second stack: same token %v, browser opened %d times, %d authorizations", again.AccessToken == tok.AccessToken, l.browser.opens.Load(), l.srv.authorizes.Load())
	}
}

func TestPKCELoginSendsConfiguredValues(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.cfg.Scopes = []string{"openid", "offline_access"}
	l.cfg.Audience = "flyte-api"
	var seen url.Values
	open := func(ctx context.Context, u string) error {
		pu, _ := url.Parse(u)
		seen = pu.Query()
		return l.browser.open(ctx, u)
	}
	if _, err := l.authenticator(t, authn.WithBrowser(open)).Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	l.browser.page(t) // seen is written before the page is read
	if seen.Get("scope") != "openid offline_access" || seen.Get("audience") != "flyte-api" || seen.Get("client_id") != "flytectl" {
		t.Fatalf("authorization request = %v", seen)
	}
}

func TestPKCEWrongStateIsRejected(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.srv.set(func(k *oauthKnobs) { k.redirect = func(q url.Values) { q.Set("state", "forged") } })
	_, err := l.authenticator(t).Token(t.Context())
	if !errors.Is(err, authn.ErrStateMismatch) || errs.CodeOf(err) != errs.Unauthenticated {
		t.Fatalf("err = %v; want a state mismatch, Unauthenticated", err)
	}
	if page := l.browser.page(t); !strings.HasPrefix(page, "400 ") || !strings.Contains(page, "rejected") {
		t.Fatalf("callback page = %q", page)
	}
	if n := l.srv.exchanges.Load(); n != 0 {
		t.Fatalf("a code with a forged state was exchanged (%d)", n)
	}
}

func TestPKCEErrorRedirectIsTypedAndEscaped(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.cfg.PKCE.Timeout = time.Hour // the error must end the login, not the timeout
	l.srv.set(func(k *oauthKnobs) {
		k.redirect = func(q url.Values) {
			q.Del("code")
			q.Set("error", "access_denied")
			q.Set("error_description", `<script>alert("x")</script>`)
		}
	})
	_, err := l.authenticator(t).Token(t.Context())
	var le *errs.OAuthError
	if !errors.As(err, &le) || le.ErrorCode != "access_denied" || !errors.Is(err, errs.ErrLoginDenied) || errs.CodeOf(err) != errs.Unauthenticated {
		t.Fatalf("err = %v; want an OAuthError access_denied, Unauthenticated", err)
	}
	if le.ErrorDescription != `<script>alert("x")</script>` {
		t.Fatalf("description = %q", le.ErrorDescription)
	}
	page := l.browser.page(t)
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;") {
		t.Fatalf("callback page does not escape the description:\n%s", page)
	}
}

func TestPKCEPortInUse(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, port, _ := net.SplitHostPort(busy.Addr().String())
	l := newLogin(t, config.AuthPKCE)
	cc := l.srv.clientConfig()
	cc.RedirectURI = "http://127.0.0.1:" + port + "/callback"
	a, err := authn.New(l.cfg, authn.StaticConfigStore(cc), nil, authn.WithTokenStore(l.store), authn.WithBrowser(l.browser.open))
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Token(t.Context())
	if err == nil || !strings.Contains(err.Error(), "port "+port) || !strings.Contains(err.Error(), cc.RedirectURI) {
		t.Fatalf("err = %v; want one naming port %s and the redirect URI", err, port)
	}
	if l.browser.opens.Load() != 0 {
		t.Fatal("the browser was opened although no callback could be received")
	}
}

func TestPKCETimeout(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.cfg.PKCE.Timeout = 20 * time.Millisecond
	idle := func(context.Context, string) error { return nil } // the user never logs in
	_, err := l.authenticator(t, authn.WithBrowser(idle)).Token(t.Context())
	if errs.CodeOf(err) != errs.DeadlineExceeded || !strings.Contains(err.Error(), "pkceConfig.timeout") {
		t.Fatalf("err = %v; want DeadlineExceeded naming pkceConfig.timeout", err)
	}
}

func TestPKCEPrintsURLWhenNoBrowser(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	followed := make(chan error, 1)
	prompt := &promptWatcher{lines: make(chan string, 16)}
	noBrowser := func(context.Context, string) error { return errors.New("no display") }
	go func() { // the user copies the URL into a browser
		for line := range prompt.lines {
			if u := strings.TrimSpace(line); strings.HasPrefix(u, "http") {
				_, err := get(t.Context(), u)
				followed <- err
				return
			}
		}
	}()
	tok, err := l.authenticator(t, authn.WithBrowser(noBrowser), authn.WithPrompt(prompt)).Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := <-followed; err != nil || tok.AccessToken == "" {
		t.Fatalf("login through the printed URL: %v", err)
	}
	if !strings.Contains(prompt.String(), "no display") {
		t.Fatalf("prompt = %q; want the reason the browser did not open", prompt.String())
	}
}

func TestPKCERedirectMustBeLoopback(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	cc := l.srv.clientConfig()
	cc.RedirectURI = "https://flyte.example.test/callback"
	a, err := authn.New(l.cfg, authn.StaticConfigStore(cc), nil, authn.WithTokenStore(l.store), authn.WithBrowser(l.browser.open))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Token(t.Context()); errs.CodeOf(err) != errs.InvalidArgument {
		t.Fatalf("err = %v; want InvalidArgument", err)
	}
}

// promptWatcher is a prompt writer that also hands each written line to a
// channel.
type promptWatcher struct {
	syncBuffer
	lines chan string
}

func (p *promptWatcher) Write(b []byte) (int, error) {
	p.syncBuffer.Write(b)
	for line := range strings.SplitSeq(string(b), "\n") {
		select {
		case p.lines <- line:
		default:
		}
	}
	return len(b), nil
}

func TestOneLoginPerEndpointAcrossStacks(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	stacks := []*authn.Authenticator{l.authenticator(t), l.authenticator(t), l.authenticator(t)}
	var wg sync.WaitGroup
	for _, a := range stacks {
		wg.Go(func() {
			if _, err := a.Token(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := l.browser.opens.Load(); n != 1 {
		t.Fatalf("browser opened %d times for 3 stacks of one endpoint; want 1", n)
	}
}
