package authn_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authtest"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

func TestRefreshInsteadOfLogin(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	rt := l.srv.issueRefresh()
	old := l.storeToken(t, rt, time.Now().Add(-time.Hour))

	tok, err := l.authenticator(t).Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == old.AccessToken || l.srv.refreshes.Load() != 1 || l.browser.opens.Load() != 0 || l.srv.authorizes.Load() != 0 {
		t.Fatalf("new token %v, %d refreshes, %d logins; want a new token, 1 refresh, 0 logins",
			tok.AccessToken != old.AccessToken, l.srv.refreshes.Load(), l.srv.authorizes.Load())
	}
	if l.session.n.Load() != 1 {
		t.Fatalf("session requests = %d; want the refresh", l.session.n.Load())
	}
	stored := l.stored(t)
	if stored.AccessToken != tok.AccessToken || stored.RefreshToken != rt {
		t.Fatal("the store does not hold the new access token with the unrotated refresh token")
	}
}

func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.srv.set(func(k *oauthKnobs) { k.rotate = true })
	rt := l.srv.issueRefresh()
	l.storeToken(t, rt, time.Now().Add(-time.Hour))
	clock := authtest.NewClock(time.Now())
	a := l.authenticator(t, authn.WithClock(clock.Now))

	if _, err := a.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	rotated := l.stored(t).RefreshToken
	if rotated == rt || rotated == "" {
		t.Fatal("the rotated refresh token did not replace the old one in the store")
	}
	// The old refresh token is dead at the server: the next refresh must
	// use the rotated one.
	clock.Advance(2 * time.Hour)
	if _, err := a.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if l.srv.refreshes.Load() != 2 || l.srv.authorizes.Load() != 0 {
		t.Fatalf("%d refreshes, %d logins; want 2 refreshes and no login", l.srv.refreshes.Load(), l.srv.authorizes.Load())
	}
	if l.stored(t).RefreshToken == rotated {
		t.Fatal("the second rotation was not stored")
	}
}

func TestRefreshInvalidGrantLogsInOnce(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.storeToken(t, "rt-revoked", time.Now().Add(-time.Hour)) // unknown to the server
	a := l.authenticator(t)
	if _, err := a.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if l.srv.refreshes.Load() != 1 || l.srv.authorizes.Load() != 1 || l.browser.opens.Load() != 1 {
		t.Fatalf("%d refreshes, %d logins; want 1 refresh, 1 login", l.srv.refreshes.Load(), l.srv.authorizes.Load())
	}
	if rt := l.stored(t).RefreshToken; rt == "rt-revoked" || rt == "" {
		t.Fatal("the login's refresh token did not replace the revoked one")
	}
}

func TestRefreshTransientFailureKeepsRefreshToken(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.srv.set(func(k *oauthKnobs) { k.refreshAnswer = "503" })
	rt := l.srv.issueRefresh()
	l.storeToken(t, rt, time.Now().Add(-time.Hour))
	a := l.authenticator(t)

	_, err := a.Token(t.Context())
	if errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("err = %v; want Unavailable", err)
	}
	if l.browser.opens.Load() != 0 || l.stored(t).RefreshToken != rt {
		t.Fatal("a transient refresh failure started a login or lost the refresh token")
	}
	// Once the server recovers, the same refresh token works.
	l.srv.set(func(k *oauthKnobs) { k.refreshAnswer = "" })
	if _, err := a.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if l.srv.refreshes.Load() != 2 || l.browser.opens.Load() != 0 {
		t.Fatalf("%d refreshes, %d logins", l.srv.refreshes.Load(), l.browser.opens.Load())
	}
}

func TestRefreshConcurrentCallersRefreshOnce(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.storeToken(t, l.srv.issueRefresh(), time.Now().Add(-time.Hour))
	a := l.authenticator(t)
	var wg sync.WaitGroup
	tokens := make([]string, 100)
	for i := range tokens {
		wg.Go(func() {
			tok, err := a.Token(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = tok.AccessToken
		})
	}
	wg.Wait()
	if n := l.srv.refreshes.Load(); n != 1 {
		t.Fatalf("refresh requests = %d; want 1", n)
	}
	for _, tok := range tokens {
		if tok != tokens[0] {
			t.Fatal("callers got different tokens")
		}
	}
}

func TestStoredValidTokenIsUsedThenRefreshedOnRejection(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	stored := l.storeToken(t, l.srv.issueRefresh(), time.Now().Add(time.Hour))
	a := l.authenticator(t)
	tok, err := a.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != stored.AccessToken || l.srv.refreshes.Load() != 0 {
		t.Fatal("a valid stored token was not used as it is")
	}
}

// A background refresh (inside the refresh window, the current token still
// valid) never opens a browser: the login waits for the token to expire.
func TestBackgroundRefreshNeverLogsIn(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.storeToken(t, "rt-revoked", time.Now().Add(3*time.Minute)) // inside the 5 min window
	failed := make(chan struct{}, 1)
	log := slog.New(&signalHandler{msg: "authn: token fetch failed", ch: failed})
	opened := make(chan struct{}, 1)
	noLogin := func(context.Context, string) error { opened <- struct{}{}; return errors.New("no") }
	clock := authtest.NewClock(time.Now())
	a := l.authenticator(t, authn.WithLogger(log), authn.WithBrowser(noLogin), authn.WithClock(clock.Now))

	if _, err := a.Token(t.Context()); err != nil { // the stored token, valid for 3 min
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute)
	if _, err := a.Token(t.Context()); err != nil { // still valid; starts the background refresh
		t.Fatal(err)
	}
	<-failed
	select {
	case <-opened:
		t.Fatal("a background refresh started a login")
	default:
	}
	if l.srv.refreshes.Load() != 1 {
		t.Fatalf("refreshes = %d; want 1", l.srv.refreshes.Load())
	}
}

// signalHandler sends on ch when a record with message msg is logged.
type signalHandler struct {
	msg string
	ch  chan struct{}
}

func (h *signalHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *signalHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *signalHandler) WithGroup(string) slog.Handler            { return h }
func (h *signalHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, h.msg) {
		select {
		case h.ch <- struct{}{}:
		default:
		}
	}
	return nil
}
