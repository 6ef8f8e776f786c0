package authn

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
	"github.com/authwire/authwire/internal/credcache"
)

// tokenRequestTimeout bounds one request to the token or device endpoint
// (the Authenticator detaches fetches from their callers' contexts).
const tokenRequestTimeout = time.Minute

// loginMargin is what a Token call of an interactive source may take
// besides the login itself: the metadata round, a refresh and the code or
// device token exchange.
const loginMargin = 2 * credcache.DefaultFlightTimeout

// minValidity is how long a stored access token must still be valid to be
// used as it is rather than refreshed.
const minValidity = time.Minute

// loginSettings is what a login needs from the configuration and the server.
type loginSettings struct {
	conf     oauth2.Config // ClientID, endpoints, RedirectURL, Scopes; no secret
	audience string
	key      TokenKey
	insecure bool // cfg.Insecure: cleartext to remote endpoints allowed
}

// login performs one interactive login.
type login interface {
	login(ctx context.Context, ls *loginSettings) (*oauth2.Token, error)
}

// interactiveSource is the token source of authType Pkce and DeviceFlow: it
// refreshes the last token with its refresh token and logs in only when
// there is no refresh token or the server answers invalid_grant. Every new
// token is saved to the store, so the next program starts from it.
type interactiveSource struct {
	cfg     *config.Platform
	store   ConfigStore
	tokens  TokenStore
	session *http.Client
	login   login
	bound   time.Duration // one Token call, login included; also bounds the key's lock
	now     func() time.Time
	log     *slog.Logger

	last     *oauth2.Token   // the token handed out last, with its refresh token; under the key's lock
	rejected map[string]bool // refresh tokens the server answered invalid_grant to; under the key's lock
}

// loginLocks holds one lock per TokenKey for the whole process, so that two
// stacks for the same endpoint never run two logins at once: the second
// waits and then finds the first one's token in the store.
var loginLocks sync.Map // TokenKey -> chan struct{} (capacity 1)

// lockKey takes key's lock, or gives up when ctx is done. The lock is
// released by unlock or when ctx ends, whichever comes first: a holder that
// outlives its own bound cannot keep other stacks waiting.
func lockKey(ctx context.Context, key TokenKey) (unlock func(), err error) {
	v, _ := loginLocks.LoadOrStore(key, make(chan struct{}, 1))
	sem := v.(chan struct{})
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, &errs.Error{
			Code: errs.Unavailable, Op: "authn",
			Message: "another login to " + key.Endpoint + " in this process did not finish in time",
			Hint:    "finish or cancel the pending login, or raise the login timeout (pkceConfig.timeout, deviceFlowConfig.timeout)",
			Err:     ctx.Err(),
		}
	}
	var once sync.Once
	release := func() { once.Do(func() { <-sem }) }
	stop := context.AfterFunc(ctx, release)
	return func() { stop(); release() }, nil
}

// loginTimeout is how long an interactive login (mode Pkce or DeviceFlow)
// may take: the configured timeout, or the flow's default.
func loginTimeout(cfg *config.Platform, mode config.AuthType) time.Duration {
	if mode == config.AuthDeviceFlow {
		return cmp.Or(cfg.DeviceFlow.Timeout, defaultDeviceTimeout)
	}
	return cmp.Or(cfg.PKCE.Timeout, defaultPKCETimeout)
}

func newInteractiveSource(cfg *config.Platform, mode config.AuthType, store ConfigStore, session *http.Client, o *options) (TokenSource, error) {
	tokens, err := newTokenStore(cfg, o)
	if err != nil {
		return nil, err
	}
	prompt := o.prompt
	if prompt == nil {
		prompt = os.Stderr
	}
	sleep := o.sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	open := o.browser
	if open == nil {
		open = noBrowser
	}
	var l login
	timeout := loginTimeout(cfg, mode)
	if mode == config.AuthDeviceFlow {
		l = &deviceLogin{
			session: session, prompt: prompt, now: o.now, sleep: sleep,
			timeout: timeout, interval: cfg.DeviceFlow.PollInterval,
		}
	} else {
		l = &pkceLogin{
			session: session, prompt: prompt, open: open, log: o.log,
			timeout: timeout, now: o.now,
		}
	}
	return &interactiveSource{
		cfg: cfg, store: store, tokens: tokens, session: session, login: l, bound: timeout + loginMargin,
		now: o.now, log: o.log, rejected: map[string]bool{},
	}, nil
}

