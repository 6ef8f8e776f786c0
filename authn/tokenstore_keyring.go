package authn

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/errs"
)

// DefaultKeyringTimeout bounds each call to the OS keyring. A locked or
// absent Secret Service can leave a D-Bus call hanging; past this the keyring
// is given up for the life of the store.
const DefaultKeyringTimeout = 5 * time.Second

// keyringUserPrefix starts the keyring user name of authwire's items; the
// service is the endpoint.
const keyringUserPrefix = "authwire:"

// flytekit's items: service = endpoint, one item per token.
const (
	flytekitAccessToken  = "access_token"
	flytekitRefreshToken = "refresh_token"
	flytekitIDToken      = "id_token"
)

// Keyring is an OS keyring (macOS Keychain, Windows Credential Manager, the
// Secret Service on Linux) as the keyring token store uses it: secrets
// named by service and user. Get and Delete return an error matching
// [ErrKeyringNotFound] for a missing item; Set returns one matching
// [ErrKeyringTooBig] for a secret the keyring cannot hold. Calls may block;
// the store bounds them. Package
// [github.com/authwire/authwire/authn/oskeyring] implements it with
// github.com/zalando/go-keyring; it is a package of its own so that only
// programs that pass it link the keyring and D-Bus.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// Errors a [Keyring] returns, matched with errors.Is.
var (
	ErrKeyringNotFound = errors.New("authn: no such item in the keyring")
	ErrKeyringTooBig   = errors.New("authn: the secret is too large for the keyring")
)

// NewKeyringTokenStore returns a store in the keyring kr. Each token is one
// item: service = the endpoint, user = "authwire:" + the client id, secret =
// the token as JSON.
//
// Load also reads what flytekit (pyflyte) stored for the endpoint — items
// access_token, refresh_token and id_token — so that its users are not asked
// to log in again; those items are never written or deleted.
//
// Every keyring call is bounded by [DefaultKeyringTimeout]. When the keyring
// fails (no D-Bus, no Secret Service, a locked collection, a timeout) the
// store warns once through log (nil discards) and from then on uses fallback;
// with a nil fallback the failure is returned. A token too large for the
// keyring is saved to fallback as well.
func NewKeyringTokenStore(kr Keyring, fallback TokenStore, log *slog.Logger) TokenStore {
	return newKeyringStore(kr, DefaultKeyringTimeout, fallback, log)
}

func newKeyringStore(kr Keyring, timeout time.Duration, fallback TokenStore, log *slog.Logger) *keyringStore {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &keyringStore{kr: kr, timeout: timeout, fallback: fallback, log: log, warned: warnOnce{log: log}}
}

type keyringStore struct {
	kr       Keyring
	timeout  time.Duration
	fallback TokenStore
	log      *slog.Logger
	failed   atomic.Bool // the keyring failed once: use fallback from now on
	warned   warnOnce
}

// errKeyringTimeout is a keyring call that did not return in time.
var errKeyringTimeout = errors.New("the OS keyring did not answer in time")

// call runs f with the store's timeout. A call that times out keeps running
// in its goroutine; there is no way to abort it.
func (s *keyringStore) call(ctx context.Context, f func() (string, error)) (string, error) {
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", errKeyringTimeout
		}
		return "", ctx.Err()
	}
}

func (s *keyringStore) get(ctx context.Context, service, user string) (v string, found bool, err error) {
	v, err = s.call(ctx, func() (string, error) { return s.kr.Get(service, user) })
	if errors.Is(err, ErrKeyringNotFound) {
		return "", false, nil
	}
	return v, err == nil, err
}

// giveUp records a keyring failure and reports whether the operation should
// go to the fallback store.
func (s *keyringStore) giveUp(ctx context.Context, err error) bool {
	if ctx.Err() != nil || s.fallback == nil {
		return false
	}
	s.failed.Store(true)
	s.warned.warn(ctx, "authn: the OS keyring is unavailable; keeping login tokens in files instead", slog.String("error", err.Error()))
	return true
}

