package authn_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"

	"github.com/authwire/authwire/authn"
	"github.com/authwire/authwire/authn/oskeyring"
	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

var storeKey = authn.TokenKey{Endpoint: "flyte.example.test:443", ClientID: "flytectl"}

func randomToken() *oauth2.Token {
	return (&oauth2.Token{
		AccessToken:  "at-" + rand.Text(),
		TokenType:    "Bearer",
		RefreshToken: "rt-" + rand.Text(),
		Expiry:       time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}).WithExtra(map[string]any{"id_token": "idt-" + rand.Text()})
}

// sameToken compares what a store must keep: access, refresh and id tokens,
// type and expiry.
func sameToken(t *testing.T, got, want *oauth2.Token) {
	t.Helper()
	if got == nil {
		t.Fatal("no token loaded")
	}
	if got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken || got.TokenType != want.TokenType ||
		!got.Expiry.Equal(want.Expiry) || got.Extra("id_token") != want.Extra("id_token") {
		t.Fatal("the loaded token differs from the saved one")
	}
}

// saveLoad saves a random token to s and checks that Load returns it.
func saveLoad(t *testing.T, s authn.TokenStore) {
	t.Helper()
	want := randomToken()
	if err := s.Save(t.Context(), storeKey, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(t.Context(), storeKey)
	if err != nil {
		t.Fatal(err)
	}
	sameToken(t, got, want)
}

// roundTrip checks Save, Load and Delete on s.
func roundTrip(t *testing.T, s authn.TokenStore) {
	t.Helper()
	ctx := t.Context()
	if tok, err := s.Load(ctx, storeKey); tok != nil || err != nil {
		t.Fatalf("empty store: %v, %v", tok, err)
	}
	saveLoad(t, s)
	other := storeKey
	other.ClientID = "other"
	if tok, _ := s.Load(ctx, other); tok != nil {
		t.Fatal("a token was loaded for another client id")
	}
	if err := s.Delete(ctx, storeKey); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.Load(ctx, storeKey); tok != nil || err != nil {
		t.Fatalf("after Delete: %v, %v", tok, err)
	}
	if err := s.Delete(ctx, storeKey); err != nil {
		t.Fatalf("Delete of nothing: %v", err)
	}
}

func TestMemoryTokenStore(t *testing.T) {
	t.Parallel()
	roundTrip(t, authn.NewMemoryTokenStore())
}

func TestFileTokenStore(t *testing.T) {
	t.Parallel()
	roundTrip(t, authn.NewFileTokenStore(filepath.Join(t.TempDir(), "authwire"), nil))
}

func TestFileTokenStorePermissions(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX permissions")
	}
	dir := filepath.Join(t.TempDir(), "cache", "authwire")
	s := authn.NewFileTokenStore(dir, nil)
	if err := s.Save(t.Context(), storeKey, randomToken()); err != nil {
		t.Fatal(err)
	}
	assertMode(t, dir, 0o700)
	assertMode(t, filepath.Join(dir, authn.TokenFileName(storeKey)), 0o600)

	// A directory someone loosened is made private again.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(t.Context(), storeKey, randomToken()); err != nil {
		t.Fatal(err)
	}
	assertMode(t, dir, 0o700)
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Fatalf("%s: mode %o; want %o", path, got, want)
	}
}

func TestFileTokenStoreCrashMidWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := authn.NewFileTokenStore(dir, nil)
	old := randomToken()
	if err := s.Save(t.Context(), storeKey, old); err != nil {
		t.Fatal(err)
	}
	crash := errors.New("power cut")
	authn.CrashBeforeRename(s, crash)
	if err := s.Save(t.Context(), storeKey, randomToken()); !errors.Is(err, crash) {
		t.Fatalf("Save = %v; want the crash", err)
	}
	got, err := authn.NewFileTokenStore(dir, nil).Load(t.Context(), storeKey)
	if err != nil {
		t.Fatal(err)
	}
	sameToken(t, got, old)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files after a failed save: %v; want only the token file", entries)
	}
}

func TestFileTokenStoreIgnoresDamagedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	warnings := &recordHandler{}
	s := authn.NewFileTokenStore(dir, slog.New(warnings))
	path := filepath.Join(dir, authn.TokenFileName(storeKey))
	for _, damaged := range []string{`{"access_token": "at-tru`, "", "null", `{"token_type": "Bearer"}`} {
		if err := os.WriteFile(path, []byte(damaged), 0o600); err != nil {
			t.Fatal(err)
		}
		tok, err := s.Load(t.Context(), storeKey)
		if tok != nil || err != nil {
			t.Fatalf("damaged file %q: %v, %v; want nothing loaded, no error", damaged, tok, err)
		}
	}
	if n := warnings.count(slog.LevelWarn); n != 4 {
		t.Fatalf("warnings = %d; want one per damaged read", n)
	}
	// A login over a damaged file works.
	l := newLogin(t, config.AuthPKCE)
	l.store = s
	l.cfg.Endpoint = storeKey.Endpoint
	if _, err := l.authenticator(t).Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if tok, _ := s.Load(t.Context(), storeKey); tok == nil {
		t.Fatal("the new login's token was not saved over the damaged file")
	}
}

// TestKeyringTokenStoreMock uses go-keyring's global mock backend, so it does
// not run in parallel with other tests.
func TestKeyringTokenStoreMock(t *testing.T) {
	keyring.MockInit()
	roundTrip(t, authn.NewKeyringTokenStore(oskeyring.Keyring{}, nil, nil))

	t.Run("reads flytekit's items", func(t *testing.T) {
		keyring.MockInit()
		access, refresh, id := "at-"+rand.Text(), "rt-"+rand.Text(), "idt-"+rand.Text()
		for user, v := range map[string]string{"access_token": access, "refresh_token": refresh, "id_token": id} {
			if err := keyring.Set(storeKey.Endpoint, user, v); err != nil {
				t.Fatal(err)
			}
		}
		tok, err := authn.NewKeyringTokenStore(oskeyring.Keyring{}, nil, nil).Load(t.Context(), storeKey)
		if err != nil || tok == nil {
			t.Fatalf("Load = %v, %v", tok, err)
		}
		if tok.AccessToken != access || tok.RefreshToken != refresh || tok.Extra("id_token") != id {
			t.Fatal("flytekit's tokens were not read")
		}
		// Saving writes authwire's own item and leaves flytekit's alone.
		if err := authn.NewKeyringTokenStore(oskeyring.Keyring{}, nil, nil).Save(t.Context(), storeKey, randomToken()); err != nil {
			t.Fatal(err)
		}
		if v, _ := keyring.Get(storeKey.Endpoint, "access_token"); v != access {
			t.Fatal("flytekit's item was overwritten")
		}
	})

	t.Run("flytekit's placeholder refresh token", func(t *testing.T) {
		keyring.MockInit()
		keyring.Set(storeKey.Endpoint, "access_token", "at-"+rand.Text())
		keyring.Set(storeKey.Endpoint, "refresh_token", "na")
		tok, err := authn.NewKeyringTokenStore(oskeyring.Keyring{}, nil, nil).Load(t.Context(), storeKey)
		if err != nil || tok == nil || tok.RefreshToken != "" {
			t.Fatalf("Load = %+v, %v; want no refresh token", tok, err)
		}
	})

	t.Run("unavailable keyring falls back to files", func(t *testing.T) {
		keyring.MockInitWithError(errors.New("org.freedesktop.secrets was not provided by any service files"))
		warnings := &recordHandler{}
		log := slog.New(warnings)
		dir := t.TempDir()
		saveLoad(t, authn.NewKeyringTokenStore(oskeyring.Keyring{}, authn.NewFileTokenStore(dir, log), log))
		if _, err := os.Stat(filepath.Join(dir, authn.TokenFileName(storeKey))); err != nil {
			t.Fatalf("no token file: %v", err)
		}
		if n := warnings.count(slog.LevelWarn); n != 1 {
			t.Fatalf("warnings = %d; want exactly 1", n)
		}
	})

	t.Run("too large for the keyring", func(t *testing.T) {
		keyring.MockInit()
		dir := t.TempDir()
		saveLoad(t, authn.NewKeyringTokenStoreWith(tooSmallKeyring{}, time.Minute, authn.NewFileTokenStore(dir, nil), nil))
	})
}

