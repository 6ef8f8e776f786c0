package authn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/authwire/authwire/config"
	"github.com/authwire/authwire/errs"
)

// clientSecretSource is the client-credentials grant (authType ClientSecret).
// The secret is resolved once, at construction, so an unreadable secret file
// fails New rather than the first call.
type clientSecretSource struct {
	clientID        string
	secret          string
	tokenURL        string
	scopes          []string
	audience        string
	audienceFromSrv bool
	style           oauth2.AuthStyle
	store           ConfigStore
	session         *http.Client
	insecure        bool // cfg.Insecure: cleartext to a remote token endpoint allowed
}

func newClientSecretSource(cfg *config.Platform, store ConfigStore, session *http.Client, o *options) (TokenSource, error) {
	secret, err := cfg.ResolveClientSecret()
	if err != nil {
		return nil, &errs.Error{Code: errs.InvalidArgument, Op: "authn", Message: "invalid configuration", Err: err}
	}
	if cfg.ClientID == "" || secret == "" {
		return nil, &errs.Error{
			Code: errs.InvalidArgument, Op: "authn",
			Message: "client secret flow needs a clientId and a secret",
			Hint:    "set clientId and one of clientSecretEnvVar, clientSecretLocation, clientSecret",
		}
	}
	return &clientSecretSource{
		clientID:        cfg.ClientID,
		secret:          secret,
		tokenURL:        cfg.TokenURL,
		scopes:          cfg.Scopes,
		audience:        cfg.Audience,
		audienceFromSrv: cfg.UseAudienceFromAdmin,
		style:           o.authStyle,
		store:           store,
		session:         session,
		insecure:        cfg.Insecure,
	}, nil
}

// Token requests a token from the configured token URL, else the one the
// server publishes. Scopes default to the server's; the audience comes from
// the configuration, else from the server when useAudienceFromAdmin is set.
func (s *clientSecretSource) Token(ctx context.Context) (*oauth2.Token, error) {
	conf := clientcredentials.Config{
		ClientID:     s.clientID,
		ClientSecret: s.secret,
		TokenURL:     s.tokenURL,
		Scopes:       s.scopes,
		AuthStyle:    s.style,
	}
	audience := s.audience
	var cc *ClientConfig
	if conf.TokenURL == "" || conf.Scopes == nil || (audience == "" && s.audienceFromSrv) {
		var err error
		if cc, err = s.serverConfig(ctx); err != nil {
			return nil, err
		}
		conf.TokenURL = cmp.Or(conf.TokenURL, cc.TokenEndpoint)
		if conf.Scopes == nil {
			conf.Scopes = cc.Scopes
		}
		if audience == "" && s.audienceFromSrv {
			audience = cc.Audience
		}
	}
	if conf.TokenURL == "" {
		return nil, noTokenEndpoint(cc)
	}
	if err := checkEndpoint(conf.TokenURL, tokenURLUse(s.tokenURL), s.insecure); err != nil {
		return nil, err
	}
	if audience != "" {
		conf.EndpointParams = url.Values{"audience": {audience}}
	}
	ctx, cancel := context.WithTimeout(withSession(ctx, s.session), tokenRequestTimeout)
	defer cancel()
	tok, err := conf.Token(ctx)
	if err != nil {
		return nil, tokenError(err, s.clientID)
	}
	return tok, nil
}

func (s *clientSecretSource) serverConfig(ctx context.Context) (*ClientConfig, error) {
	if s.store == nil {
		return &ClientConfig{}, nil
	}
	cc, err := s.store.ClientConfig(ctx)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Unimplemented || c == errs.NotFound {
			return &ClientConfig{}, nil
		}
		return nil, err
	}
	return cc, nil
}

// tokenError maps a failed token request to an *errs.Error that names the
// client id and, for an OAuth error answer, holds it as an *errs.OAuthError
// (code and hint from errs.OAuthCode); never the secret or the token.
func tokenError(err error, clientID string) error {
	return requestError(err, "token request", clientID)
}

// requestError is tokenError for a request to any OAuth endpoint, named by
// what ("device authorization request").
func requestError(err error, what, clientID string) error {
	if e, ok := errors.AsType[*errs.Error](err); ok {
		return e // the stack's own refusal (a redirect, the proxy layer): typed already
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		code := errs.Unavailable
		if strings.Contains(err.Error(), "oauth2: ") { // a malformed answer, not a network failure
			code = errs.Unauthenticated
		}
		return &errs.Error{Code: code, Op: "authn", Message: fmt.Sprintf("%s for client %q failed", what, clientID), Err: scrubbed(err)}
	}
	msg := fmt.Sprintf("%s for client %q rejected", what, clientID)
	transient := re.Response != nil && (re.Response.StatusCode >= 500 || re.Response.StatusCode == http.StatusTooManyRequests)
	if re.ErrorCode == "" {
		e := &errs.Error{Code: errs.Unauthenticated, Op: "authn", Message: msg}
		if re.Response != nil {
			e.Message += ": HTTP " + re.Response.Status
		}
		if transient {
			e.Code = errs.Unavailable
		}
		return e
	}
	e := errs.FromOAuth("authn", msg, errs.NewOAuthError(re.ErrorCode, re.ErrorDescription, re.ErrorURI))
	if transient { // the server's trouble, whatever the code says
		e.Code = errs.Unavailable
	}
	return e
}

// scrubbed drops the response body that x/oauth2 puts into some errors; it
// may be a whole HTML page and is of no use in a message.
func scrubbed(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\nResponse:"); i >= 0 {
		return errors.New(msg[:i])
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
