package authn

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// TokenKey names the tokens of one login: the endpoint they were issued for
// (as configured, without "dns:///", the name flytekit uses) and the OAuth2
// client id.
type TokenKey struct {
	Endpoint string
	ClientID string
}

// TokenStore keeps the tokens of interactive logins (PKCE, device flow)
// between runs, so that a user logs in once and later programs refresh the
// stored token instead of asking again. Client-secret and command tokens are
// never stored: they are cheap to obtain again.
//
// Load returns (nil, nil) when nothing is stored for key; a damaged entry is
// reported as absent. Save replaces the entry as a whole: a reader sees the
// old token or the new one, never a mix. Delete of an absent entry is not an
// error. Implementations must be safe for concurrent use. Tokens carry their
// expiry and refresh token, and the OpenID Connect id token in
// Token.Extra("id_token") when there is one.
type TokenStore interface {
	Load(ctx context.Context, key TokenKey) (*oauth2.Token, error)
	Save(ctx context.Context, key TokenKey, tok *oauth2.Token) error
	Delete(ctx context.Context, key TokenKey) error
}

// The values of the token-cache setting (config.Platform.TokenCache), matched
// without regard to case. The empty string means TokenCacheAuto.
const (
	// TokenCacheAuto uses the OS keyring and falls back to files when the
	// keyring is unavailable or does not answer; with disableKeyring it
	// uses files only.
	TokenCacheAuto = "auto"
	// TokenCacheKeyring uses the OS keyring only.
	TokenCacheKeyring = "keyring"
	// TokenCacheFile keeps tokens in files under [DefaultTokenDir].
	TokenCacheFile = "file"
	// TokenCacheMemory keeps tokens for the life of the process only.
	TokenCacheMemory = "memory"
)

// newTokenStore returns the store selected by option, else by cfg.TokenCache;
// with cfg.DisableKeyring, "auto" means files only.
func newTokenStore(cfg *config.Platform, o *options) (TokenStore, error) {
	if o.tokenStore != nil {
		return o.tokenStore, nil
	}
	switch strings.ToLower(cfg.TokenCache) {
	case "", TokenCacheAuto:
		if cfg.DisableKeyring {
			return NewFileTokenStore("", o.log), nil
		}
		return NewKeyringTokenStore(NewFileTokenStore("", o.log), o.log), nil
	case TokenCacheKeyring:
		return NewKeyringTokenStore(nil, o.log), nil
	case TokenCacheFile:
		return NewFileTokenStore("", o.log), nil
	case TokenCacheMemory:
		return NewMemoryTokenStore(), nil
	}
	return nil, &errs.Error{
		Code: errs.InvalidArgument, Op: "authn",
		Message: "unknown token cache " + truncate(cfg.TokenCache, 40),
		Hint:    "use one of auto, keyring, file, memory",
	}
}

// storedToken is the form in which file and keyring stores keep a token.
type storedToken struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	IDToken      string    `json:"id_token,omitempty"`
}

func encodeToken(tok *oauth2.Token) ([]byte, error) {
	st := storedToken{
		AccessToken:  tok.AccessToken,
		TokenType:    tok.TokenType,
		RefreshToken: tok.RefreshToken,
		Expiry:       tok.Expiry,
	}
	st.IDToken, _ = tok.Extra("id_token").(string)
	return json.Marshal(st)
}

// decodeToken parses what encodeToken wrote; ok is false for anything else,
// including an entry without an access or refresh token.
func decodeToken(b []byte) (tok *oauth2.Token, ok bool) {
	var st storedToken
	if json.Unmarshal(b, &st) != nil || (st.AccessToken == "" && st.RefreshToken == "") {
		return nil, false
	}
	return newToken(st), true
}

func newToken(st storedToken) *oauth2.Token {
	tok := &oauth2.Token{
		AccessToken:  st.AccessToken,
		TokenType:    st.TokenType,
		RefreshToken: st.RefreshToken,
		Expiry:       st.Expiry,
	}
	if st.IDToken != "" {
		tok = tok.WithExtra(map[string]any{"id_token": st.IDToken})
	}
	return tok
}

// NewMemoryTokenStore returns a store that keeps tokens in memory, for the
// life of the process (token cache "memory").
func NewMemoryTokenStore() TokenStore {
	return &memoryStore{tokens: map[TokenKey][]byte{}}
}

type memoryStore struct {
	mu     sync.Mutex
	tokens map[TokenKey][]byte // encoded, so callers never share a *Token
}

func (m *memoryStore) Load(_ context.Context, key TokenKey) (*oauth2.Token, error) {
	m.mu.Lock()
	b, found := m.tokens[key]
	m.mu.Unlock()
	if !found {
		return nil, nil
	}
	tok, _ := decodeToken(b)
	return tok, nil
}

func (m *memoryStore) Save(_ context.Context, key TokenKey, tok *oauth2.Token) error {
	b, err := encodeToken(tok)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.tokens[key] = b
	m.mu.Unlock()
	return nil
}

func (m *memoryStore) Delete(_ context.Context, key TokenKey) error {
	m.mu.Lock()
	delete(m.tokens, key)
	m.mu.Unlock()
	return nil
}

// warnOnce logs a warning the first time only: a fallback is announced once
// per store, not on every token.
type warnOnce struct {
	once sync.Once
	log  *slog.Logger
}

func (w *warnOnce) warn(ctx context.Context, msg string, attrs ...slog.Attr) {
	w.once.Do(func() { w.log.LogAttrs(ctx, slog.LevelWarn, msg, attrs...) })
}