// Token returns, in this order: a stored token newer than the one handed out
// last and still valid (another program refreshed it, or this is the first
// call); a refreshed token; a new login. A refresh that fails for any reason
// other than invalid_grant fails the call and keeps the refresh token. A
// background refresh (credcache.Background) never starts a login. The whole
// call, and the key's lock with it, is bounded by the login timeout plus
// loginMargin.
func (s *interactiveSource) Token(ctx context.Context) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, s.bound)
	defer cancel()
	ls, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	unlock, err := lockKey(ctx, ls.key)
	if err != nil {
		return nil, err
	}
	defer unlock()
	stored, err := s.tokens.Load(ctx, ls.key)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "authn: cannot read the token cache", slog.String("error", err.Error()))
	}
	if stored != nil && stored.AccessToken != "" && s.fresh(stored) && (s.last == nil || stored.AccessToken != s.last.AccessToken) {
		s.last = stored
		return handOut(stored), nil
	}
	for _, rt := range s.refreshTokens(stored) {
		tok, invalid, err := s.refresh(ctx, ls, rt)
		if err == nil {
			s.keep(ctx, ls.key, tok)
			return handOut(tok), nil
		}
		if !invalid {
			return nil, err
		}
		s.rejected[rt] = true
		s.log.LogAttrs(ctx, slog.LevelInfo, "authn: the refresh token was rejected; a new login is needed", slog.String("endpoint", ls.key.Endpoint))
	}
	if credcache.Background(ctx) {
		return nil, &errs.Error{Code: errs.Unauthenticated, Op: "authn", Message: "the token cannot be refreshed; a login is needed and starts when the token expires"}
	}
	tok, err := s.login.login(ctx, ls)
	if err != nil {
		return nil, err
	}
	s.keep(ctx, ls.key, tok)
	s.log.LogAttrs(ctx, slog.LevelInfo, "authn: logged in", slog.String("endpoint", ls.key.Endpoint), slog.Time("expiry", tok.Expiry))
	return handOut(tok), nil
}

// refreshTokens lists the refresh tokens to try: the one in memory, then the
// stored one, leaving out those already rejected.
func (s *interactiveSource) refreshTokens(stored *oauth2.Token) []string {
	var rts []string
	for _, t := range []*oauth2.Token{s.last, stored} {
		if t != nil && t.RefreshToken != "" && !s.rejected[t.RefreshToken] && (len(rts) == 0 || rts[0] != t.RefreshToken) {
			rts = append(rts, t.RefreshToken)
		}
	}
	return rts
}

// fresh reports whether tok can be handed out as it is. A token without a
// known expiry (an opaque one from flytekit's keyring items) is used until
// the server rejects it.
func (s *interactiveSource) fresh(tok *oauth2.Token) bool {
	exp := tok.Expiry
	if exp.IsZero() {
		var ok bool
		if exp, ok = credcache.JWTExpiry(tok.AccessToken); !ok {
			return true
		}
	}
	return s.now().Add(minValidity).Before(exp)
}

// refresh redeems rt; invalid reports an invalid_grant answer (the refresh
// token is dead), as opposed to a failure worth trying again later.
func (s *interactiveSource) refresh(ctx context.Context, ls *loginSettings, rt string) (tok *oauth2.Token, invalid bool, err error) {
	ctx, cancel := context.WithTimeout(withSession(ctx, s.session), tokenRequestTimeout)
	defer cancel()
	expired := &oauth2.Token{RefreshToken: rt, Expiry: time.Unix(1, 0)}
	tok, err = ls.conf.TokenSource(ctx, expired).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		return nil, errors.As(err, &re) && re.ErrorCode == "invalid_grant", tokenError(err, ls.conf.ClientID)
	}
	if tok.RefreshToken == "" { // not rotated: keep the one we have
		tok.RefreshToken = rt
	}
	s.log.LogAttrs(ctx, slog.LevelDebug, "authn: token refreshed", slog.Bool("rotated", tok.RefreshToken != rt))
	return withExpiry(tok, s.now), false, nil
}