func (s *keyringStore) wrap(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	code := errs.Unavailable
	if errors.Is(err, errKeyringTimeout) {
		code = errs.DeadlineExceeded
	}
	return &errs.Error{Code: code, Op: "authn", Message: "cannot " + op + " the token in the OS keyring", Err: err}
}

func (s *keyringStore) Load(ctx context.Context, key TokenKey) (*oauth2.Token, error) {
	if s.failed.Load() {
		return s.fallback.Load(ctx, key)
	}
	v, found, err := s.get(ctx, key.Endpoint, keyringUserPrefix+key.ClientID)
	if err != nil {
		if s.giveUp(ctx, err) {
			return s.fallback.Load(ctx, key)
		}
		return nil, s.wrap("read", err)
	}
	if found {
		if tok, ok := decodeToken([]byte(v)); ok {
			return tok, nil
		}
		s.log.LogAttrs(ctx, slog.LevelWarn, "authn: ignoring a damaged token in the OS keyring; the next login replaces it", slog.String("endpoint", key.Endpoint))
		return nil, nil
	}
	if s.fallback != nil { // saved there when it was too large for the keyring
		if tok, err := s.fallback.Load(ctx, key); tok != nil || err != nil {
			return tok, err
		}
	}
	return s.loadFlytekit(ctx, key)
}

// loadFlytekit reads flytekit's items for the endpoint. They carry no expiry:
// the access token's JWT exp, if any, decides when it is refreshed.
func (s *keyringStore) loadFlytekit(ctx context.Context, key TokenKey) (*oauth2.Token, error) {
	var st storedToken
	for _, item := range []struct {
		user string
		dst  *string
	}{
		{flytekitAccessToken, &st.AccessToken},
		{flytekitRefreshToken, &st.RefreshToken},
		{flytekitIDToken, &st.IDToken},
	} {
		v, _, err := s.get(ctx, key.Endpoint, item.user)
		if err != nil {
			if s.giveUp(ctx, err) {
				return s.fallback.Load(ctx, key)
			}
			return nil, s.wrap("read", err)
		}
		*item.dst = v
		if item.user == flytekitAccessToken && v == "" {
			return nil, nil
		}
	}
	if st.RefreshToken == "na" { // flytekit's placeholder for "none"
		st.RefreshToken = ""
	}
	st.TokenType = "Bearer"
	return newToken(st), nil
}

func (s *keyringStore) Save(ctx context.Context, key TokenKey, tok *oauth2.Token) error {
	if s.failed.Load() {
		return s.fallback.Save(ctx, key, tok)
	}
	b, err := encodeToken(tok)
	if err != nil {
		return err
	}
	user := keyringUserPrefix + key.ClientID
	_, err = s.call(ctx, func() (string, error) { return "", s.kr.Set(key.Endpoint, user, string(b)) })
	switch {
	case err == nil:
		if s.fallback != nil { // a copy an earlier save left there is stale now
			_ = s.fallback.Delete(ctx, key)
		}
		return nil
	case errors.Is(err, ErrKeyringTooBig) && s.fallback != nil:
		_, _ = s.call(ctx, func() (string, error) { return "", s.kr.Delete(key.Endpoint, user) }) // an older item would shadow the fallback
		return s.fallback.Save(ctx, key, tok)
	case s.giveUp(ctx, err):
		return s.fallback.Save(ctx, key, tok)
	}
	return s.wrap("save", err)
}

// Delete removes authwire's item and the fallback's copy; flytekit's items
// are left alone.
func (s *keyringStore) Delete(ctx context.Context, key TokenKey) error {
	var kerr error
	if !s.failed.Load() {
		_, err := s.call(ctx, func() (string, error) { return "", s.kr.Delete(key.Endpoint, keyringUserPrefix+key.ClientID) })
		if err != nil && !errors.Is(err, ErrKeyringNotFound) && !s.giveUp(ctx, err) {
			kerr = s.wrap("delete", err)
		}
	}
	if s.fallback != nil {
		return errors.Join(kerr, s.fallback.Delete(ctx, key))
	}
	return kerr
}