// tooSmallKeyring is go-keyring's mock that refuses every secret as too big.
type tooSmallKeyring struct{}

func (tooSmallKeyring) Get(service, user string) (string, error) {
	return oskeyring.Keyring{}.Get(service, user)
}
func (tooSmallKeyring) Set(string, string, string) error { return authn.ErrKeyringTooBig }
func (tooSmallKeyring) Delete(service, user string) error {
	return oskeyring.Keyring{}.Delete(service, user)
}

// hangingKeyring never answers, like a D-Bus call to a locked collection.
type hangingKeyring struct {
	release chan struct{}
}

func (h *hangingKeyring) wait() error {
	<-h.release
	return errors.New("released")
}
func (h *hangingKeyring) Get(string, string) (string, error) { return "", h.wait() }
func (h *hangingKeyring) Set(string, string, string) error   { return h.wait() }
func (h *hangingKeyring) Delete(string, string) error        { return h.wait() }

func TestKeyringTimeoutFallsBackToFiles(t *testing.T) {
	t.Parallel()
	hung := &hangingKeyring{release: make(chan struct{})}
	t.Cleanup(func() { close(hung.release) })
	warnings := &recordHandler{}
	log := slog.New(warnings)
	dir := t.TempDir()
	s := authn.NewKeyringTokenStoreWith(hung, time.Millisecond, authn.NewFileTokenStore(dir, log), log)

	if tok, err := s.Load(t.Context(), storeKey); tok != nil || err != nil {
		t.Fatalf("Load = %v, %v; want nothing, no error", tok, err)
	}
	saveLoad(t, s)
	if n := warnings.count(slog.LevelWarn); n != 1 {
		t.Fatalf("warnings = %d; want exactly 1", n)
	}
	if msg := warnings.messages(); !strings.Contains(msg, "keyring") {
		t.Fatalf("warning = %q", msg)
	}
}

func TestKeyringTimeoutWithoutFallback(t *testing.T) {
	t.Parallel()
	hung := &hangingKeyring{release: make(chan struct{})}
	t.Cleanup(func() { close(hung.release) })
	s := authn.NewKeyringTokenStoreWith(hung, time.Millisecond, nil, nil)
	_, err := s.Load(t.Context(), storeKey)
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Fatalf("Load = %v; want a timeout", err)
	}
}

func TestTokenCacheSetting(t *testing.T) {
	t.Parallel()
	l := newLogin(t, config.AuthPKCE)
	l.cfg.TokenCache = "floppy"
	_, err := authn.New(l.cfg, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "token cache") {
		t.Fatalf("New = %v; want an unknown token cache error", err)
	}
	for _, v := range []string{"memory", "File", "auto", ""} {
		l.cfg.TokenCache = v
		if _, err := authn.New(l.cfg, nil, nil); err != nil {
			t.Fatalf("tokenCache %q: %v", v, err)
		}
	}
	// "keyring" needs a keyring, which only programs that link one pass.
	l.cfg.TokenCache = "keyring"
	_, err = authn.New(l.cfg, nil, nil)
	if errs.CodeOf(err) != errs.InvalidArgument || !strings.Contains(err.Error(), "oskeyring") {
		t.Fatalf("tokenCache keyring without a keyring: New = %v; want InvalidArgument naming oskeyring", err)
	}
	if _, err := authn.New(l.cfg, nil, nil, authn.WithKeyring(oskeyring.Keyring{})); err != nil {
		t.Fatalf("tokenCache keyring with a keyring: %v", err)
	}
}

// recordHandler records log records.
type recordHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordHandler) WithGroup(string) slog.Handler            { return h }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.records = append(h.records, r)
	h.mu.Unlock()
	return nil
}

func (h *recordHandler) count(level slog.Level) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.records {
		if r.Level == level {
			n++
		}
	}
	return n
}

func (h *recordHandler) messages() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, r := range h.records {
		b.WriteString(r.Message + "\n")
	}
	return b.String()
}