// keep makes tok the current token, in memory and in the store. A store that
// fails costs persistence, not the token. A token the Authenticator refuses
// (not a bearer token) is never persisted: the next program logs in again
// rather than load it.
func (s *interactiveSource) keep(ctx context.Context, key TokenKey, tok *oauth2.Token) {
	s.last = tok
	if checkTokenType(tok) != nil {
		return
	}
	if err := s.tokens.Save(ctx, key, tok); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "authn: cannot save the token; the next program will ask to log in again", slog.String("error", err.Error()))
	}
}

// settings resolves client id, endpoints, redirect URI, scopes and audience:
// configuration values win, the server's public client config and OAuth2
// metadata fill the rest.
func (s *interactiveSource) settings(ctx context.Context) (*loginSettings, error) {
	cc, err := serverClientConfig(ctx, s.store)
	if err != nil {
		return nil, err
	}
	ls := &loginSettings{
		conf: oauth2.Config{
			ClientID: cmp.Or(s.cfg.ClientID, cc.ClientID),
			Endpoint: oauth2.Endpoint{
				AuthURL:       cc.AuthorizationEndpoint,
				TokenURL:      cmp.Or(s.cfg.TokenURL, cc.TokenEndpoint),
				DeviceAuthURL: cc.DeviceAuthorizationEndpoint,
				AuthStyle:     oauth2.AuthStyleInParams, // a public client: client_id in the body, no secret
			},
			RedirectURL: cc.RedirectURI,
			Scopes:      s.cfg.Scopes,
		},
		audience: s.cfg.Audience,
		key:      TokenKey{Endpoint: strings.TrimPrefix(s.cfg.Endpoint, "dns:///")},
		insecure: s.cfg.Insecure,
	}
	if ls.conf.Scopes == nil {
		ls.conf.Scopes = cc.Scopes
	}
	if ls.audience == "" && s.cfg.UseAudienceFromAdmin {
		ls.audience = cc.Audience
	}
	ls.key.ClientID = ls.conf.ClientID
	switch {
	case ls.conf.ClientID == "":
		return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "no client id for the login", Hint: "the server publishes none; set clientId"}
	case ls.conf.Endpoint.TokenURL == "":
		return nil, noTokenEndpoint(cc)
	}
	if err := checkEndpoint(ls.conf.Endpoint.TokenURL, tokenURLUse(s.cfg.TokenURL), ls.insecure); err != nil {
		return nil, err
	}
	return ls, nil
}

// serverClientConfig asks store, treating a server that publishes nothing
// (Unimplemented, NotFound) or a nil store as an empty configuration.
func serverClientConfig(ctx context.Context, store ConfigStore) (*ClientConfig, error) {
	if store == nil {
		return &ClientConfig{}, nil
	}
	cc, err := store.ClientConfig(ctx)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Unimplemented || c == errs.NotFound {
			return &ClientConfig{}, nil
		}
		return nil, err
	}
	return cc, nil
}

// handOut returns a copy of tok without its refresh token, which stays with
// the source and the store.
func handOut(tok *oauth2.Token) *oauth2.Token {
	out := *tok
	out.RefreshToken = ""
	return &out
}

// withExpiry sets tok's expiry from expires_in on the injected clock. A
// negative expires_in is unknown, like a missing one (the JWT exp, if any,
// decides later), not a token that expired before it was issued.
func withExpiry(tok *oauth2.Token, now func() time.Time) *oauth2.Token {
	switch {
	case tok.ExpiresIn > 0:
		tok.Expiry = now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	case tok.ExpiresIn < 0:
		tok.Expiry = time.Time{}
	}
	return tok
}

func withSession(ctx context.Context, session *http.Client) context.Context {
	if session == nil {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, session)
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writePrompt writes an interactive prompt; a prompt that cannot be written
// is not worth failing the login for.
func writePrompt(w io.Writer, s string) { io.WriteString(w, s) }

// printable drops control characters from text the server chose, so that a
// prompt cannot carry terminal escape sequences.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

// errNoBrowser is why a program without [WithBrowser] shows the login URL.
var errNoBrowser = errors.New("no browser opener configured")

// noBrowser is the PKCE opener without [WithBrowser]: the login URL goes to
// the prompt writer.
func noBrowser(context.Context, string) error { return errNoBrowser }
